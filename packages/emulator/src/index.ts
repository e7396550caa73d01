import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConnectionState } from './connection.js';
import { EmulatorCore, type DispatchCall, type DispatchResult, type ResolveHost } from './core.js';
import { createApiHandler, readBodiesToHalfClose } from './http/api-server.js';
import {
  bodyIdleLimit,
  capConnectionsPerAddress,
  DEFAULT_CONNECTIONS_PER_ADDRESS,
  DEFAULT_TIME_LIMITS,
  type TimeLimits,
} from './http/limit.js';
import { createContentHandler } from './http/content-server.js';
import { createAuthorizePage } from './http/oauth-page.js';
import { startBinaryPort } from './binary/server.js';
import { archivingMethods } from './methods/archiving.js';
import { authMethods } from './methods/auth.js';
import { collectionMethods } from './methods/collection.js';
import { fileMethods } from './methods/file.js';
import { folderMethods } from './methods/folder.js';
import { generalMethods } from './methods/general.js';
import { newsletterMethods } from './methods/newsletter.js';
import { oauth2Methods } from './methods/oauth2.js';
import { PUBLINK_PAGE, publinkMethods } from './methods/publinks.js';
import { createPublinkPage } from './http/publink-page.js';
import { revisionMethods } from './methods/revisions.js';
import { shareGuard, sharingMethods } from './methods/sharing.js';
import { streamingMethods } from './methods/streaming.js';
import { thumbnailMethods } from './methods/thumbnails.js';
import { trashMethods } from './methods/trash.js';
import { transferMethods } from './methods/transfer.js';
import { UPLOAD_PAGE_PATH, uploadLinkMethods } from './methods/uploadlinks.js';
import { createUploadPage } from './http/upload-page.js';
import { fileopsMethods } from './methods/fileops.js';
import { openFilesOf, recoverWorkingCopies } from './open-files.js';
import { createMailRoute, MAIL_PATH, type Mailbox } from './mail.js';
import { DEMO, type SeedUser, seedDemo, seedUsers } from './seed.js';
import type { DropDirection } from './faults.js';
import { ServerInfo } from './server-info.js';
import { Store } from './store.js';
import { selfSignedCertificate } from './tls.js';

export { ConnectionState } from './connection.js';
export { CallContext, DataReply } from './context.js';
export type { Handler, HandlerResult, MethodGroup, TransportInfo, UploadPart } from './context.js';
export { EmulatorCore } from './core.js';
export type { CoreOptions, DispatchCall, DispatchData, DispatchResult, ResolveHost } from './core.js';
export { Authenticator, passwordDigest } from './authentication.js';
export type { AuthOptions, Login, OAuthGrant } from './authentication.js';
export { LinkRegistry } from './link-registry.js';
export { ArchiveJobs } from './methods/archiving.js';
export { zipBuffer } from './archive.js';
export type { ContentLink } from './link-registry.js';
export { ServerInfo } from './server-info.js';
export type { ServerInfoInit } from './server-info.js';
export { renderFile, renderFolder, renderNode } from './render.js';
export type { RenderOptions } from './render.js';
export { ApiError, DropConnection, ERROR_MESSAGES, errorMessage } from './errors.js';
export { toJson } from './json.js';
export type { Body, Value } from './json.js';
export { Params } from './params.js';
export type { RawParam } from './params.js';
export { DEMO, makePhoto, makePng, makeWav, parseUserArg } from './seed.js';
export type { SeedUser } from './seed.js';
export type { TimeLimits } from './http/limit.js';
export { MAIL_FROM, MAIL_PATH, Outbox, createMailRoute, mailLogLine } from './mail.js';
export type { Mail, MailFilter, MailKind, Mailbox, OutboxOptions } from './mail.js';
export { selfSignedCertificate } from './tls.js';
export { formatRfc2822, parseDatetime } from './time.js';

/** Every method group the emulator implements, in registration order. */
export const METHOD_GROUPS = {
  general: generalMethods,
  folder: folderMethods,
  file: fileMethods,
  streaming: streamingMethods,
  oauth2: oauth2Methods,
  auth: authMethods,
  newsletter: newsletterMethods,
  publinks: publinkMethods,
  collection: collectionMethods,
  archiving: archivingMethods,
  trash: trashMethods,
  fileops: fileopsMethods,
  revisions: revisionMethods,
  thumbnails: thumbnailMethods,
  sharing: sharingMethods,
  uploadlinks: uploadLinkMethods,
  transfer: transferMethods,
} as const;

export interface EmulatorOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port of the API server (default 0: the OS picks one). */
  port?: number;
  /** Persist everything under this directory (default: in memory, blobs in a temp dir removed on stop). */
  dataDir?: string;
  /**
   * Diff events kept per user (default 10,000). A `diff` from an older diffid
   * first gets a `reset` event followed by the current tree.
   */
  historyLimit?: number;
  /** Days deleted files and folders stay listable (`showdeleted`) before they and their blobs are removed (default 15; 0 = at once). */
  trashRetentionDays?: number;
  /** Serve HTTPS: true generates a self-signed certificate at start; or pass PEM key + cert. */
  tls?: boolean | { key: string | Buffer; cert: string | Buffer };
  /** Create the demo folders and files (default true). The demo account and app always exist. */
  seed?: boolean;
  /**
   * More accounts beside the demo user, each with its own empty tree, quota
   * and tokens (created when missing; an existing data directory keeps its own).
   */
  users?: SeedUser[];
  /** Mails per address and kind within `mailRateWindowMs` before mail-sending methods answer 4000 (default 10). */
  mailRateLimit?: number;
  /** Window of the mail rate limit (default 15 minutes). */
  mailRateWindowMs?: number;
  /** Lifetime of the codes mails carry (default 24 hours). */
  mailCodeTtlMs?: number;
  /** Number of content servers (default 2, at least 1). */
  contentHosts?: number;
  /** Lifetime of a getdigest digest (default 30000 ms). */
  digestTtlMs?: number;
  /** Failed logins per account and address within `loginFailureWindowMs` before 4000 (default 10). */
  loginFailureLimit?: number;
  /** Window of the login failure limit (default 60000 ms). */
  loginFailureWindowMs?: number;
  /** Lifetime of content-server links (default 6 hours). */
  linkTtlMs?: number;
  /**
   * Lets downloadfile/downloadfileasync fetch from loopback, private and
   * link-local addresses (default false: refused with 2003). The emulator
   * never fetches public addresses.
   */
  allowPrivateDownloads?: boolean;
  /**
   * How downloadfile resolves a host name to check it (default: node:dns
   * `lookup` with every address). Tests inject names with it.
   */
  resolveHost?: ResolveHost;
  /** Lifetime of OAuth2 authorization codes (default 10 minutes). */
  oauthCodeTtlMs?: number;
  /**
   * Data region to play (default 'us'): decides `locationid` in OAuth answers
   * and which second digest checksums carry (US: md5, EU: sha256).
   */
  region?: 'us' | 'eu';
  /** Make HTTP logins sticky per connection like pCloud (default false; see README). */
  httpStickyAuth?: boolean;
  /** Binary-protocol port (`binapi`): on by default on any free port, TLS when `tls` is set; `false` turns it off. */
  binary?: boolean | { port?: number };
  /**
   * Time limits against slow and silent clients, in ms (0 = none), on every
   * port: `header` (a request head, complete within; default 60 s), `body`
   * (a request body without a byte; default 60 s, an upload as such may
   * take as long as it needs), `idle` (an HTTP keep-alive connection
   * between requests; default 60 s), `binaryIdle` (a binary connection
   * with no call in progress; default 10 min).
   */
  timeouts?: Partial<TimeLimits>;
  /** Connections one client address may hold open at once on each port (default 256; 0 = no cap). */
  maxConnectionsPerAddress?: number;
}

/** Options of `EmulatorFaults.dropAfterBytes`. */
export interface DropOptions {
  /** `'send'` (default): bytes of answers; `'receive'`: bytes of request bodies. */
  direction?: DropDirection;
  /** `'request'` (default): counted per answer or body; `'connection'`: summed over one connection. */
  scope?: 'request' | 'connection';
  /** Connections to cut before the rule retires (default: until cleared). */
  times?: number;
}

export interface EmulatorFaults {
  /** A `127.0.0.1:PORT` host that accepts connections and destroys them at once. */
  unreachableHost(): Promise<string>;
  /** Overrides the hosts `getapiserver` answers. */
  setApiServers(servers: { api?: string[]; binapi?: string[] }): void;
  /** Delays every answer of `method` ('*' = all, 'content' = content servers) by `ms`. */
  delay(method: string, ms: number): void;
  /**
   * Cuts the connection after `n` bytes of the answer body of `method`
   * ('*' = all, 'content' = content servers), on the API, binary and content
   * ports. Options: `direction: 'receive'` counts the request body instead
   * (HTTP PUT body, binary payload: file_write, file_pwrite, uploads);
   * `scope: 'connection'` sums every matching answer or body of one
   * connection; `times` cuts that many connections, then the rule goes
   * (default: until cleared). `n` may be a function, drawn again for each
   * answer, body or connection (random cut points).
   */
  dropAfterBytes(method: string, n: number | (() => number), opts?: DropOptions): void;
  /** Answers `method` ('*' = all) with pCloud error `code`, `times` times (default: until cleared). */
  failWith(method: string, code: number, opts?: { times?: number }): void;
  /** Removes every fault. */
  clear(): void;
}

/** A transport started next to the emulator (e.g. the binary protocol port). */
export interface AttachedTransport {
  kind: 'binapi' | 'other';
  /** `host:port` it listens on. */
  host: string;
  close(): Promise<void>;
}

export interface Emulator {
  /** Base URL of the API server, e.g. `http://127.0.0.1:PORT`. */
  readonly api: string;
  /** `127.0.0.1:PORT`: what getapiserver answers. */
  readonly apiHost: string;
  /** `127.0.0.1:PORT` of each content server. */
  readonly contentHosts: string[];
  /** Demo account credentials. */
  readonly username: string;
  readonly password: string;
  /** A ready auth token of the demo user. */
  readonly auth: string;
  /** A ready OAuth2 access token of the demo user for the demo app. */
  readonly access_token: string;
  /** The demo app. */
  readonly client_id: string;
  readonly client_secret: string;
  /** PEM certificate when TLS is on (trust it, or skip verification). */
  readonly certificate: string | undefined;
  /** The binary-protocol port, unless `binary: false`. */
  readonly binary: { host: string; port: number } | undefined;
  readonly faults: EmulatorFaults;
  /** The transport-neutral core (store, method table, dispatcher). */
  readonly core: EmulatorCore;
  /** The outbox: every mail the emulator would have sent, with its code and link. */
  readonly mail: Mailbox;
  stop(): Promise<void>;
  createUser(opts: { username: string; password: string; quota?: number; premium?: boolean }): Promise<{ userid: number; auth: string }>;
  createApp(opts?: { redirectUris?: string[]; name?: string }): Promise<{ client_id: string; client_secret: string }>;
  /** Runs one call through the method table (what every transport does). */
  dispatch(ctx: ConnectionState, call: DispatchCall): Promise<DispatchResult>;
  /** A fresh per-connection state for a transport's new connection. */
  newConnection(init?: { remoteAddress?: string; transport?: string; stickyAuth?: boolean }): ConnectionState;
  /** Lets another transport join: its host shows up in getapiserver and it is closed on stop. */
  attachTransport(t: AttachedTransport): void;
}

function listen(server: Server | NetServer, port: number, host: string): Promise<number> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolveListen(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * A request listener that holds requests until `bind` hands it the real
 * handler: the servers listen before the core exists, because the core's
 * server facts need their ports.
 */
function deferredListener(): { listener: RequestListener; bind(handler: RequestListener): void } {
  let target: RequestListener | undefined;
  const held: [IncomingMessage, ServerResponse][] = [];
  return {
    listener: (req, res) => (target ? target(req, res) : void held.push([req, res])),
    bind(handler) {
      target = handler;
      for (const [req, res] of held.splice(0)) handler(req, res);
    },
  };
}

/** Starts the emulator and resolves once every server listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const persist = options.dataDir !== undefined;
  const root = persist ? resolve(options.dataDir!) : await fsp.mkdtemp(join(tmpdir(), 'pcloudkit-emulator-'));
  await fsp.mkdir(root, { recursive: true });
  const store = await Store.open({
    root,
    persist,
    ...(options.historyLimit !== undefined ? { historyLimit: options.historyLimit } : {}),
    ...(options.trashRetentionDays !== undefined ? { trashRetentionDays: options.trashRetentionDays } : {}),
  });

  const servers: (Server | NetServer)[] = [];
  const attached: AttachedTransport[] = [];
  const sockets = new Set<Socket>();
  const track = (server: Server | NetServer) => {
    servers.push(server);
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    });
  };
  const closeServers = async () => {
    const closed = servers.map((s) => new Promise<void>((r) => s.close(() => r())));
    for (const s of servers) if ('closeAllConnections' in s) (s as Server).closeAllConnections();
    for (const sock of sockets) sock.destroy();
    await Promise.all(closed);
  };
  // A start that fails half-way (a port in use, a bad certificate) releases
  // what it opened, so the data directory is not left locked.
  const abandon = async (error: unknown): Promise<never> => {
    await closeServers();
    store.close();
    if (!persist) await fsp.rm(root, { recursive: true, force: true });
    throw error;
  };
  try {
    await seedDemo(store, options.seed ?? true);
    seedUsers(store, options.users ?? []);
    // fileops writes acknowledged before a crash become versions now
    await recoverWorkingCopies(store);

    let tlsCreds: { key: string | Buffer; cert: string | Buffer } | undefined;
    if (options.tls === true) tlsCreds = await selfSignedCertificate();
    else if (options.tls) tlsCreds = options.tls;

    const limits: TimeLimits = { ...DEFAULT_TIME_LIMITS, ...options.timeouts };
    const perAddress = options.maxConnectionsPerAddress ?? DEFAULT_CONNECTIONS_PER_ADDRESS;
    const makeHttp = (handler: (req: IncomingMessage, res: ServerResponse) => void): Server => {
      // total request time is not limited (slow uploads); body stalls are (bodyIdleLimit)
      const opts = {
        keepAliveTimeout: limits.idle,
        headersTimeout: limits.header,
        requestTimeout: 0,
        // headersTimeout is checked this often
        connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor((limits.header || 60_000) / 4))),
      };
      const server = tlsCreds
        ? createHttpsServer(
            { ...opts, key: tlsCreds.key, cert: tlsCreds.cert, ...(limits.header > 0 ? { handshakeTimeout: limits.header } : {}) },
            handler,
          )
        : createHttpServer(opts, handler);
      // anything the HTTP parser rejects (garbage, oversized headers) just drops the connection
      server.on('clientError', (_err, socket) => socket.destroy());
      server.on('tlsClientError', () => undefined);
      track(server);
      capConnectionsPerAddress(server, perAddress);
      return server;
    };

    const apiRoute = deferredListener();
    const apiServer = makeHttp(apiRoute.listener);
    readBodiesToHalfClose(apiServer, limits.header);
    const apiPort = await listen(apiServer, options.port ?? 0, host);
    const contentRoute = deferredListener();
    const contentHosts: string[] = [];
    for (let i = 0; i < Math.max(1, options.contentHosts ?? 2); i++) {
      contentHosts.push(hostPort(host, await listen(makeHttp(contentRoute.listener), 0, host)));
    }

    const server = new ServerInfo({
      apiHost: hostPort(host, apiPort),
      scheme: tlsCreds ? 'https' : 'http',
      locationid: options.region === 'eu' ? 2 : 1,
      contentHosts,
    });
    const core = new EmulatorCore(store, server, {
      digestTtlMs: options.digestTtlMs ?? 30_000,
      loginFailureLimit: options.loginFailureLimit ?? 10,
      loginFailureWindowMs: options.loginFailureWindowMs ?? 60_000,
      linkTtlMs: options.linkTtlMs ?? 6 * 3600 * 1000,
      oauthCodeTtlMs: options.oauthCodeTtlMs ?? 10 * 60 * 1000,
      mail: {
        ...(options.mailRateLimit !== undefined ? { rateLimit: options.mailRateLimit } : {}),
        ...(options.mailRateWindowMs !== undefined ? { rateWindowMs: options.mailRateWindowMs } : {}),
      },
      ...(options.mailCodeTtlMs !== undefined ? { mailCodeTtlMs: options.mailCodeTtlMs } : {}),
      allowPrivateDownloads: options.allowPrivateDownloads ?? false,
      ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
    });
    for (const group of Object.values(METHOD_GROUPS)) core.register(group);
    // share permissions and the folders shares keep from deletion, on every write of every method
    store.writeGuard = shareGuard(store);
    const authorize = createAuthorizePage(core);
    apiRoute.bind(
      createApiHandler(core, {
        stickyAuth: options.httpStickyAuth ?? false,
        bodyTimeoutMs: limits.body,
        routes: {
          '/oauth2/authorize': authorize,
          '/authorize': authorize,
          [MAIL_PATH]: createMailRoute(core.mail),
          [PUBLINK_PAGE]: createPublinkPage(core),
          [UPLOAD_PAGE_PATH]: createUploadPage(core),
        },
      }),
    );
    const content = createContentHandler(core);
    contentRoute.bind((req, res) => {
      // content requests carry no body, but one that announces a body must not stall the connection
      bodyIdleLimit(req, limits.body);
      return content(req, res);
    });

    const demo = store.userByEmail(DEMO.username)!;
    const authToken = store.createToken(demo.userid, 'auth', 'pcloudkit-emulator ready token');
    const oauthToken = store.createToken(demo.userid, 'oauth', `oauth2 app ${DEMO.appName}`, DEMO.client_id);

    let stopped: Promise<void> | undefined;

    const faults: EmulatorFaults = {
      async unreachableHost() {
        const s = createNetServer((sock) => sock.destroy());
        track(s);
        const port = await listen(s, 0, host);
        return hostPort(host, port);
      },
      setApiServers(v) {
        if (v.api) core.faults.apiOverride = [...v.api];
        if (v.binapi) core.faults.binapiOverride = [...v.binapi];
      },
      delay(method, ms) {
        core.faults.delays.set(method, ms);
      },
      dropAfterBytes(method, n, opts) {
        if (!opts && typeof n === 'number') {
          core.faults.drops.set(method, n);
          return;
        }
        const direction = opts?.direction ?? 'send';
        core.faults.dropRules.set(`${direction}:${method}`, {
          bytes: n,
          direction,
          scope: opts?.scope ?? 'request',
          remaining: opts?.times ?? Number.POSITIVE_INFINITY,
        });
      },
      failWith(method, code, opts) {
        core.faults.fails.set(method, { code, remaining: opts?.times ?? Infinity });
      },
      clear() {
        core.faults.clear();
      },
    };

    const emulator: Emulator = {
      api: server.apiUrl,
      apiHost: server.apiHost,
      contentHosts: [...server.contentHosts],
      username: DEMO.username,
      password: DEMO.password,
      auth: authToken.token,
      access_token: oauthToken.token,
      client_id: DEMO.client_id,
      client_secret: DEMO.client_secret,
      certificate: tlsCreds ? String(tlsCreds.cert) : undefined,
      binary: undefined,
      faults,
      core,
      mail: core.mail,
      stop() {
        stopped ??= (async () => {
          await openFilesOf(store).shutdown();
          for (const t of attached) await t.close().catch(() => undefined);
          await closeServers();
          store.close();
          if (!persist) await fsp.rm(root, { recursive: true, force: true });
        })();
        return stopped;
      },
      async createUser(opts) {
        if (store.userByEmail(opts.username)) throw new Error(`user ${opts.username} already exists`);
        const u = store.createUser(opts.username, opts.password, {
          ...(opts.quota !== undefined ? { quota: opts.quota } : {}),
          ...(opts.premium !== undefined ? { premium: opts.premium } : {}),
        });
        const t = store.createToken(u.userid, 'auth', 'pcloudkit-emulator createUser');
        return { userid: u.userid, auth: t.token };
      },
      async createApp(opts = {}) {
        const app = store.createApp({
          client_id: randomBytes(8).toString('hex'),
          client_secret: randomBytes(16).toString('hex'),
          name: opts.name ?? 'test app',
          redirectUris: opts.redirectUris ?? [],
        });
        return { client_id: app.client_id, client_secret: app.client_secret };
      },
      dispatch: (ctx, call) => core.dispatch(ctx, call),
      newConnection: (init) => new ConnectionState(init),
      attachTransport(t) {
        attached.push(t);
        if (t.kind === 'binapi') server.attachBinapi(t.host);
      },
    };
    if (options.binary !== false) {
      const port = typeof options.binary === 'object' ? (options.binary.port ?? 0) : 0;
      const bin = await startBinaryPort(core, {
        host,
        port,
        ...(tlsCreds ? { tls: tlsCreds } : {}),
        timeouts: { header: limits.header, body: limits.body, idle: limits.binaryIdle },
        maxConnectionsPerAddress: perAddress,
      });
      emulator.attachTransport({ kind: 'binapi', host: bin.hostPort, close: () => bin.close() });
      (emulator as { binary: Emulator['binary'] }).binary = { host: bin.host, port: bin.port };
    }
    return emulator;
  } catch (error) {
    for (const t of attached) await t.close().catch(() => undefined);
    return abandon(error);
  }
}
