import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CATALOG } from './catalog.js';
import { ConnectionState } from './connection.js';
import { CallContext, DataReply, type Handler, type MethodGroup, type TransportInfo, type UploadPart } from './context.js';
import { ApiError, DropConnection, errorMessage } from './errors.js';
import { FaultRules } from './faults.js';
import type { Body, Value } from './json.js';
import { Params, type RawParam } from './params.js';
import type { Store, TokenRec, UserRec } from './store.js';

/** A call as any transport hands it to the dispatcher. */
export interface DispatchCall {
  method: string;
  params: Record<string, RawParam>;
  /** Uploaded files (multipart parts, in order). */
  files?: AsyncIterable<UploadPart>;
  /** Raw request payload (HTTP PUT body, binary-protocol data). */
  data?: Readable;
  /** Optional transport facts (upload size, device name, bearer token...). */
  transport?: TransportInfo & { bearer?: string };
}

/** Raw bytes that follow (or replace) the reply object. */
export interface DispatchData {
  stream: Readable;
  length: number;
  contentType: string;
  filename?: string;
}

export interface DispatchResult {
  body: Body;
  data?: DispatchData;
}

export interface CoreOptions {
  digestTtlMs: number;
  loginFailureLimit: number;
  loginFailureWindowMs: number;
  linkTtlMs: number;
  oauthCodeTtlMs: number;
}

export interface ContentLink {
  userid: number;
  fileid: number;
  blob: string;
  size: number;
  name: string;
  contenttype: string;
  kind: 'file' | 'audio' | 'video' | 'hls';
  forcedownload: boolean;
  contenttypeOverride?: string;
  maxspeed?: number;
  expires: number;
  /** hls: path of the link that serves the media itself. */
  segmentPath?: string;
}

export interface UploadProgress {
  total: number;
  uploaded: () => number;
  currentfile?: string;
  currentfileuploaded?: number;
  filenumber: number;
  files: Value[];
  finished: boolean;
  /** For server-side URL downloads. */
  urls?: { url: string; status: string; size: number; downloaded: number; metadata?: Value }[];
}

/**
 * Transport-neutral heart of the emulator: owns the store, the method table
 * and the dispatcher. Transports (HTTP JSON here, the binary port later)
 * parse bytes into `DispatchCall`s and encode the returned `DispatchResult`.
 */
export class EmulatorCore {
  readonly faults = new FaultRules();
  readonly methods = new Map<string, Handler>();
  readonly digests = new Map<string, number>();
  readonly loginFailures = new Map<string, number[]>();
  readonly oauthCodes = new Map<string, { clientId: string; userid: number; expires: number; redirectUri: string | undefined }>();
  readonly links = new Map<string, ContentLink>();
  readonly progress = new Map<string, UploadProgress>();
  readonly feedback: { mail: string; reason: string; message: string; name?: string }[] = [];
  apiHost = '';
  /** Data region the emulator plays: 1 = US (md5 checksums), 2 = EU (sha256 checksums). */
  locationid: 1 | 2 = 1;
  apiScheme: 'http' | 'https' = 'http';
  contentHosts: string[] = [];
  binapiHost: string | undefined;

  constructor(
    readonly store: Store,
    readonly options: CoreOptions,
  ) {}

  /** Adds a method group (name -> handler). Later registrations win. */
  register(group: MethodGroup): void {
    for (const [name, h] of Object.entries(group)) this.methods.set(name, h);
  }

  /** Whether the method needs a logged-in user (catalogue; true for unknown names). */
  needsAuth(method: string): boolean {
    return CATALOG[method]?.auth ?? true;
  }

  /**
   * Serves one call. Calls of one connection run strictly in order; a new
   * call releases a blocking one (diff with block) on the same connection.
   * Rejects with DropConnection when the transport should close the
   * connection instead of answering (unknown method).
   */
  dispatch(conn: ConnectionState, call: DispatchCall): Promise<DispatchResult> {
    conn.interruptBlocking();
    if (!this.methods.has(call.method) && !(call.method in CATALOG)) {
      return Promise.reject(new DropConnection(`unknown method ${call.method}`));
    }
    return conn.serial(() => this.run(conn, call));
  }

  private async run(conn: ConnectionState, call: DispatchCall): Promise<DispatchResult> {
    const params = new Params(call.params);
    const idEcho = params.str('id');
    const c = new CallContext(this, conn, call.method, params, call.files, call.data, call.transport ?? {});
    try {
      const delay = this.faults.delayFor(call.method);
      if (delay > 0) await sleep(delay, conn.closeSignal);
      const failCode = this.faults.takeFailure(call.method);
      if (failCode !== undefined) throw new ApiError(failCode);
      this.applyGlobals(c);
      const handler = this.methods.get(call.method);
      await this.authenticate(c, call.transport?.bearer);
      if (!handler) throw new ApiError(5000, { emulator: `method ${call.method} is not implemented by the emulator` });
      if (this.needsAuth(call.method) && !c.user) throw new ApiError(1000);
      const out = await handler(c);
      if (out instanceof DataReply) {
        return {
          body: { result: 0, ...out.body, ...(idEcho !== undefined ? { id: idEcho } : {}) },
          data: { stream: out.stream, length: out.length, contentType: out.contentType, ...(out.filename !== undefined ? { filename: out.filename } : {}) },
        };
      }
      const body: Body = { result: 0, ...out };
      if (params.flag('getauth') && c.user && !('auth' in out)) body.auth = this.tokenForReply(c);
      if (idEcho !== undefined) body.id = idEcho;
      return { body };
    } catch (e) {
      if (e instanceof DropConnection) throw e;
      const err = e instanceof ApiError ? e : new ApiError(5000);
      if (!(e instanceof ApiError)) console.error('[emulator] internal error in', call.method, e);
      const body: Body = { result: err.code, error: errorMessage(err.code), ...((err.extra ?? {}) as Body) };
      if (idEcho !== undefined) body.id = idEcho;
      return { body };
    }
  }

  private applyGlobals(c: CallContext): void {
    const p = c.params;
    const setFilter = (name: string): Set<string> | undefined | null => {
      if (!p.has(name)) return null;
      const list = p.list(name) ?? [];
      if (list.length === 0 || (list.length === 1 && list[0] === '0')) return undefined;
      return new Set(list);
    };
    const fm = setFilter('filtermeta');
    if (fm !== null) c.conn.filterMeta = fm;
    const ffm = setFilter('filterfilemeta');
    if (ffm !== null) c.conn.filterFileMeta = ffm;
    const fdm = setFilter('filterfoldermeta');
    if (fdm !== null) c.conn.filterFolderMeta = fdm;
    if (p.flag('logout')) {
      c.conn.userid = undefined;
      c.conn.authToken = undefined;
    }
  }

  private tokenForReply(c: CallContext): string {
    if (c.token && c.token.kind === 'auth') return c.token.token;
    const rec = this.store.createToken(c.user!.userid, 'auth', c.transport.device ?? 'pcloudkit-emulator client');
    return rec.token;
  }

  /** Resolves the caller from the connection or the call's credentials. */
  private async authenticate(c: CallContext, bearer: string | undefined): Promise<void> {
    const p = c.params;
    const conn = c.conn;
    if (conn.stickyAuth && conn.userid !== undefined) {
      const u = this.store.users.get(conn.userid);
      if (u) {
        c.user = u;
        if (conn.authToken) c.token = this.store.tokens.get(conn.authToken);
        return;
      }
      conn.userid = undefined;
    }
    const entry = CATALOG[c.method];
    // methods that document no login errors (getapiserver, getip, oauth2_token) ignore credentials
    const checksCredentials = !entry || entry.auth || entry.errors.includes(2000);
    if (!checksCredentials) return;
    const auth = p.str('auth');
    const accessToken = p.str('access_token') ?? bearer;
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
      this.checkRateLimit(conn.remoteAddress);
      const u = this.store.userByEmail(username);
      const ok = u !== undefined && this.checkPassword(u, p);
      if (!ok) {
        this.recordFailure(conn.remoteAddress);
        throw new ApiError(2000);
      }
      user = u;
    } else {
      return;
    }
    if (!user) throw new ApiError(2000);
    c.user = user;
    c.token = token;
    c.freshLogin = true;
    if (conn.stickyAuth) {
      conn.userid = user.userid;
      conn.authToken = token?.token;
    }
  }

  private checkPassword(u: UserRec, p: Params): boolean {
    const password = p.str('password');
    if (password !== undefined) return password === u.password;
    const md5 = p.str('passwordmd5');
    if (md5 !== undefined) return md5.toLowerCase() === createHash('md5').update(u.password).digest('hex');
    const digest = p.str('digest');
    const pd = p.str('passworddigest');
    if (digest !== undefined && pd !== undefined) {
      const exp = this.digests.get(digest);
      if (exp === undefined) return false;
      this.digests.delete(digest); // single use
      if (Date.now() > exp) return false;
      return pd.toLowerCase() === passwordDigest(u.password, u.email, digest);
    }
    return false;
  }

  checkRateLimit(addr: string): void {
    const list = this.recentFailures(addr);
    if (list.length >= this.options.loginFailureLimit) throw new ApiError(4000);
  }

  recordFailure(addr: string): void {
    const list = this.recentFailures(addr);
    list.push(Date.now());
    this.loginFailures.set(addr, list);
  }

  private recentFailures(addr: string): number[] {
    const cutoff = Date.now() - this.options.loginFailureWindowMs;
    const list = (this.loginFailures.get(addr) ?? []).filter((t) => t > cutoff);
    this.loginFailures.set(addr, list);
    return list;
  }

  newDigest(): { digest: string; expires: number } {
    const now = Date.now();
    for (const [d, exp] of this.digests) if (exp < now) this.digests.delete(d);
    const digest = randomBytes(20).toString('hex');
    const expires = now + this.options.digestTtlMs;
    this.digests.set(digest, expires);
    return { digest, expires };
  }

  /** Registers a content-server link and returns its path. */
  addLink(link: ContentLink, skipFilename: boolean, nameOverride?: string): string {
    const now = Date.now();
    if (this.links.size > 10_000) for (const [k, l] of this.links) if (l.expires < now) this.links.delete(k);
    const key = randomBytes(18).toString('base64url');
    this.links.set(key, link);
    return skipFilename ? `/${key}` : `/${key}/${encodeURIComponent(nameOverride ?? link.name)}`;
  }

  /** Region-specific digests, as pCloud sends them: sha1 plus md5 (US) or sha256 (EU). */
  checksums(info: { sha1: string; md5: string; sha256: string }): { sha1: string; md5?: string; sha256?: string } {
    return this.locationid === 2 ? { sha1: info.sha1, sha256: info.sha256 } : { sha1: info.sha1, md5: info.md5 };
  }

  /** Hosts the `getapiserver` method answers. */
  apiServers(): { api: string[]; binapi: string[] } {
    return {
      api: this.faults.apiOverride ?? [this.apiHost],
      binapi: this.faults.binapiOverride ?? [this.binapiHost ?? this.apiHost],
    };
  }
}

/** passworddigest = sha1hex(password + sha1hex(lowercase(username)) + digest). */
export function passwordDigest(password: string, username: string, digest: string): string {
  const userHash = createHash('sha1').update(username.toLowerCase()).digest('hex');
  return createHash('sha1').update(password + userHash + digest).digest('hex');
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export { ConnectionState };
