/**
 * pCloud OAuth 2.0: the `authorize` page and the `oauth2_token` exchange,
 * plus pure helpers to build the page URL, read the redirect and swap a code
 * for a token. A loopback sign-in for Node programs lives in
 * `@pcloudkit/methods-oauth2/node`, the popup and redirect sign-ins for web
 * pages in `@pcloudkit/methods-oauth2/browser`.
 *
 * The two flows:
 *
 * - **Code flow** (servers, CLIs): send the user to {@link authorizeUrl} with
 *   `responseType: 'code'`; pCloud redirects to your `redirect_uri` with
 *   `?code=...&state=...&locationid=...&hostname=...`; read it with
 *   {@link parseRedirect}; swap the code with {@link exchangeCode} on the
 *   user's region (this needs the app secret, so never in a browser).
 * - **Token flow** (browser apps): `responseType: 'token'`; the redirect
 *   carries `#access_token=...` in the fragment, which only the page sees.
 *
 * Always use the region the redirect reports: an EU user's token only works
 * on the EU hosts.
 */
import {
  PcloudError,
  US,
  ValidationError,
  definePlugin,
  hostOrigin,
  methodList,
  type MethodList,
  regionFromHostname,
  regionFromLocationId,
} from '@pcloudkit/core';
import type { CoreClient, Region } from '@pcloudkit/core';
// The same module by its public path, for the types (see tsup.config.ts).
import type * as Methods from '@pcloudkit/methods-oauth2/methods';
import * as methods from './methods.js';
import { oauth2_token } from './methods.js';

/** Where pCloud's authorize page lives. */
export const DEFAULT_AUTHORIZE_ORIGIN = 'https://my.pcloud.com';

// The definitions live in methods.ts, one export per method under its wire name.
export * from './methods.js';

/** Every OAuth2 method, sorted by name. */
export const definitions: MethodList<typeof Methods> = /* @__PURE__ */ methodList(methods);

/** Adds `oauth2_token` (and the `authorize` description) to a client. */
export const oauth2 = /* @__PURE__ */ definePlugin({
  name: 'oauth2',
  methods: definitions,
});

// ---------------------------------------------------------------------------
// Errors

/** Why an OAuth2 step failed. */
export type OAuth2ErrorReason =
  /** The redirect's `state` is not the one you sent (possible forgery). */
  | 'state-mismatch'
  /** The redirect reports an error (for example the user declined). */
  | 'denied'
  /** The redirect carries neither a code nor a token. */
  | 'no-credentials'
  /** The token answer has no usable token. */
  | 'bad-token-answer'
  /** Browser: the popup could not be opened (a popup blocker, or not called from a click). */
  | 'popup-blocked'
  /** Browser: the user closed the popup before the sign-in finished. */
  | 'popup-closed';

/** An OAuth2 sign-in step failed. */
export class OAuth2Error extends PcloudError {
  static readonly kind = Symbol.for('pcloudkit.OAuth2Error');
  override readonly code = 'PCLOUD_OAUTH2_ERROR';
  readonly reason: OAuth2ErrorReason;
  /** For `denied`: the `error` code of the redirect, e.g. `access_denied` when the user pressed Deny. */
  readonly oauthError?: string;

  constructor(reason: OAuth2ErrorReason, message: string, oauthError?: string) {
    super(message);
    // Spelled out: bundlers may rename the class (esbuild gives `_OAuth2Error`), and `name` would follow.
    this.name = 'OAuth2Error';
    Object.defineProperty(this, OAuth2Error.kind, { value: true });
    this.reason = reason;
    if (oauthError !== undefined) this.oauthError = oauthError;
  }
}

// ---------------------------------------------------------------------------
// Helpers

/** Options of {@link authorizeUrl}. */
export interface AuthorizeUrlOptions {
  /** The app's id. */
  clientId: string;
  /** `code` for the code flow (servers, CLIs), `token` for the token flow (browser apps). */
  responseType: 'code' | 'token';
  /** Where pCloud sends the browser afterwards; required for the token flow. */
  redirectUri?: string;
  /** Random value to check on the redirect; strongly advised. */
  state?: string;
  /** Ask again even if the user approved the app before. */
  forceReapprove?: boolean;
  /** Extra permissions, e.g. `['manageshares']`. */
  permissions?: readonly string[];
  /** Origin of the authorize page. Default `https://my.pcloud.com`. */
  authorizeOrigin?: string;
}

function requireString(method: string, name: string, value: unknown, allowEmpty = false): string {
  if (typeof value !== 'string' || (!allowEmpty && value === '')) {
    throw new ValidationError(method, name, `'${name}' must be a non-empty string`);
  }
  return value;
}

/**
 * The URL of pCloud's authorize page (`/oauth2/authorize`) for a flow.
 *
 * @example
 * ```ts
 * const state = crypto.randomUUID();
 * const url = authorizeUrl({ clientId, responseType: 'code', redirectUri: 'https://example.com/cb', state });
 * ```
 */
export function authorizeUrl(options: AuthorizeUrlOptions): string {
  const method = 'authorize';
  const clientId = requireString(method, 'clientId', options?.clientId);
  if (options.responseType !== 'code' && options.responseType !== 'token') {
    throw new ValidationError(
      method,
      'responseType',
      `'responseType' must be 'code' or 'token', got ${JSON.stringify(options.responseType)}`,
    );
  }
  if (options.responseType === 'token' && options.redirectUri === undefined) {
    throw new ValidationError(method, 'redirectUri', "'redirectUri' is required for the token flow");
  }
  const origin = options.authorizeOrigin ?? DEFAULT_AUTHORIZE_ORIGIN;
  let url: URL;
  try {
    url = new URL('/oauth2/authorize', origin);
  } catch {
    throw new ValidationError(method, 'authorizeOrigin', `'authorizeOrigin' is not a valid origin: ${JSON.stringify(origin)}`);
  }
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('response_type', options.responseType);
  if (options.redirectUri !== undefined) url.searchParams.set('redirect_uri', requireString(method, 'redirectUri', options.redirectUri));
  if (options.state !== undefined) url.searchParams.set('state', requireString(method, 'state', options.state));
  if (options.forceReapprove) url.searchParams.set('force_reapprove', '1');
  if (options.permissions !== undefined) {
    if (!Array.isArray(options.permissions) || options.permissions.some((p) => typeof p !== 'string' || p === '' || p.includes(','))) {
      throw new ValidationError(method, 'permissions', "'permissions' must be a list of names");
    }
    if (options.permissions.length) url.searchParams.set('permissions', options.permissions.join(','));
  }
  return url.toString();
}

/** What {@link parseRedirect} reads from the redirect. */
export interface ParsedRedirect {
  /** Code flow: the code for {@link exchangeCode}. */
  code?: string;
  /** Token flow: the access token. */
  accessToken?: string;
  /** Token flow: id of the user. */
  uid?: number;
  state?: string;
  /** 1 US, 2 Europe, when reported. */
  locationid?: number;
  /** API host reported for this user. */
  hostname?: string;
  /**
   * Region to use for this user. A `hostname` that is not one of pCloud's
   * own API hosts (an emulator, a proxy) wins and becomes a custom region;
   * otherwise `locationid` decides; with neither, US.
   */
  region: Region;
}

/** Options of {@link parseRedirect}. */
export interface ParseRedirectOptions {
  /** The state you sent; when given, a different or missing one throws `OAuth2Error` (`state-mismatch`). */
  state?: string;
  /**
   * The client the sign-in runs on (the one you pass to {@link exchangeCode}).
   * A `hostname` that is one of its API hosts gives back its own region, with
   * its scheme and binary hosts; any other custom `hostname` gets its scheme.
   */
  client?: CoreClient;
  /** Scheme for a custom `hostname` without one. Default: the `client`'s scheme, else `https`. */
  hostScheme?: 'https' | 'http';
}

const PCLOUD_API_HOSTS = new Set(['api.pcloud.com', 'eapi.pcloud.com']);

/**
 * The region for a `hostname` that is not one of pCloud's: the client's own
 * region when it is one of the client's API hosts, else a region with that
 * one API host (and no binary host: the redirect names none).
 */
function customRegion(hostname: string, options: ParseRedirectOptions): Region {
  const client = options.client;
  const scheme = options.hostScheme ?? client?.scheme ?? 'https';
  const origin = hostOrigin(hostname, scheme);
  const same = (h: string) => hostOrigin(h, client!.scheme).toLowerCase() === origin.toLowerCase();
  if (client?.region.api.some(same)) return client.region;
  const custom = regionFromHostname(hostname);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(hostname) || scheme === 'https' ? custom : { ...custom, api: [origin] };
}

function toInt(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/**
 * Reads the redirect pCloud sent the browser to: the query string for the
 * code flow, the fragment for the token flow.
 *
 * @throws OAuth2Error `state-mismatch` when `options.state` is given and does not match;
 *   `denied` when the redirect carries an `error`; `no-credentials` when it has neither code nor token.
 *
 * @example
 * ```ts
 * const { code, region } = parseRedirect(request.url, { state: expectedState });
 * // against an emulator or a proxy, pass the client you sign in with: its scheme and hosts are kept
 * const redirect = parseRedirect(request.url, { state: expectedState, client });
 * ```
 */
export function parseRedirect(url: string | URL, options: ParseRedirectOptions = {}): ParsedRedirect {
  let parsed: URL;
  try {
    parsed = new URL(String(url), 'http://localhost');
  } catch {
    throw new ValidationError('authorize', 'url', `not a URL: ${JSON.stringify(String(url))}`);
  }
  const values = new URLSearchParams(parsed.search);
  // Token flow values live in the fragment; they win over the query.
  for (const [k, v] of new URLSearchParams(parsed.hash.replace(/^#/, ''))) values.set(k, v);
  const get = (name: string) => {
    const v = values.get(name);
    return v === null || v === '' ? undefined : v;
  };

  // An error redirect carries no credentials, so it is reported as such even
  // when its state is missing (some servers leave it out of error redirects).
  const error = get('error');
  if (error !== undefined) {
    const description = get('error_description');
    throw new OAuth2Error('denied', `authorization failed: ${error}${description ? ` (${description})` : ''}`, error);
  }
  const state = get('state');
  if (options.state !== undefined && state !== options.state) {
    throw new OAuth2Error('state-mismatch', 'the redirect does not carry the state that was sent; the sign-in may be forged');
  }
  const code = get('code');
  const accessToken = get('access_token');
  if (code === undefined && accessToken === undefined) {
    throw new OAuth2Error('no-credentials', 'the redirect carries neither a code nor an access token');
  }

  const locationid = toInt(values.get('locationid'));
  const hostname = get('hostname');
  let region: Region;
  if (hostname !== undefined && !PCLOUD_API_HOSTS.has(hostname.toLowerCase())) {
    region = customRegion(hostname, options);
  } else if (locationid !== undefined) {
    region = regionFromLocationId(locationid);
  } else if (hostname !== undefined) {
    region = regionFromHostname(hostname.toLowerCase());
  } else {
    region = US;
  }

  const out: ParsedRedirect = { region };
  if (code !== undefined) out.code = code;
  if (accessToken !== undefined) out.accessToken = accessToken;
  const uid = toInt(values.get('uid'));
  if (uid !== undefined) out.uid = uid;
  if (state !== undefined) out.state = state;
  if (locationid !== undefined) out.locationid = locationid;
  if (hostname !== undefined) out.hostname = hostname;
  return out;
}

/** Options of {@link exchangeCode}. */
export interface ExchangeCodeOptions {
  clientId: string;
  clientSecret: string;
  /** The code from the redirect. */
  code: string;
  /** Abort the call. */
  signal?: AbortSignal;
}

/** What {@link exchangeCode} resolves to. */
export interface ExchangedToken {
  accessToken: string;
  /** Id of the user who approved the app. */
  uid: number;
  /** 1 US, 2 Europe; from the answer when present, else from the client's region. */
  locationid?: number;
  /** Region the token belongs to. */
  region: Region;
}

/**
 * Code flow, second step: calls `oauth2_token` on `client` and returns the
 * token. Make `client` on the region the redirect reported (its transport is
 * all that matters; credentials are not sent).
 *
 * @example
 * ```ts
 * const { code, region } = parseRedirect(callbackUrl, { state });
 * const client = createClient({ transport: httpTransport(), region });
 * const { accessToken } = await exchangeCode(client, { clientId, clientSecret, code: code! });
 * ```
 */
export async function exchangeCode(client: CoreClient, options: ExchangeCodeOptions): Promise<ExchangedToken> {
  const answer = await oauth2_token(
    client,
    { client_id: options.clientId, client_secret: options.clientSecret, code: options.code },
    { signal: options.signal, retries: 0 },
  );
  if (typeof answer?.access_token !== 'string' || answer.access_token === '') {
    throw new OAuth2Error('bad-token-answer', 'oauth2_token answered without an access_token');
  }
  const reported = typeof answer.locationid === 'number' ? answer.locationid : undefined;
  // A custom host list (emulator, proxy) has no locationid: keep it as is.
  const region = client.region.locationid !== undefined && reported !== undefined ? regionFromLocationId(reported) : client.region;
  const out: ExchangedToken = { accessToken: answer.access_token, uid: Number(answer.uid), region };
  const locationid = reported ?? client.region.locationid;
  if (locationid !== undefined) out.locationid = locationid;
  return out;
}
