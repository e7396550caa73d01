/**
 * pCloud account methods: sign up and confirm the address, change or reset
 * the password, change the address, invitations, auth tokens, and closing
 * the account.
 *
 * Each method is a definition made with core's `defineMethod`. Use them as
 * standalone functions (`listtokens(client)`) or add the {@link account}
 * plugin to a client (`client.use(account)`), which also adds
 * `client.tokens`: list the account's tokens, revoke one, or revoke all but
 * the one in use.
 */
import {
  ApiError,
  type CallOptions,
  type CoreClient,
  definePlugin,
  methodList,
  type MethodList,
  ProtocolError,
  ValidationError,
} from '@pcloudkit/core';
// The same module by its public path, for the types (see tsup.config.ts).
import type * as Methods from '@pcloudkit/methods-auth/methods';
import * as methods from './methods.js';
import type { AuthTokenInfo } from './methods.js';

// The definitions live in methods.ts, one export per method under its wire name.
export * from './methods.js';

/** Every account method, sorted by name (`logout` included). */
export const definitions: MethodList<typeof Methods> = /* @__PURE__ */ methodList(methods);

// ---------------------------------------------------------------------------
// Token management

/** The account's live auth tokens (`listtokens`), oldest first as the server lists them. */
export async function listTokens(client: CoreClient, options?: CallOptions): Promise<AuthTokenInfo[]> {
  const { tokens } = await methods.listtokens(client, {}, options);
  if (!Array.isArray(tokens)) throw new ProtocolError(`listtokens: expected a tokens array, got ${typeof tokens}`);
  return tokens;
}

/** Revokes one token by its `tokenid` (`deletetoken`). Revoking the token in use signs this client out. */
export async function revokeToken(client: CoreClient, tokenid: number, options?: CallOptions): Promise<void> {
  await methods.deletetoken(client, { tokenid }, options);
}

/** Options of {@link revokeOtherTokens}. */
export interface RevokeOthersOptions extends CallOptions {
  /**
   * The `tokenid` to keep. Without it, the token `listtokens` marks as
   * `current` is kept; when none is marked (a server that does not send the
   * field, or a client signed in with an OAuth access token, which is not an
   * auth token) the call fails with a `ProtocolError` rather than guess.
   */
  keep?: number;
}

/**
 * Revokes every auth token of the account except the one in use (or
 * `keep`): signs the user out of every other device and program. Resolves to
 * the tokens it revoked; a token that vanished meanwhile (2102) is skipped.
 */
export async function revokeOtherTokens(client: CoreClient, options: RevokeOthersOptions = {}): Promise<AuthTokenInfo[]> {
  const { keep, ...call } = options;
  if (keep !== undefined && (!Number.isSafeInteger(keep) || keep < 0)) {
    throw new ValidationError('deletetoken', 'tokenid', `'keep' must be a tokenid (a non-negative integer), got ${String(keep)}`);
  }
  const tokens = await listTokens(client, call);
  let kept = keep;
  if (kept === undefined) {
    const current = tokens.filter((t) => t.current === true);
    if (current.length !== 1) {
      throw new ProtocolError(
        `listtokens: ${current.length === 0 ? 'no token is' : 'several tokens are'} marked as the current one, so the one in use is unknown; pass { keep: tokenid }`,
      );
    }
    kept = current[0]!.tokenid;
  }
  const revoked: AuthTokenInfo[] = [];
  for (const token of tokens) {
    if (token.tokenid === kept) continue;
    try {
      await methods.deletetoken(client, { tokenid: token.tokenid }, call);
      revoked.push(token);
    } catch (e) {
      if (!(e instanceof ApiError && e.result === 2102)) throw e;
    }
  }
  return revoked;
}

/** The helpers the {@link account} plugin adds as `client.tokens`. */
export interface TokenHelpers {
  /** {@link listTokens}: the account's live auth tokens. */
  list(options?: CallOptions): Promise<AuthTokenInfo[]>;
  /** {@link revokeToken}: revokes one token by its `tokenid`. */
  revoke(tokenid: number, options?: CallOptions): Promise<void>;
  /** {@link revokeOtherTokens}: revokes all but the token in use (or `keep`); resolves to those revoked. */
  revokeOthers(options?: RevokeOthersOptions): Promise<AuthTokenInfo[]>;
}

function helpers(client: CoreClient): { tokens: TokenHelpers } {
  return {
    tokens: {
      list: (options) => listTokens(client, options),
      revoke: (tokenid, options) => revokeToken(client, tokenid, options),
      revokeOthers: (options) => revokeOtherTokens(client, options),
    },
  };
}

// `logout` stays out of the plugin: every client already has `client.logout()`
// (core), which calls it and also forgets the client's credentials. The
// standalone `logout(client)` gives the raw answer (`auth_deleted`).
const { logout: _logout, ...pluginMethods } = methods;

/**
 * Adds the account methods (all but `logout`, see `client.logout()`), plus
 * `client.tokens`, to a client: `createClient(...).use(account)`.
 */
export const account = /* @__PURE__ */ definePlugin({
  name: 'account',
  methods: /* @__PURE__ */ methodList(pluginMethods) as MethodList<Omit<typeof Methods, 'logout'>>,
  extend: helpers,
});
