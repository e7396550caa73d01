import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorCore } from '../core.js';
import { ApiError } from '../errors.js';
import type { AppRec, UserRec } from '../store.js';
import { parseCookies, readSmallBody } from './api-server.js';
import { escapeHtml as esc } from './html.js';

// An empty icon: a browser then asks for no /favicon.ico (which would be a 404 in its console).
const ICON = '<link rel="icon" href="data:,">';

interface AuthorizeRequest {
  client_id: string;
  response_type: string;
  redirect_uri: string | undefined;
  state: string | undefined;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Is `uri` an acceptable redirect target for `app`? Only `http:` and
 * `https:` targets are accepted (a `javascript:`, `data:` or `file:` target
 * would run or read something in the user's browser). An app with no
 * registered URIs takes any such target; otherwise the target must be one of
 * them, except that a loopback target (`http://127.0.0.1`, `[::1]`,
 * `localhost`) may use any port, as native apps listen on a free one
 * (RFC 8252, section 7.3).
 */
function redirectAllowed(app: AppRec, uri: string): boolean {
  const u = webUrl(uri);
  if (!u) return false;
  if (app.redirectUris.length === 0) return true;
  if (app.redirectUris.includes(uri)) return true;
  if (u.protocol !== 'http:' || !LOOPBACK_HOSTS.has(u.hostname)) return false;
  return app.redirectUris.some((registered) => {
    const r = webUrl(registered);
    if (r?.protocol !== 'http:' || r.hostname !== u.hostname) return false;
    r.port = u.port;
    return r.toString() === u.toString();
  });
}

function webUrl(uri: string): URL | undefined {
  try {
    const u = new URL(uri);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Headers of every answer of the page: never cached, and never shown inside
 * a frame of another site (a framed page could be overlaid to trick the user
 * into pressing Allow).
 */
const PAGE_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "frame-ancestors 'none'",
} as const;

/**
 * The emulator's stand-in for my.pcloud.com's `/oauth2/authorize` page.
 * GET renders a sign-in + approve form; POST with `username`/`password` (or
 * with a valid `auth` cookie from an earlier sign-in) and `approve` answers
 * 302 to the redirect_uri, exactly like the real page does after approval.
 */
export function createAuthorizePage(core: EmulatorCore) {
  return async function page(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const fields: Record<string, string> = {};
    for (const [k, v] of url.searchParams) fields[k] = v;
    if (req.method === 'POST') {
      const body = await readSmallBody(req, 64 * 1024);
      if (body === null) return html(res, 413, 'Request too large');
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) fields[k] = v;
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      return html(res, 405, 'Method not allowed');
    }
    const ar: AuthorizeRequest = {
      client_id: fields.client_id ?? '',
      response_type: fields.response_type ?? '',
      redirect_uri: fields.redirect_uri || undefined,
      state: fields.state,
    };
    const app = core.store.apps.get(ar.client_id);
    if (!app) return html(res, 400, 'Unknown client_id.');
    if (ar.response_type !== 'code' && ar.response_type !== 'token') return html(res, 400, "response_type must be 'code' or 'token'.");
    if (ar.response_type === 'token' && !ar.redirect_uri) return html(res, 400, 'redirect_uri is required for the token flow.');
    if (ar.redirect_uri && !webUrl(ar.redirect_uri)) return html(res, 400, 'redirect_uri must be an http: or https: URL.');
    if (ar.redirect_uri && !redirectAllowed(app, ar.redirect_uri)) return html(res, 400, 'redirect_uri is not registered for this app.');

    const cookieUser = sessionUser(core, parseCookies(req.headers.cookie).auth);
    if (req.method !== 'POST') return form(res, app, ar, cookieUser, undefined);

    if (fields.deny !== undefined) {
      if (!ar.redirect_uri) return html(res, 200, 'Access denied.');
      return redirect(res, ar, { error: 'access_denied' });
    }
    let user: UserRec | undefined = cookieUser;
    let setCookie: string | undefined;
    if (fields.username !== undefined || fields.password !== undefined || !user) {
      const addr = req.socket.remoteAddress ?? '127.0.0.1';
      try {
        user = core.auth.passwordLogin(addr, fields.username ?? '', (u) => u.password === fields.password);
      } catch (e) {
        if (e instanceof ApiError && e.code === 4000)
          return form(res, app, ar, undefined, 'Too many login tries from this IP address.', 429);
        return form(res, app, ar, undefined, 'Log in failed.', 401);
      }
      const token = core.store.createToken(user.userid, 'auth', 'oauth2 authorize page');
      setCookie = `auth=${token.token}; Path=/; HttpOnly; SameSite=Lax`;
    }
    if (!user) return form(res, app, ar, undefined, 'Log in failed.', 401);
    if (ar.response_type === 'code') {
      const code = core.auth.issueCode({ clientId: app.client_id, userid: user.userid, redirectUri: ar.redirect_uri });
      if (!ar.redirect_uri) return html(res, 200, `Your authorization code: <code id="code">${esc(code)}</code>`, setCookie);
      return redirect(res, ar, { code, locationid: String(core.server.locationid), hostname: core.server.apiHost }, setCookie);
    }
    const token = core.store.createToken(user.userid, 'oauth', `oauth2 app ${app.name}`, app.client_id);
    return redirect(
      res,
      ar,
      {
        access_token: token.token,
        token_type: 'bearer',
        uid: String(user.userid),
        locationid: String(core.server.locationid),
        hostname: core.server.apiHost,
      },
      setCookie,
    );
  };
}

function sessionUser(core: EmulatorCore, token: string | undefined): UserRec | undefined {
  if (!token) return undefined;
  const rec = core.store.useToken(token);
  return rec ? core.store.users.get(rec.userid) : undefined;
}

/**
 * Sends the browser back to the app: in the query for the code flow, in the
 * fragment for the token flow, and always with the app's `state` (approvals
 * and refusals alike, as OAuth 2.0 asks).
 */
function redirect(res: ServerResponse, ar: AuthorizeRequest, answer: Record<string, string>, setCookie?: string): void {
  const target = new URL(ar.redirect_uri!);
  const values = ar.state !== undefined ? { ...answer, state: ar.state } : answer;
  const qs = new URLSearchParams(values).toString();
  let location: string;
  if (ar.response_type === 'token') {
    target.hash = '';
    location = `${target.toString()}#${qs}`;
  } else {
    for (const [k, v] of Object.entries(values)) target.searchParams.set(k, v);
    location = target.toString();
  }
  const headers: Record<string, string> = { ...PAGE_HEADERS, Location: location, 'Content-Length': '0' };
  if (setCookie) headers['Set-Cookie'] = setCookie;
  res.writeHead(302, headers);
  res.end();
}

function html(res: ServerResponse, status: number, message: string, setCookie?: string): void {
  const body = `<!doctype html><html><head><meta charset="utf-8"><title>pcloudkit emulator</title>${ICON}</head><body><p>${message}</p></body></html>`;
  const headers: Record<string, string | number> = {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...PAGE_HEADERS,
  };
  if (setCookie) headers['Set-Cookie'] = setCookie;
  res.writeHead(status, headers);
  res.end(body);
}

function form(
  res: ServerResponse,
  app: AppRec,
  ar: AuthorizeRequest,
  user: UserRec | undefined,
  error: string | undefined,
  status = 200,
): void {
  const hidden = Object.entries(ar)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(String(v))}">`)
    .join('');
  const signIn = user
    ? `<p>Signed in as <b>${esc(user.email)}</b>.</p>`
    : `<p><label>Email <input name="username" type="email" autocomplete="username"></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password"></label></p>`;
  const body = `<!doctype html><html><head><meta charset="utf-8"><title>Authorize ${esc(app.name)} - pcloudkit emulator</title>${ICON}</head>
<body><h1>Authorize ${esc(app.name)}</h1>
<p>The application <b>${esc(app.name)}</b> wants access to your files on this pCloud emulator.</p>
${error ? `<p role="alert" style="color:#b00">${esc(error)}</p>` : ''}
<form method="post" action="/oauth2/authorize">${hidden}${signIn}
<p><button type="submit" name="approve" value="1">Allow</button> <button type="submit" name="deny" value="1">Deny</button></p>
</form></body></html>`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...PAGE_HEADERS,
  });
  res.end(body);
}
