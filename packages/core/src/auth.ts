/**
 * Credential providers. OAuth2 access tokens are the main way in; auth tokens
 * and the digest login stay for older accounts and for the emulator.
 */
import { TransportError } from './errors.js';
import { describeValue } from './regions.js';
import type { passwordAuth } from './password.js';
import type { AuthOptions, AuthProvider } from './types.js';

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

/**
 * {@link passwordAuth} for `{ username, password }` options: the login code
 * (digest, SHA-1) is loaded on the first call that needs credentials, so
 * apps that sign in with a token do not carry it.
 */
function lazyPasswordAuth(username: string, password: string): AuthProvider {
  let provider: ReturnType<typeof passwordAuth> | undefined;
  return {
    async apply(request, client) {
      // In a bundle split into chunks this fetches one, which fails when the network is down: a network failure of the call.
      const login = await import('./password.js').catch((error: unknown) => {
        throw new TransportError(`could not load a part of @pcloudkit/core: ${String(error)}`, { cause: error });
      });
      provider ??= login.passwordAuth(username, password);
      await provider.apply(request, client);
    },
    refresh: (client) => provider?.refresh?.(client) ?? false,
    clear: () => provider?.clear?.(),
  };
}

const AUTH_FORMS = '{ accessToken }, { authToken }, { username, password } or a provider with an apply(request, client) method';

/** A credential string must be a non-empty string; `process.env.X!` of a missing variable is `undefined`. */
function credential(auth: object, name: string, where: string): string {
  const value = (auth as Record<string, unknown>)[name];
  if (typeof value !== 'string' || (name === 'password' ? value : value.trim()) === '') {
    throw new TypeError(
      `${where}.${name} must be a non-empty string, got ${describeValue(value)} (is the environment variable that should hold it set?)`,
    );
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
    if (typeof auth.apply !== 'function') throw new TypeError(`${where}.apply must be a function`);
    return auth;
  }
  if ('accessToken' in auth) return accessTokenAuth(credential(auth, 'accessToken', where));
  if ('authToken' in auth) return authTokenAuth(credential(auth, 'authToken', where));
  if ('username' in auth || 'password' in auth) {
    return lazyPasswordAuth(credential(auth, 'username', where), credential(auth, 'password', where));
  }
  const keys = Object.keys(auth);
  throw new TypeError(`${where} must be ${AUTH_FORMS}; got an object with ${keys.length ? `keys ${keys.join(', ')}` : 'no keys'}`);
}
