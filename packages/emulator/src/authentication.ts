import { createHash, randomBytes } from 'node:crypto';
import type { ConnectionState } from './connection.js';
import { ApiError } from './errors.js';
import type { Params } from './params.js';
import type { Store, TokenRec, UserRec } from './store.js';

export interface AuthOptions {
  /** Lifetime of a `getdigest` digest. */
  digestTtlMs: number;
  /** Failed logins per account and address within `loginFailureWindowMs` before 4000. */
  loginFailureLimit: number;
  loginFailureWindowMs: number;
  /** Lifetime of an OAuth2 authorization code. */
  oauthCodeTtlMs: number;
  /** Clock in epoch milliseconds (default `Date.now`). */
  now?: () => number;
}

/** Key in `ConnectionState.extra` of the session generation a sticky password login belongs to. */
const SESSION = 'auth:session';

/** The caller of one call, as `identify` resolved it. */
export interface Login {
  user: UserRec;
  /** Token used to log in (auth or OAuth), if it was a token. */
  token: TokenRec | undefined;
  /** True when this call carried the credentials (not a sticky connection login). */
  fresh: boolean;
}

/** What an OAuth2 authorization code stands for until it is redeemed. */
export interface OAuthGrant {
  clientId: string;
  userid: number;
  redirectUri: string | undefined;
  expires: number;
}

/**
 * Everything about who a caller is: logins by token or password, digests,
 * the login failure limit (per account and address) and OAuth2 authorization codes.
 * Accounts and tokens themselves live in the store.
 */
export class Authenticator {
  private readonly digests = new Map<string, number>();
  private readonly failures = new Map<string, number[]>();
  private readonly codes = new Map<string, OAuthGrant>();
  private readonly sessions = new Map<number, number>();
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly options: AuthOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Resolves the caller: the connection's sticky login first, then (when
   * `checkCredentials`) `auth`, `access_token` / bearer, or `username` with
   * `password`, `passwordmd5` or `digest` + `passworddigest`. Undefined when
   * the call carries no credentials; ApiError 2000/2094/4000 when they are
   * wrong. A fresh login sticks to a sticky connection.
   */
  identify(conn: ConnectionState, p: Params, opts: { bearer?: string | undefined; checkCredentials: boolean }): Login | undefined {
    if (conn.stickyAuth && conn.userid !== undefined) {
      const u = this.store.users.get(conn.userid);
      // a connection's login ends with its account, its token (logout, deletetoken) or its session (changepassword)
      const token = conn.authToken !== undefined ? this.store.useToken(conn.authToken) : undefined;
      const alive = u && (conn.authToken === undefined ? conn.extra.get(SESSION) === this.session(u.userid) : token !== undefined);
      if (u && alive) return { user: u, token, fresh: false };
      this.logout(conn);
    }
    if (!opts.checkCredentials) return undefined;
    const auth = p.str('auth');
    const accessToken = p.str('access_token') ?? opts.bearer;
    const username = p.str('username');
    let user: UserRec | undefined;
    let token: TokenRec | undefined;
    if (auth !== undefined) {
      token = this.store.useToken(auth);
      if (!token) throw new ApiError(2000);
      user = this.store.users.get(token.userid);
    } else if (accessToken !== undefined) {
      token = this.store.useToken(accessToken);
      if (!token) throw new ApiError(2094);
      user = this.store.users.get(token.userid);
    } else if (username !== undefined) {
      user = this.passwordLogin(conn.remoteAddress, username, (u) => this.checkPassword(u, p));
    } else {
      return undefined;
    }
    if (!user) throw new ApiError(2000);
    if (conn.stickyAuth) {
      conn.userid = user.userid;
      conn.authToken = token?.token;
      conn.extra.set(SESSION, this.session(user.userid));
    }
    return { user, token, fresh: true };
  }

  /** Session generation of a user: connections logged in by password before the last bump are logged out. */
  private session(userid: number): number {
    return this.sessions.get(userid) ?? 0;
  }

  /**
   * Ends every session of a user but the one on `keep`: password logins that
   * stick to other connections end at their next call; tokens are revoked by
   * the caller (the store), which ends the connections that logged in with them.
   */
  endOtherSessions(userid: number, keep: ConnectionState | undefined): void {
    const next = this.session(userid) + 1;
    this.sessions.set(userid, next);
    if (keep?.userid === userid) keep.extra.set(SESSION, next);
  }

  /**
   * A login by password from `addr`: 4000 while this account is over its
   * failure limit from this address, 2000 (counted as a failure) when
   * `check` refuses.
   *
   * The limit counts per account and address, like pCloud's 4000: failures
   * on one account block neither the other accounts used from the same
   * address nor the account's owner elsewhere. From the address that failed,
   * the right password is refused too until the window passes (letting it
   * through would tell a guesser which guess was right).
   */
  passwordLogin(addr: string, username: string, check: (u: UserRec) => boolean): UserRec {
    const key = failureKey(addr, username);
    if (this.recentFailures(key).length >= this.options.loginFailureLimit) throw new ApiError(4000);
    const u = this.store.userByEmail(username);
    if (u === undefined || !check(u)) {
      this.failures.set(key, [...this.recentFailures(key), this.now()]);
      throw new ApiError(2000);
    }
    return u;
  }

  /**
   * A password check outside a login (changepassword, changemail,
   * deactivateuser) under the same per-address limit: 4000 while `addr` is
   * over it; a wrong password answers `wrongCode` and counts as a failure.
   */
  confirmPassword(addr: string, user: UserRec, password: string, wrongCode: number): void {
    const key = failureKey(addr, user.email);
    if (this.recentFailures(key).length >= this.options.loginFailureLimit) throw new ApiError(4000);
    if (password === user.password) return;
    this.failures.set(key, [...this.recentFailures(key), this.now()]);
    throw new ApiError(wrongCode);
  }

  /** Forgets the connection's sticky login. */
  logout(conn: ConnectionState): void {
    conn.userid = undefined;
    conn.authToken = undefined;
    conn.extra.delete(SESSION);
  }

  /** The `auth` token a `getauth=1` answer carries: the one used, else a new one. */
  tokenForReply(login: Login, device: string): string {
    if (login.token && login.token.kind === 'auth') return login.token.token;
    return this.store.createToken(login.user.userid, 'auth', device).token;
  }

  /** A new single-use digest for `passworddigest` logins. */
  newDigest(): { digest: string; expires: number } {
    const now = this.now();
    for (const [d, exp] of this.digests) if (exp < now) this.digests.delete(d);
    const digest = randomBytes(20).toString('hex');
    const expires = now + this.options.digestTtlMs;
    this.digests.set(digest, expires);
    return { digest, expires };
  }

  /** Uses up a digest: true when it was issued and has not expired. */
  takeDigest(digest: string): boolean {
    const exp = this.digests.get(digest);
    if (exp === undefined) return false;
    this.digests.delete(digest);
    return this.now() <= exp;
  }

  /** Issues a single-use authorization code for the OAuth2 code flow. */
  issueCode(grant: Omit<OAuthGrant, 'expires'>): string {
    const code = randomBytes(16).toString('base64url');
    this.codes.set(code, { ...grant, expires: this.now() + this.options.oauthCodeTtlMs });
    return code;
  }

  /** Redeems a code for `clientId`: 2012 when unknown, used or another app's; 2074 when expired. */
  redeemCode(code: string, clientId: string): OAuthGrant {
    const grant = this.codes.get(code);
    if (!grant || grant.clientId !== clientId) throw new ApiError(2012);
    this.codes.delete(code);
    if (this.now() > grant.expires) throw new ApiError(2074);
    return grant;
  }

  private checkPassword(u: UserRec, p: Params): boolean {
    const password = p.str('password');
    if (password !== undefined) return password === u.password;
    const md5 = p.str('passwordmd5');
    if (md5 !== undefined) return md5.toLowerCase() === createHash('md5').update(u.password).digest('hex');
    const digest = p.str('digest');
    const pd = p.str('passworddigest');
    if (digest !== undefined && pd !== undefined) {
      return this.takeDigest(digest) && pd.toLowerCase() === passwordDigest(u.password, u.email, digest);
    }
    return false;
  }

  /** Failure times under `key` (an account at an address) within the window; older ones are forgotten. */
  private recentFailures(key: string): number[] {
    const cutoff = this.now() - this.options.loginFailureWindowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length > 0) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }
}

/** What the login failure limit counts under: the account (as typed, case folded) at the address. */
function failureKey(addr: string, username: string): string {
  return `${addr}\n${username.trim().toLowerCase()}`;
}

/** passworddigest = sha1hex(password + sha1hex(lowercase(username)) + digest). */
export function passwordDigest(password: string, username: string, digest: string): string {
  const userHash = createHash('sha1').update(username.toLowerCase()).digest('hex');
  return createHash('sha1')
    .update(password + userHash + digest)
    .digest('hex');
}
