/**
 * The emulator's users and outbox, beside the history: sign in as any user
 * of the embedded emulator (the demo user, `--user` ones, those `register`
 * created) and read the mails the emulator "sent" with their codes and
 * links, so sign-up, password reset, e-mail change and deactivation can be
 * clicked through by hand. The outbox is read straight from the emulator's
 * admin path (it answers CORS and takes no credentials).
 */
import { createClient, passwordAuth } from '@pcloudkit/core';
import { fetchTransport } from '@pcloudkit/transport-fetch';
import type { Credentials } from '../shared/output.js';
import { h } from './form.js';

export interface EmulatorUser {
  userid: number;
  email: string;
  emailverified: boolean;
}

export interface Mail {
  id: number;
  to: string;
  subject: string;
  kind: string;
  text: string;
  code?: string;
  link?: string;
  sent: number;
}

/** Who the page's emulator calls run as. */
export interface SignedIn {
  email: string;
  credentials: Credentials;
  /** Known once the user list or a login said it; lets the panel follow an e-mail change. */
  userid?: number;
}

export interface AccountsOptions {
  /** The emulator's API origin and outbox path. */
  api: string;
  mailPath: string;
  /** The user the page starts as (the demo user, with its access token). */
  initial: SignedIn;
  /** Called when the user changes: `switched` when the person picked another user (not when the panel learnt more about this one). */
  onChange(user: SignedIn, switched: boolean): void;
  /** Opens a method's form with values (a mail's link: method and code). */
  openMethod(name: string, values: Record<string, string>): boolean;
  toast(text: string): void;
}

const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector<T>(sel)!;

async function json<T>(res: Response): Promise<T> {
  const body = (await res.json()) as T & { error?: { message: string } | string };
  if (!res.ok) throw new Error(typeof body.error === 'string' ? body.error : (body.error?.message ?? `HTTP ${res.status}`));
  return body;
}

export function setupAccounts(options: AccountsOptions) {
  let current = options.initial;
  /** The user before the last switch, for the one-click switch back (two users side by side, e.g. one shares and the other accepts). */
  let previous: SignedIn | undefined;
  let users: EmulatorUser[] = [];
  /** The outbox as last read (its buttons depend on who is signed in). */
  let mails: Mail[] | undefined;
  const outboxUrl = `${options.api}${options.mailPath}`;

  function use(user: SignedIn): void {
    if (user.email.toLowerCase() !== current.email.toLowerCase()) previous = current;
    current = user;
    options.onChange(user, true);
    renderUsers();
  }

  function renderUsers(): void {
    const gone = current.userid !== undefined && users.length > 0 && !users.some((u) => u.userid === current.userid);
    $('#current-user').replaceChildren(
      'Signed in as ',
      h('strong', { id: 'current-user-email' }, current.email),
      ...(gone ? [h('span', { class: 'tag', id: 'current-user-gone' }, ' (this account no longer exists)')] : []),
    );
    if (previous) {
      const back = previous;
      const button = h(
        'button',
        { type: 'button', class: 'ghost small', id: 'switch-back', title: 'Switch back to the user before' },
        `⇄ ${back.email}`,
      );
      button.addEventListener('click', () => {
        use(back);
        options.toast(`Signed in as ${back.email}`);
      });
      $('#current-user').append(' ', button);
    }
    const list = $('#user-list');
    list.replaceChildren();
    for (const u of users) {
      const me = u.email.toLowerCase() === current.email.toLowerCase();
      const button = h(
        'button',
        { type: 'button', class: 'ghost small', 'data-email': u.email, 'aria-label': `${me ? 'Signed in' : 'Sign in'} as ${u.email}` },
        me ? 'Signed in' : 'Sign in',
      );
      button.disabled = me;
      button.addEventListener('click', () => void signInAs(u));
      const tag = u.emailverified ? [] : [h('span', { class: 'tag', title: 'The address is not confirmed yet' }, 'unverified')];
      list.append(h('li', { class: me ? 'current' : '' }, h('span', { class: 'email', title: u.email }, u.email), ...tag, button));
    }
    if (mails) renderMails(mails);
  }

  async function refreshUsers(): Promise<void> {
    try {
      users = (await json<{ users: EmulatorUser[] }>(await fetch('/api/emulator/users'))).users;
    } catch {
      users = [];
    }
    // Follow the signed-in account: learn its id, and its new address after a changemail.
    const me =
      current.userid !== undefined
        ? users.find((u) => u.userid === current.userid)
        : users.find((u) => u.email.toLowerCase() === current.email.toLowerCase());
    if (me && (me.userid !== current.userid || me.email !== current.email)) {
      current = { ...current, userid: me.userid, email: me.email };
      options.onChange(current, false);
    }
    renderUsers();
  }

  /** Signs in without the password: the playground server asks its emulator for a fresh auth token. */
  async function signInAs(u: EmulatorUser): Promise<void> {
    if (u.email.toLowerCase() === current.email.toLowerCase()) return;
    const res = await fetch('/api/emulator/signin', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-playground': '1' },
      body: JSON.stringify({ userid: u.userid }),
    });
    const { userid, email, auth } = await json<{ userid: number; email: string; auth: string }>(res);
    use({ email, userid, credentials: { kind: 'auth', token: auth } });
    options.toast(`Signed in as ${email}`);
  }

  /** Signs in with e-mail and password through the API, from the page (getdigest, then userinfo with getauth). */
  async function signInWithPassword(email: string, password: string): Promise<void> {
    const auth = passwordAuth(email, password);
    const client = createClient({ transport: fetchTransport(), auth, region: { api: [options.api] }, retries: 0 });
    try {
      const info = await client.call<{ email?: string; userid?: number }>('userinfo');
      const token = auth.token();
      if (!token) throw new Error('the login gave no auth token');
      use({
        email: typeof info.email === 'string' ? info.email : email,
        ...(typeof info.userid === 'number' ? { userid: info.userid } : {}),
        credentials: { kind: 'auth', token },
      });
      options.toast(`Signed in as ${email}`);
    } finally {
      await client.close().catch(() => {});
    }
  }

  function renderMails(read: Mail[]): void {
    mails = read;
    const list = $('#mail-list');
    $('#outbox-count').textContent = read.length ? `(${read.length})` : '';
    list.replaceChildren();
    if (!read.length) {
      list.append(h('li', { class: 'empty' }, 'No mail yet. Methods such as register or lostpassword send some.'));
      return;
    }
    // newest first
    for (const m of [...read].reverse()) {
      const item = h(
        'li',
        { 'data-mail': String(m.id), 'data-kind': m.kind },
        h('div', { class: 'subject' }, m.subject),
        h('div', { class: 'meta' }, `to ${m.to} · ${m.kind} · ${new Date(m.sent).toLocaleTimeString()}`),
      );
      if (m.code) item.append(h('div', {}, 'code ', h('code', { class: 'code' }, m.code)));
      const actions = h('div', { class: 'mail-actions' });
      // The mail went to another user of the emulator: one click signs in as them (to accept a share, say).
      const recipient = users.find((u) => u.email.toLowerCase() === m.to.toLowerCase());
      const forOther = recipient && recipient.email.toLowerCase() !== current.email.toLowerCase() ? recipient : undefined;
      // Only a share offer is opened as its recipient at once: acceptshare needs their login, the account flows do not.
      const asRecipient = forOther && m.kind === 'share' ? forOther : undefined;
      if (m.link) {
        const link = new URL(m.link);
        const method = link.pathname.replace(/^\/+/, '');
        const open = h(
          'button',
          { type: 'button', class: 'ghost small use-link' },
          `Open ${method}${asRecipient ? ` as ${asRecipient.email}` : ''}`,
        );
        open.title = `Fill the method form with the code from this mail${asRecipient ? ', signed in as its recipient' : ''}`;
        open.addEventListener('click', async () => {
          if (asRecipient) await signInAs(asRecipient).catch((error: Error) => options.toast(error.message));
          if (!options.openMethod(method, Object.fromEntries(link.searchParams))) options.toast(`${method} is not in the playground`);
        });
        actions.append(open, h('a', { href: m.link, target: '_blank', rel: 'noopener noreferrer', class: 'small' }, 'link'));
      }
      if (forOther && !asRecipient) {
        const sign = h('button', { type: 'button', class: 'ghost small sign-in-recipient' }, `Sign in as ${forOther.email}`);
        sign.addEventListener('click', () => void signInAs(forOther).catch((error: Error) => options.toast(error.message)));
        actions.append(sign);
      }
      if (actions.childElementCount) item.append(actions);
      item.title = m.text;
      list.append(item);
    }
  }

  async function refreshMail(): Promise<void> {
    try {
      renderMails((await json<{ mails: Mail[] }>(await fetch(outboxUrl))).mails);
    } catch (error) {
      $('#mail-list').replaceChildren(h('li', { class: 'empty' }, `The outbox could not be read: ${(error as Error).message}`));
    }
  }

  $('#outbox-refresh').addEventListener('click', () => void refreshMail());
  $('#outbox-clear').addEventListener('click', async () => {
    await fetch(outboxUrl, { method: 'DELETE' });
    await refreshMail();
  });
  $('#login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const email = $<HTMLInputElement>('#login-email');
    const password = $<HTMLInputElement>('#login-password');
    const error = $('#login-error');
    error.textContent = '';
    try {
      await signInWithPassword(email.value.trim(), password.value);
      password.value = '';
      email.value = '';
    } catch (err) {
      error.textContent = (err as Error).message;
    }
  });

  renderUsers();
  void refreshUsers();
  void refreshMail();
  /** Signs in with an OAuth2 access token (the authorize page's token flow): userinfo says whose it is. */
  async function useAccessToken(token: string): Promise<SignedIn> {
    const client = createClient({ transport: fetchTransport(), auth: { accessToken: token }, region: { api: [options.api] }, retries: 0 });
    try {
      const info = await client.call<{ email?: string; userid?: number }>('userinfo');
      const user: SignedIn = {
        email: typeof info.email === 'string' ? info.email : 'unknown user',
        ...(typeof info.userid === 'number' ? { userid: info.userid } : {}),
        credentials: { kind: 'access_token', token },
      };
      use(user);
      return user;
    } finally {
      await client.close().catch(() => {});
    }
  }

  return {
    /** Reads the users and the outbox again (after each call, since methods create users and send mail). */
    refresh: () => Promise.all([refreshUsers(), refreshMail()]),
    current: () => current,
    useAccessToken,
  };
}
