/**
 * Browser sign-in for Node programs (CLIs, desktop tools): a loopback HTTP
 * server catches pCloud's redirect, so the user only has to approve the app
 * in their browser.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AbortError, TimeoutError, createClient } from '@pcloudkit/core';
import type { AuthProvider, ClientOptions, CoreClient, Region, Transport } from '@pcloudkit/core';
import { DEFAULT_AUTHORIZE_ORIGIN, OAuth2Error, authorizeUrl, exchangeCode, parseRedirect, type ParsedRedirect } from './index.js';

/** Options of {@link signIn}. */
export interface SignInOptions {
  /** The app's id. */
  clientId: string;
  /** The app's secret (the code flow needs it; keep it out of browsers). */
  clientSecret: string;
  /** Transport for the token exchange and for the returned client. */
  transport: Transport;
  /**
   * Shows the authorize page to the user. Default: opens the system browser
   * (`open` on macOS, `rundll32` on Windows, `xdg-open` elsewhere). A failure
   * of the default opener does not end the sign-in (the URL has been
   * reported, see `onAuthorizeUrl`); a failure of your own `open` does.
   */
  open?: (url: string) => void | Promise<void>;
  /**
   * Receives the authorize URL before `open` is called, every time, so a user
   * on a machine without a usable browser (SSH, containers) can open it
   * elsewhere. Default: prints it on stderr. Pass `() => {}` to stay quiet.
   */
  onAuthorizeUrl?: (url: string) => void;
  /** Loopback port; default 0 (any free port). Register `http://127.0.0.1:<port>/callback` as a redirect URI if your app needs a fixed one. */
  port?: number;
  /** Milliseconds to wait for the user; default 300000 (5 minutes). */
  timeout?: number;
  signal?: AbortSignal;
  /** Origin of the authorize page; default `https://my.pcloud.com`. */
  authorizeOrigin?: string;
  /** Extra permissions, e.g. `['manageshares']`. */
  permissions?: readonly string[];
  /** Ask again even if the user approved the app before. */
  forceReapprove?: boolean;
  /**
   * Region for the exchange and the returned client, instead of the one the
   * redirect reports (useful with a custom host list, e.g. an emulator's
   * binary port).
   */
  region?: Region;
  /** More options for the returned client (timeout, retries, middleware...). */
  clientOptions?: Omit<ClientOptions, 'transport' | 'auth' | 'region'>;
}

/** What {@link signIn} resolves to. */
export interface SignInResult {
  accessToken: string;
  /** Id of the user who approved the app. */
  uid: number;
  /** 1 US, 2 Europe, when known. */
  locationid?: number;
  /** The user's region. */
  region: Region;
  /** A client on that region, signed in with the token. Add plugins with `.use()`. */
  client: CoreClient;
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body style="font-family:system-ui,sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body></html>`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Opens `url` in the system browser. */
export function openInBrowser(url: string): Promise<void> {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
    child.once('error', (error) =>
      reject(new Error(`could not open a browser (${command}); open this URL yourself: ${url}`, { cause: error })),
    );
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

function printAuthorizeUrl(url: string): void {
  process.stderr.write(`To sign in to pCloud, open this page in a browser:\n  ${url}\n`);
}

/**
 * Signs a user in with the OAuth2 code flow through their browser:
 *
 * 1. starts an HTTP server on `127.0.0.1` (port `port`, default any free one);
 * 2. reports pCloud's authorize page URL (`onAuthorizeUrl`, stderr by
 *    default) with `redirect_uri` `http://127.0.0.1:<port>/callback` and a
 *    random `state`, and opens it (`open`, the system browser by default);
 * 3. waits for the redirect, checks `state`, and tells the browser it can
 *    close the tab;
 * 4. exchanges the code with `oauth2_token` on the user's region.
 *
 * The server is always closed, whether the sign-in succeeds, fails, times
 * out or is aborted.
 *
 * @throws OAuth2Error when the redirect is forged (`state-mismatch`), reports an error, or lacks a code;
 *   TimeoutError after `timeout`; AbortError when `signal` fires; ApiError when the exchange fails.
 *
 * @example
 * ```ts
 * import { signIn } from '@pcloudkit/methods-oauth2/node';
 * import { httpTransport } from '@pcloudkit/transport-http';
 * import { general } from '@pcloudkit/methods-general';
 *
 * const { client, accessToken } = await signIn({ clientId, clientSecret, transport: httpTransport() });
 * console.log(await client.use(general).userinfo());
 * ```
 */
export async function signIn(options: SignInOptions): Promise<SignInResult> {
  const { clientId, clientSecret, transport } = options;
  if (!transport || typeof transport.call !== 'function') throw new TypeError('signIn: options.transport is required');
  if (typeof clientSecret !== 'string' || clientSecret === '') throw new TypeError('signIn: options.clientSecret is required');
  const timeout = options.timeout ?? 300_000;
  const signal = options.signal;
  if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
  const authorizeOrigin = options.authorizeOrigin ?? DEFAULT_AUTHORIZE_ORIGIN;
  const hostScheme = /^http:\/\//i.test(authorizeOrigin) ? 'http' : 'https';
  const state = randomBytes(24).toString('base64url');

  let settle!: { resolve: (r: ParsedRedirect) => void; reject: (e: unknown) => void };
  const redirected = new Promise<ParsedRedirect>((resolve, reject) => (settle = { resolve, reject }));
  redirected.catch(() => {}); // awaited below; this only keeps an early failure from counting as unhandled
  let done = false;
  const finish = (error: unknown, value?: ParsedRedirect) => {
    if (done) return;
    done = true;
    if (error) settle.reject(error);
    else settle.resolve(value!);
  };

  const answer = (res: ServerResponse, status: number, title: string, text: string) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
    res.end(PAGE(title, text));
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/callback') {
      res.writeHead(404, { 'content-type': 'text/plain', connection: 'close' }).end('Not found');
      return;
    }
    if (done) {
      answer(res, 409, 'Already handled', 'This sign-in has already finished. You can close this tab.');
      return;
    }
    try {
      const parsed = parseRedirect(url, { state, hostScheme });
      if (parsed.code === undefined) throw new OAuth2Error('no-credentials', 'the redirect carries no authorization code');
      answer(res, 200, 'Signed in', 'You are signed in to pCloud. You can close this tab.');
      finish(undefined, parsed);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      answer(res, 400, 'Sign-in failed', `${escapeHtml(message)}. You can close this tab and try again.`);
      finish(error);
    }
  });

  const timer = setTimeout(() => finish(new TimeoutError(timeout)), timeout);
  const onAbort = () => finish(new AbortError(undefined, { cause: signal?.reason }));
  signal?.addEventListener('abort', onAbort, { once: true });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const url = authorizeUrl({
      clientId,
      responseType: 'code',
      redirectUri: `http://127.0.0.1:${port}/callback`,
      state,
      forceReapprove: options.forceReapprove,
      permissions: options.permissions,
      authorizeOrigin,
    });
    const report = options.onAuthorizeUrl ?? printAuthorizeUrl;
    report(url);
    // Opening runs alongside the wait: a test driver (or a slow browser
    // launcher) may only settle after the redirect has arrived.
    const open = options.open;
    Promise.resolve()
      .then(() => (open ? open(url) : openInBrowser(url)))
      .catch((error: unknown) => {
        // A caller's own opener failing ends the sign-in. The default one
        // failing (no browser here) leaves the reported URL to the user.
        if (open) finish(error);
        else if (report === printAuthorizeUrl) process.stderr.write('(No browser could be opened here; open the page above yourself.)\n');
      });
    const redirect = await redirected;

    let token: string | undefined;
    const auth: AuthProvider = {
      apply(request) {
        if (token) request.bearer = token;
      },
      clear() {
        token = undefined;
      },
    };
    const region = options.region ?? redirect.region;
    const client = createClient({ ...options.clientOptions, transport, region, auth });
    const exchanged = await exchangeCode(client, { clientId, clientSecret, code: redirect.code!, signal });
    token = exchanged.accessToken;
    const result: SignInResult = { accessToken: exchanged.accessToken, uid: exchanged.uid, region, client };
    const locationid = redirect.locationid ?? exchanged.locationid;
    if (locationid !== undefined) result.locationid = locationid;
    return result;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    done = true;
    await closeServer(server);
  }
}

function closeServer(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    // Let the answer page reach the browser (every answer says `connection:
    // close`), drop idle keep-alive sockets now and anything else shortly.
    const force = setTimeout(() => server.closeAllConnections(), 1_000);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
