/**
 * Sign-in for web pages without a backend: pCloud's OAuth2 token flow
 * (`response_type=token`), by a full-page redirect or in a popup. The token
 * comes back in the URL fragment of your redirect page, which only the page
 * sees; no secret is involved, so nothing here needs a server.
 *
 * Uses only web APIs (`window.open`, `postMessage`, `sessionStorage`,
 * `history`, `crypto.getRandomValues`): it bundles for browsers with no Node
 * module.
 */
import { AbortError, TimeoutError, ValidationError, createClient } from '@pcloudkit/core';
import type { ClientOptions, CoreClient, Region, Transport } from '@pcloudkit/core';
import { DEFAULT_AUTHORIZE_ORIGIN, OAuth2Error, authorizeUrl, parseRedirect } from './index.js';

/** What both sign-ins need to build the authorize page URL. */
export interface BrowserSignInOptions {
  /** The app's id (no secret: the token flow does without it). */
  clientId: string;
  /**
   * Your page that pCloud sends the browser back to, registered as a
   * redirect URI of the app. Default: the current page without its query and
   * fragment.
   */
  redirectUri?: string;
  /** Origin of the authorize page. Default `https://my.pcloud.com`. */
  authorizeOrigin?: string;
  /** Extra permissions, e.g. `['manageshares']`. */
  permissions?: readonly string[];
  /** Ask again even if the user approved the app before. */
  forceReapprove?: boolean;
  /**
   * Scheme for a `hostname` in the answer that is not one of pCloud's (an
   * emulator). Default: the authorize page's scheme.
   */
  hostScheme?: 'https' | 'http';
}

/** Builds the returned `client` when given. */
export interface BrowserClientOptions {
  /** Transport for the returned client, e.g. `fetchTransport()`; without it no client is made. */
  transport?: Transport;
  /** More options for the returned client (timeout, retries, middleware...). */
  clientOptions?: Omit<ClientOptions, 'transport' | 'auth' | 'region'>;
}

/** The signed-in user, as the redirect reported it. */
export interface BrowserSignInResult {
  accessToken: string;
  /** Id of the user who approved the app, when reported. */
  uid?: number;
  /** 1 US, 2 Europe, when reported. */
  locationid?: number;
  /** The API host reported for this user. */
  hostname?: string;
  /**
   * The user's region: build your client on it (an EU user's token only
   * works on the EU hosts).
   */
  region: Region;
}

/** The result with a client on the user's region, signed in with the token. */
export type BrowserSignInWithClient = BrowserSignInResult & { client: CoreClient };

/** Options of {@link signInWithPopup}. */
export interface PopupSignInOptions extends BrowserSignInOptions, BrowserClientOptions {
  /** Milliseconds to wait for the user; default 300000 (5 minutes). */
  timeout?: number;
  signal?: AbortSignal;
  /** `window.open` features. Default: a 520×680 window centred over the page. */
  popupFeatures?: string;
}

/** Options of {@link startSignIn}. */
export interface RedirectSignInOptions extends BrowserSignInOptions {
  /** Goes to the authorize page. Default: `location.assign(url)`. */
  navigate?: (url: string) => void;
}

/** Where the redirect flow keeps its pending state between the two page loads (sessionStorage: this tab only). */
export const PENDING_KEY = 'pcloudkit.oauth2.pending';
/** Popup states start with this, so the redirect page knows to hand the answer to its opener. */
const POPUP_PREFIX = 'popup.';
const MESSAGE_TYPE = 'pcloudkit:oauth2-redirect';

interface Pending {
  state: string;
  hostScheme: 'https' | 'http';
}

interface RedirectMessage {
  type: typeof MESSAGE_TYPE;
  url: string;
}

function randomState(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function defaultRedirectUri(): string {
  return `${location.origin}${location.pathname}`;
}

function prepare(options: BrowserSignInOptions, state: string): { url: string; redirectUri: string; hostScheme: 'https' | 'http' } {
  if (typeof options !== 'object' || options === null) throw new ValidationError('authorize', 'options', 'sign-in options are required');
  let redirectUri: string;
  try {
    // A relative redirect URI is taken relative to this page.
    redirectUri = options.redirectUri === undefined ? defaultRedirectUri() : new URL(options.redirectUri, location.href).toString();
  } catch {
    throw new ValidationError('authorize', 'redirectUri', `'redirectUri' is not a URL: ${JSON.stringify(options.redirectUri)}`);
  }
  if (!/^https?:$/.test(new URL(redirectUri).protocol)) {
    throw new ValidationError(
      'authorize',
      'redirectUri',
      `'redirectUri' must be an http: or https: URL, got ${JSON.stringify(redirectUri)}`,
    );
  }
  const authorizeOrigin = options.authorizeOrigin ?? DEFAULT_AUTHORIZE_ORIGIN;
  const url = authorizeUrl({
    clientId: options.clientId,
    responseType: 'token',
    redirectUri,
    state,
    forceReapprove: options.forceReapprove,
    permissions: options.permissions,
    authorizeOrigin,
  });
  const hostScheme = options.hostScheme ?? (/^http:\/\//i.test(authorizeOrigin) ? 'http' : 'https');
  return { url, redirectUri, hostScheme };
}

/** Does this URL's fragment look like an answer of the authorize page? */
function redirectFragment(url: string): URLSearchParams | undefined {
  const hash = new URL(url).hash.replace(/^#/, '');
  const values = new URLSearchParams(hash);
  return values.has('access_token') || values.has('error') ? values : undefined;
}

/** Removes the fragment from the address bar (and the history entry), so the token does not linger there. */
function clearFragment(): void {
  const url = new URL(location.href);
  url.hash = '';
  history.replaceState(history.state, '', url.toString());
}

function readResult(url: string, state: string, hostScheme: 'https' | 'http', options: BrowserClientOptions): BrowserSignInResult {
  const parsed = parseRedirect(url, { state, hostScheme });
  if (parsed.accessToken === undefined) throw new OAuth2Error('no-credentials', 'the redirect carries no access token');
  const result: BrowserSignInResult & { client?: CoreClient } = { accessToken: parsed.accessToken, region: parsed.region };
  if (parsed.uid !== undefined) result.uid = parsed.uid;
  if (parsed.locationid !== undefined) result.locationid = parsed.locationid;
  if (parsed.hostname !== undefined) result.hostname = parsed.hostname;
  if (options.transport) {
    result.client = createClient({
      ...options.clientOptions,
      transport: options.transport,
      region: parsed.region,
      auth: { accessToken: parsed.accessToken },
    });
  }
  return result;
}

// ---------------------------------------------------------------------------
// Redirect

/**
 * Redirect flow, first step: keeps a random `state` in `sessionStorage` and
 * sends this tab to the authorize page. pCloud then loads `redirectUri` with
 * the token in the fragment; call {@link finishSignIn} there. Returns the URL
 * it navigated to.
 *
 * @throws ValidationError on bad options (nothing is stored or opened).
 */
export function startSignIn(options: RedirectSignInOptions): string {
  const state = randomState();
  const { url, hostScheme } = prepare(options, state);
  const pending: Pending = { state, hostScheme };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  (options.navigate ?? ((target: string) => location.assign(target)))(url);
  return url;
}

/**
 * Call on every load of your redirect page (both flows can share it):
 *
 * - the page was loaded by a popup sign-in: hands the answer to the opener
 *   (see {@link completePopupSignIn}) and returns `undefined`;
 * - the page was loaded by {@link startSignIn}'s redirect: checks the state
 *   kept in `sessionStorage`, removes the fragment from the address bar, and
 *   returns the token and the user's region (and a `client` when a
 *   `transport` is given);
 * - otherwise (an ordinary visit, no answer in the fragment): `undefined`.
 *
 * @throws OAuth2Error `denied` when the user refused (`error` holds pCloud's
 *   code, e.g. `access_denied`); `state-mismatch` when the state differs or no
 *   sign-in was started in this tab (a forged link); `no-credentials`.
 */
export function finishSignIn(options: BrowserClientOptions & { transport: Transport }): BrowserSignInWithClient | undefined;
export function finishSignIn(options?: BrowserClientOptions): BrowserSignInResult | undefined;
export function finishSignIn(options: BrowserClientOptions = {}): BrowserSignInResult | undefined {
  const url = location.href;
  const values = redirectFragment(url);
  if (!values) return undefined;
  if (completePopupSignIn()) return undefined;
  const stored = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY); // one use, success or not
  clearFragment();
  let pending: Pending | undefined;
  try {
    pending = stored ? (JSON.parse(stored) as Pending) : undefined;
  } catch {
    pending = undefined;
  }
  if (typeof pending?.state !== 'string') {
    // An error answer is still reported as such; a token nobody asked for is refused.
    if (values.has('error')) parseRedirect(url);
    throw new OAuth2Error('state-mismatch', 'no sign-in was started in this tab, so this answer is refused (it may be forged)');
  }
  return readResult(url, pending.state, pending.hostScheme === 'http' ? 'http' : 'https', options);
}

// ---------------------------------------------------------------------------
// Popup

/**
 * On the redirect page inside a popup opened by {@link signInWithPopup}:
 * sends the answer to the opening window (same origin only) and removes the
 * fragment; the opener checks it and closes the popup. Returns `false` (and
 * does nothing) anywhere else. {@link finishSignIn} calls it for you.
 */
export function completePopupSignIn(): boolean {
  const url = location.href;
  const values = redirectFragment(url);
  const opener = window.opener as Window | null;
  if (!values || !opener || !values.get('state')?.startsWith(POPUP_PREFIX)) return false;
  const message: RedirectMessage = { type: MESSAGE_TYPE, url };
  // Only a window of this same origin can receive it.
  opener.postMessage(message, location.origin);
  clearFragment();
  return true;
}

function centredFeatures(): string {
  const width = 520;
  const height = 680;
  const left = Math.max(0, Math.round(window.screenX + (window.outerWidth - width) / 2));
  const top = Math.max(0, Math.round(window.screenY + (window.outerHeight - height) / 2));
  return `popup=yes,width=${width},height=${height},left=${left},top=${top}`;
}

/**
 * Popup flow: opens the authorize page in a popup, waits until the user has
 * answered and your redirect page (which calls {@link finishSignIn} or
 * {@link completePopupSignIn}) has handed the answer back, checks the state,
 * closes the popup and resolves to the token and the user's region (and a
 * `client` when a `transport` is given).
 *
 * Call it straight from a click handler: browsers block popups opened later.
 *
 * @throws OAuth2Error `popup-blocked` when the browser refused to open it;
 *   `popup-closed` when the user closed it before answering; `denied` when the
 *   user refused (`error`: `access_denied`); `state-mismatch`;
 *   TimeoutError after `timeout`; AbortError when `signal` fires.
 */
export function signInWithPopup(options: PopupSignInOptions & { transport: Transport }): Promise<BrowserSignInWithClient>;
export function signInWithPopup(options: PopupSignInOptions): Promise<BrowserSignInResult>;
export function signInWithPopup(options: PopupSignInOptions): Promise<BrowserSignInResult> {
  const state = POPUP_PREFIX + randomState();
  let prepared: ReturnType<typeof prepare>;
  try {
    prepared = prepare(options, state);
  } catch (error) {
    return Promise.reject(error);
  }
  const { signal } = options;
  const timeout = options.timeout ?? 300_000;
  if (typeof timeout !== 'number' || !(timeout > 0) || timeout > 2 ** 31 - 1) {
    return Promise.reject(
      new ValidationError('authorize', 'timeout', `'timeout' must be a number of milliseconds above 0, got ${String(timeout)}`),
    );
  }
  if (signal?.aborted) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
  const redirectOrigin = new URL(prepared.redirectUri).origin;
  // Opened before anything asynchronous, while the click still counts as a user gesture.
  const popup = window.open(prepared.url, `pcloudkit-signin-${state.slice(-8)}`, options.popupFeatures ?? centredFeatures());
  if (!popup)
    return Promise.reject(
      new OAuth2Error('popup-blocked', 'the browser blocked the sign-in popup; call signInWithPopup from a click handler'),
    );

  return new Promise<BrowserSignInResult>((resolve, reject) => {
    const finish = (error: unknown, value?: BrowserSignInResult) => {
      window.removeEventListener('message', onMessage);
      signal?.removeEventListener('abort', onAbort);
      clearInterval(watch);
      clearTimeout(timer);
      if (!popup.closed) popup.close();
      if (error) reject(error);
      else resolve(value!);
    };
    const onMessage = (event: MessageEvent) => {
      if (event.source !== popup || event.origin !== redirectOrigin) return;
      const data = event.data as Partial<RedirectMessage> | null;
      if (data?.type !== MESSAGE_TYPE || typeof data.url !== 'string') return;
      try {
        finish(undefined, readResult(data.url, state, prepared.hostScheme, options));
      } catch (error) {
        finish(error);
      }
    };
    const onAbort = () => finish(new AbortError(undefined, { cause: signal?.reason }));
    window.addEventListener('message', onMessage);
    signal?.addEventListener('abort', onAbort, { once: true });
    // The popup is only closed by us after its answer arrived, so closed before that means the user gave up.
    const watch = setInterval(() => {
      if (popup.closed) finish(new OAuth2Error('popup-closed', 'the sign-in popup was closed before the sign-in finished'));
    }, 250);
    const timer = setTimeout(() => finish(new TimeoutError(timeout, { method: 'sign-in popup' })), timeout);
  });
}
