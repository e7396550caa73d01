/**
 * Username + password login: the digest pCloud's clients send and the
 * provider that logs in with it. Kept apart from auth.ts so that apps using
 * a token never load it (auth.ts imports it on first use).
 */
import { ProtocolError } from './errors.js';
import type { AuthProvider, ClientRequest, CoreClient } from './types.js';

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
