/**
 * Credential providers. OAuth2 access tokens are the main way in; auth tokens
 * and the digest login stay for older accounts and for the emulator.
 */
import { ProtocolError } from './errors.js';
import type { AuthOptions, AuthProvider, ClientRequest, CoreClient } from './types.js';

/** Sends an OAuth2 access token (`Authorization: Bearer`, or the `access_token` param where headers do not exist). */
export function accessTokenAuth(accessToken: string): AuthProvider {
  let token: string | undefined = accessToken;
  return {
    apply(request) {
      if (token) request.bearer = token;
    },
    clear() {
      token = undefined;
    },
  };
}

/** Sends a session token as the `auth` param. */
export function authTokenAuth(authToken: string): AuthProvider {
  let token: string | undefined = authToken;
  return {
    apply(request) {
      if (token) request.params.auth = token;
    },
    clear() {
      token = undefined;
    },
  };
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function sha1Hex(text: string): Promise<string> {
  return hex(await globalThis.crypto.subtle.digest('SHA-1', new TextEncoder().encode(text)));
}

/**
 * The password digest pCloud's current clients send: lowercase hex SHA-1 of
 * `password + sha1hex(lowercase(username)) + digest`. The plain password
 * never leaves the machine.
 */
export async function passwordDigest(username: string, password: string, digest: string): Promise<string> {
  return sha1Hex(password + (await sha1Hex(username.toLowerCase())) + digest);
}

/**
 * Username + password login through `getdigest` and `passworddigest`, done
 * lazily on the first call that needs it; the session token it yields (via
 * `getauth`) is then reused, and renewed once when the server rejects it.
 */
export function passwordAuth(username: string, password: string): AuthProvider & { token(): string | undefined } {
  let token: string | undefined;
  let pending: Promise<string> | undefined;
  const login = async (client: CoreClient): Promise<string> => {
    const { digest } = await client.call<{ digest?: string }>('getdigest', {}, { auth: false, retries: 0 });
    if (typeof digest !== 'string') throw new ProtocolError('getdigest answered without a digest');
    const answer = await client.call<{ auth?: string }>(
      'userinfo',
      { username, digest, passworddigest: await passwordDigest(username, password, digest), getauth: 1 },
      { auth: false, retries: 0 },
    );
    if (typeof answer.auth !== 'string') throw new ProtocolError('login succeeded but the answer carried no auth token');
    return answer.auth;
  };
  return {
    async apply(request: ClientRequest, client: CoreClient) {
      if (!token) {
        pending ??= login(client).finally(() => (pending = undefined));
        token = await pending;
      }
      request.params.auth = token;
    },
    refresh() {
      const had = token !== undefined;
      token = undefined;
      return had;
    },
    clear() {
      token = undefined;
    },
    token: () => token,
  };
}

const AUTH_FORMS = '{ accessToken }, { authToken }, { username, password } or a provider with an apply(request, client) method';

/** A credential string must be a non-empty string; `process.env.X!` of a missing variable is `undefined`. */
function credential(auth: object, name: string, where: string): string {
  const value = (auth as Record<string, unknown>)[name];
  if (typeof value !== 'string' || (name === 'password' ? value : value.trim()) === '') {
    const got = value === undefined ? 'undefined' : value === '' ? 'an empty string' : `a ${value === null ? 'null' : typeof value}`;
    throw new TypeError(`${where}.${name} must be a non-empty string, got ${got} (is the environment variable that should hold it set?)`);
  }
  return value;
}

/**
 * Turns the `auth` option into a provider, checking its shape first so a
 * wrong one fails when the client is made rather than at the first call.
 * `where` names the option in errors.
 */
export function resolveAuth(auth: AuthOptions | undefined | null, where = 'createClient: options.auth'): AuthProvider | undefined {
  if (auth === undefined || auth === null) return undefined;
  if (typeof auth !== 'object' || Array.isArray(auth)) {
    throw new TypeError(`${where} must be ${AUTH_FORMS}; got ${Array.isArray(auth) ? 'an array' : `a ${typeof auth}`}`);
  }
  if ('apply' in auth) {
    if (typeof auth.apply !== 'function') throw new TypeError(`${where}.apply must be a function (a custom credential provider)`);
    return auth;
  }
  if ('accessToken' in auth) return accessTokenAuth(credential(auth, 'accessToken', where));
  if ('authToken' in auth) return authTokenAuth(credential(auth, 'authToken', where));
  if ('username' in auth || 'password' in auth) {
    return passwordAuth(credential(auth, 'username', where), credential(auth, 'password', where));
  }
  const keys = Object.keys(auth);
  throw new TypeError(`${where} must be ${AUTH_FORMS}; got an object with ${keys.length ? `keys ${keys.join(', ')}` : 'no keys'}`);
}
