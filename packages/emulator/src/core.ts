import type { Readable } from 'node:stream';
import { findMethod } from '@pcloudkit/catalog';
import { Authenticator, type AuthOptions } from './authentication.js';
import { ConnectionState } from './connection.js';
import { CallContext, currentCall, DataReply, type Handler, type MethodGroup, type TransportInfo, type UploadPart } from './context.js';
import { ApiError, DropConnection, errorMessage } from './errors.js';
import { FaultRules } from './faults.js';
import type { Body, Value } from './json.js';
import { LinkRegistry } from './link-registry.js';
import { Outbox, type OutboxOptions } from './mail.js';
import { Params, type RawParam } from './params.js';
import type { ServerInfo } from './server-info.js';
import type { Store } from './store.js';

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

export interface CoreOptions extends AuthOptions {
  /** Lifetime of content-server links. */
  linkTtlMs: number;
  /** The outbox: how many mails it keeps and the per-address rate limit of mail-sending methods. */
  mail?: OutboxOptions;
  /** Lifetime of the codes mails carry (default 24 hours). */
  mailCodeTtlMs?: number;
  /** downloadfile may fetch from loopback, private and link-local addresses (default false). */
  allowPrivateDownloads?: boolean;
  /** How downloadfile resolves a host name (default node:dns `lookup`, every address); for tests. */
  resolveHost?: ResolveHost;
}

/** Every address a host name resolves to. */
export type ResolveHost = (hostname: string) => Promise<readonly { address: string; family: number }[]>;

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
 * Transport-neutral heart of the emulator: the method table and the
 * dispatcher, composed with the store, the authenticator (logins, digests,
 * OAuth codes), the content-link registry and the server facts.
 * Transports (HTTP JSON, the binary port) parse bytes into `DispatchCall`s
 * and encode the returned `DispatchResult`.
 */
export class EmulatorCore {
  readonly faults = new FaultRules();
  readonly methods = new Map<string, Handler>();
  readonly auth: Authenticator;
  readonly links: LinkRegistry;
  /** Whether downloadfile may reach loopback, private and link-local addresses. */
  readonly allowPrivateDownloads: boolean;
  /** How downloadfile resolves host names before checking and pinning the address. */
  readonly resolveHost: ResolveHost | undefined;
  /** Running uploads by `userid:progresshash`, for `uploadprogress`. */
  readonly progress = new Map<string, UploadProgress>();
  /** What `feedback` received (the emulator sends no mail). */
  readonly feedback: { mail: string; reason: string; message: string; name?: string }[] = [];
  /** Every mail the emulator would send (verification, reset, e-mail change, ...). */
  readonly mail: Outbox;
  /** Lifetime of mailed codes, in ms. */
  readonly mailCodeTtlMs: number;
  /** Clock in epoch milliseconds. */
  readonly now: () => number;

  constructor(
    readonly store: Store,
    readonly server: ServerInfo,
    options: CoreOptions,
  ) {
    this.auth = new Authenticator(store, options);
    this.links = new LinkRegistry(options.linkTtlMs, options.now);
    this.allowPrivateDownloads = options.allowPrivateDownloads ?? false;
    this.resolveHost = options.resolveHost;
    // a deleted file (deletefile, a recursive delete, the trash) stops being served at once
    store.onEvent((e) => {
      if (e.event === 'deletefile' && e.node) this.links.forgetFile(e.node.id);
    });
    this.now = options.now ?? Date.now;
    this.mail = new Outbox({ now: this.now, ...options.mail });
    this.mailCodeTtlMs = options.mailCodeTtlMs ?? 24 * 3600_000;
  }

  /** Adds a method group (name -> handler). Later registrations win. */
  register(group: MethodGroup): void {
    for (const [name, h] of Object.entries(group)) this.methods.set(name, h);
  }

  /** Whether the method needs a logged-in user (catalogue; true for unknown names). */
  needsAuth(method: string): boolean {
    return findMethod(method)?.auth ?? true;
  }

  /**
   * Serves one call. Calls of one connection run strictly in order; a new
   * call releases a blocking one (diff with block) on the same connection.
   * Rejects with DropConnection when the transport should close the
   * connection instead of answering (unknown method).
   */
  dispatch(conn: ConnectionState, call: DispatchCall): Promise<DispatchResult> {
    conn.interruptBlocking();
    if (!this.methods.has(call.method) && !findMethod(call.method)) {
      return Promise.reject(new DropConnection(`unknown method ${call.method}`));
    }
    return conn.serial(() => this.run(conn, call));
  }

  private async run(conn: ConnectionState, call: DispatchCall): Promise<DispatchResult> {
    const params = new Params(call.params, findMethod(call.method));
    const idEcho = params.str('id');
    const c = new CallContext(this, conn, call.method, params, call.files, call.data, call.transport ?? {});
    // every file_open takes the next descriptor number, even one refused before its handler runs,
    // so relative descriptors (-1 = the latest open) of a pipeline stay right
    if (call.method === 'file_open') c.fdNumber = conn.nextFd++;
    try {
      const delay = this.faults.delayFor(call.method);
      if (delay > 0) await sleep(delay, conn.closeSignal);
      const failCode = this.faults.takeFailure(call.method);
      if (failCode !== undefined) throw new ApiError(failCode);
      this.applyGlobals(c);
      const handler = this.methods.get(call.method);
      this.identify(c, call.transport?.bearer);
      if (!handler) throw new ApiError(5000, { emulator: `method ${call.method} is not implemented by the emulator` });
      if (this.needsAuth(call.method) && !c.user) throw new ApiError(1000);
      const out = await currentCall.run(c, () => handler(c));
      if (out instanceof DataReply) {
        return {
          body: { result: 0, ...out.body, ...(idEcho !== undefined ? { id: idEcho } : {}) },
          data: {
            stream: out.stream,
            length: out.length,
            contentType: out.contentType,
            ...(out.filename !== undefined ? { filename: out.filename } : {}),
          },
        };
      }
      const body: Body = { result: 0, ...out };
      if (params.flag('getauth') && c.user && !('auth' in out)) {
        body.auth = this.auth.tokenForReply(
          { user: c.user, token: c.token, fresh: c.freshLogin },
          c.transport.device ?? 'pcloudkit-emulator client',
        );
      }
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
    if (p.flag('logout')) this.auth.logout(c.conn);
  }

  /** Resolves the caller from the connection or the call's credentials. */
  private identify(c: CallContext, bearer: string | undefined): void {
    const entry = findMethod(c.method);
    // methods that need no login and document no login error (getapiserver, getip, oauth2_token) ignore credentials
    const checkCredentials = !entry || entry.auth || entry.errors.includes(2000);
    const login = this.auth.identify(c.conn, c.params, { bearer, checkCredentials });
    if (!login) return;
    c.user = login.user;
    c.token = login.token;
    c.freshLogin = login.fresh;
  }

  /** Hosts the `getapiserver` method answers. */
  apiServers(): { api: string[]; binapi: string[] } {
    return {
      api: this.faults.apiOverride ?? [this.server.apiHost],
      binapi: this.faults.binapiOverride ?? [this.server.binapiHost ?? this.server.apiHost],
    };
  }
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
