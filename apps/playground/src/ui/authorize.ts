/**
 * `authorize` is a browser page (my.pcloud.com's, or the emulator's own),
 * not an API call: this panel builds its URL from the form, opens it, and
 * completes the token flow in a popup whose redirect comes back to the
 * playground, so the token lands in the playground (the emulator user, or
 * the pCloud token). The code flow opens the page too; the code it brings
 * back fills the `oauth2_token` form.
 */
import { authorizeUrl } from '@pcloudkit/methods-oauth2';
import { completePopupSignIn, signInWithPopup } from '@pcloudkit/methods-oauth2/browser';
import type { MethodInfo } from '../server/registry.js';
import { h } from './form.js';

export interface AuthorizeContext {
  target(): 'emulator' | 'pcloud';
  /** The embedded emulator's API origin and its demo app's id, when it runs. */
  emulator?: { api: string; clientId: string; clientSecret: string };
  /** The token flow finished: use this token for the target. */
  onToken(token: string, target: 'emulator' | 'pcloud', hostname: string | undefined): Promise<void>;
  /** The code flow came back with a code: open oauth2_token with it. */
  onCode(values: Record<string, string>): void;
  toast(text: string): void;
}

const CODE_MESSAGE = 'pcloudkit-playground-code';
const CODE_STATE = 'pgcode-';

/**
 * Runs first on every load of the page: inside a sign-in popup it hands the
 * answer to the page that opened it (token flow in the fragment, code flow
 * in the query) and returns `true`; the page then shows nothing else.
 */
export function completeAuthorizeRedirect(): boolean {
  if (completePopupSignIn()) {
    document.body.textContent = 'Signed in: this window closes by itself.';
    return true;
  }
  const query = new URLSearchParams(location.search);
  const opener = window.opener as Window | null;
  const state = query.get('state') ?? '';
  if (opener && state.startsWith(CODE_STATE) && (query.has('code') || query.has('error'))) {
    opener.postMessage({ type: CODE_MESSAGE, query: location.search }, location.origin);
    history.replaceState(null, '', location.pathname);
    document.body.textContent = 'Code received: this window closes by itself.';
    return true;
  }
  return false;
}

/** The page the authorize page sends the browser back to: the playground itself. */
function redirectUri(): string {
  return `${location.origin}${location.pathname}`;
}

/** Builds the panel into `root`. */
export function authorizePanel(root: HTMLElement, method: MethodInfo, ctx: AuthorizeContext): void {
  const target = ctx.target();
  const origin = target === 'emulator' && ctx.emulator ? ctx.emulator.api : 'https://my.pcloud.com';
  const field = (label: string, control: HTMLElement, hint = '') =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: control.id }, h('span', { class: 'name' }, label)),
      control,
      h('p', { class: 'hint' }, hint),
    );
  const clientId = h('input', { type: 'text', id: 'auth-client-id', autocomplete: 'off', spellcheck: 'false' });
  clientId.value = target === 'emulator' ? (ctx.emulator?.clientId ?? '') : '';
  const responseType = h(
    'select',
    { id: 'auth-response-type' },
    h('option', { value: 'token' }, 'token: the token comes back to this page'),
    h('option', { value: 'code' }, 'code: a code to swap with oauth2_token'),
  );
  const redirect = h('input', { type: 'text', id: 'auth-redirect', readonly: '', value: redirectUri() });
  const manageshares = h('input', { type: 'checkbox', id: 'auth-manageshares' });
  const reapprove = h('input', { type: 'checkbox', id: 'auth-reapprove' });
  const url = h('output', { id: 'authorize-url', class: 'code authorize-url', for: 'auth-client-id auth-response-type' });
  const error = h('p', { class: 'err', id: 'authorize-error', role: 'alert' });
  const openLink = h(
    'a',
    { id: 'authorize-open', target: '_blank', rel: 'noopener noreferrer', class: 'small' },
    'Open the page in a new tab',
  );
  const signIn = h('button', { type: 'button', class: 'primary', id: 'authorize-signin' }, 'Sign in through the page');

  const options = () => ({
    clientId: clientId.value.trim(),
    responseType: responseType.value as 'code' | 'token',
    redirectUri: redirect.value,
    authorizeOrigin: origin,
    ...(manageshares.checked ? { permissions: ['manageshares'] } : {}),
    ...(reapprove.checked ? { forceReapprove: true } : {}),
  });
  const update = () => {
    error.textContent = '';
    try {
      const built = authorizeUrl(options());
      url.value = built;
      openLink.href = built;
      openLink.hidden = false;
      signIn.disabled = false;
    } catch (e) {
      url.value = '';
      openLink.hidden = true;
      error.textContent = (e as Error).message;
      signIn.disabled = true;
    }
  };
  for (const c of [clientId, responseType, manageshares, reapprove]) c.addEventListener('input', update);
  responseType.addEventListener('change', update);

  signIn.addEventListener('click', async () => {
    const o = options();
    error.textContent = '';
    try {
      if (o.responseType === 'token') {
        // opened inside the click handler: browsers let a click open a popup
        const result = await signInWithPopup({ ...o, popupFeatures: 'popup=yes,width=520,height=680' });
        await ctx.onToken(result.accessToken, target, result.hostname);
      } else {
        const values = await codePopup(o);
        // the emulator's demo app is a local stand-in: its secret is no secret
        const secret: Record<string, string> =
          target === 'emulator' && o.clientId === ctx.emulator?.clientId ? { client_secret: ctx.emulator.clientSecret } : {};
        ctx.onCode({ client_id: o.clientId, ...secret, ...values });
      }
    } catch (e) {
      error.textContent = `${(e as Error).name}: ${(e as Error).message}`;
    }
  });

  const head = h(
    'div',
    { class: 'method-head' },
    h('h1', { id: 'method-title' }, method.name),
    h('span', { class: 'badge' }, method.group),
    h('span', { class: 'badge' }, 'browser page'),
    h('span', { class: 'badge', title: 'Package' }, method.pkg),
  );
  const where = target === 'emulator' ? "the emulator's own authorize page" : 'pCloud’s page on my.pcloud.com';
  const form = h(
    'form',
    { class: 'params authorize', 'aria-labelledby': 'method-title', novalidate: '' },
    field(
      'client_id',
      clientId,
      target === 'emulator'
        ? "The emulator's demo app (any redirect is allowed)."
        : 'Your app’s id (its redirect URIs must include the one below).',
    ),
    field('response_type', responseType),
    field('redirect_uri', redirect, 'This playground page: it hands the answer back and closes the popup.'),
    h(
      'div',
      { class: 'field' },
      h('label', { class: 'check', for: 'auth-manageshares' }, manageshares, h('span', { class: 'name' }, 'permissions=manageshares')),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { class: 'check', for: 'auth-reapprove' }, reapprove, h('span', { class: 'name' }, 'force_reapprove')),
    ),
    h('div', { class: 'field' }, h('span', { class: 'name' }, 'URL'), url),
    error,
    h('div', { class: 'form-actions' }, signIn, openLink),
  );
  // Ctrl+Enter submits the page's form: here that starts the sign-in (never a navigation)
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!signIn.disabled) signIn.click();
  });
  root.replaceChildren(
    head,
    h(
      'p',
      { class: 'summary' },
      `authorize is a page people sign in on, not an API call: the playground builds its URL and opens ${where}. `,
      'With the token flow the token comes back to this page and the playground uses it at once.',
    ),
    form,
  );
  update();
}

/** The code flow in a popup: resolves with the redirect's `code` (and `hostname`, `locationid`). */
function codePopup(o: Omit<Parameters<typeof authorizeUrl>[0], 'responseType' | 'state'>): Promise<Record<string, string>> {
  const state = CODE_STATE + crypto.randomUUID();
  const url = authorizeUrl({ ...o, responseType: 'code', state });
  const popup = window.open(url, 'pcloudkit-code', 'popup=yes,width=520,height=680');
  if (!popup) return Promise.reject(new Error('the browser blocked the popup'));
  return new Promise((resolve, reject) => {
    const done = (e: Error | undefined, v?: Record<string, string>) => {
      window.removeEventListener('message', onMessage);
      clearInterval(watch);
      if (!popup.closed) popup.close();
      if (e) reject(e);
      else resolve(v!);
    };
    const onMessage = (event: MessageEvent) => {
      const data = event.data as { type?: string; query?: string } | null;
      if (event.source !== popup || event.origin !== location.origin || data?.type !== CODE_MESSAGE) return;
      const q = new URLSearchParams(data.query ?? '');
      if (q.get('state') !== state) return done(new Error('the answer carries another state (refused)'));
      if (q.has('error')) return done(new Error(`the page answered ${q.get('error')}`));
      const out: Record<string, string> = { code: q.get('code') ?? '' };
      done(undefined, out);
    };
    window.addEventListener('message', onMessage);
    const watch = setInterval(() => {
      if (popup.closed) done(new Error('the popup was closed before the sign-in finished'));
    }, 250);
  });
}
