import type * as tls from 'node:tls';
import { AbortError, CALL_LIMIT, DeadlineLimit, TransportError, ValidationError, loginKey } from './core.js';
import type { Transport, TransportRequest, TransportResponse, WireValue } from './core.js';
import { encodeRequest } from './codec/encode.js';
import type { DecodeLimits } from './codec/decode.js';
import { Connection, type Frame } from './connection.js';
import { prepareUpload, type UploadBody } from './upload.js';

/** Options of {@link binaryTransport}. */
export interface BinaryTransportOptions {
  /** Use TLS (default `true`). The default port is 443 with TLS, 80 without; a `host:port` entry overrides it. */
  tls?: boolean;
  /** Extra options for `tls.connect`, e.g. `{ rejectUnauthorized: false }` or a custom `ca`. */
  tlsOptions?: tls.ConnectionOptions;
  /**
   * Pooled connections per host and credentials for calls without a
   * `connectionKey` (a connection keeps its first login, so calls with
   * different credentials, or none, never share one). Default 4.
   */
  connections?: number;
  /** Milliseconds an unused connection stays open. Default 30000. */
  idleTimeout?: number;
  /** Milliseconds allowed for connecting (and the TLS handshake). Default 15000. */
  connectTimeout?: number;
  /**
   * When a download stream is cancelled with at most this many bytes unread,
   * they are read and dropped so the connection survives; beyond it the
   * connection is closed instead. Default 1 MiB.
   */
  drainLimit?: number;
  /** Caps for decoding answers (frame size, nesting, strings). */
  limits?: DecodeLimits;
  /**
   * Largest answer frame, in bytes (its length comes first, so a longer one
   * is refused before any of it is read): `AnswerTooLargeError`, and the
   * connection is closed. Data payloads (downloads) are streamed and have no
   * cap. Default 64 MiB; the same as `limits.maxFrameSize`, which it overrides.
   */
  maxAnswerBytes?: number;
  /**
   * Sees every frame: `out` request headers (without upload payloads), `in`
   * answer frames including their 4-byte length (without data payloads).
   */
  onFrame?: (dir: 'out' | 'in', bytes: Uint8Array) => void;
}

interface Target {
  host: string;
  port: number;
}

/** Splits a host entry (`host`, `host:port`, `[v6]:port`, or `scheme://host:port`) into host and port. */
export function parseHost(entry: string, defaultPort: number): Target {
  let rest = entry.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '');
  let port = defaultPort;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (v6) return { host: v6[1]!, port: v6[2] ? Number(v6[2]) : port };
  const m = /^([^:]+):(\d+)$/.exec(rest);
  if (m) {
    rest = m[1]!;
    port = Number(m[2]);
  }
  if (!rest || port < 1 || port > 65535) throw new TransportError(`binary: bad host entry "${entry}"`, { host: entry, network: true });
  return { host: rest, port };
}

/** Milliseconds a stalled TLS handshake is remembered for its host. */
const STALL_MEMORY = 30_000;

/** Connection key of connection-bound calls (fileops) made without one. */
const CONNECTION_BOUND_KEY = 'connection-bound';

/** A dedicated connection and the credentials it was given first (`''`: none yet). */
interface Dedicated {
  conn: Connection;
  key: string;
  login: string;
}

/**
 * A transport speaking pCloud's binary protocol over TCP or TLS. Calls are
 * pipelined on a small pool of persistent connections per host and
 * credentials; calls that carry a `connectionKey` always use one dedicated
 * connection for that key (file descriptors and logins belong to a
 * connection), and a call whose credentials differ from the ones that
 * connection logged in with fails with `ValidationError` before it is sent.
 */
export function binaryTransport(options: BinaryTransportOptions = {}): Transport {
  const useTls = options.tls ?? true;
  const defaultPort = useTls ? 443 : 80;
  const poolSize = Math.max(1, options.connections ?? 4);
  const pools = new Map<string, Connection[]>();
  const keyed = new Map<string, Dedicated>();
  let closed = false;
  /** Hosts whose TLS handshake stalled lately (a plain-TCP port): label -> until when, and why. */
  const stalls = new Map<string, { until: number; message: string }>();

  /** Host entries already parsed (a bad one throws and is not kept). */
  const targets = new Map<string, Target>();
  function target(entry: string): Target {
    let t = targets.get(entry);
    if (!t) targets.set(entry, (t = parseHost(entry, defaultPort)));
    return t;
  }

  function open(label: string, onClose: (c: Connection) => void): Connection {
    const target = targets.get(label) ?? parseHost(label, defaultPort);
    return new Connection({
      host: target.host,
      port: target.port,
      label,
      tls: useTls,
      tlsOptions: options.tlsOptions,
      connectTimeout: options.connectTimeout ?? 15_000,
      idleTimeout: options.idleTimeout ?? 30_000,
      drainLimit: options.drainLimit ?? 1024 * 1024,
      limits: options.maxAnswerBytes !== undefined ? { ...options.limits, maxFrameSize: options.maxAnswerBytes } : options.limits,
      onFrame: options.onFrame,
      onTlsStall: (message) => stalls.set(label, { until: Date.now() + STALL_MEMORY, message }),
      onClose,
    });
  }

  /** The pool of the last call, kept for the next one: most calls go to the same host with the same credentials. */
  let last: { host: string; login: string; id: string; pool: Connection[] } | undefined;

  /**
   * A pooled connection for calls to `host` with the credentials `login`
   * (core's `loginKey`, `''` for anonymous calls). pCloud keeps a connection's
   * first login and ignores later credentials, so each set of credentials,
   * and anonymous calls too, has a pool of its own.
   */
  function pooled(host: string, login: string): Connection {
    let l = last;
    if (l === undefined || l.host !== host || l.login !== login || pools.get(l.id) !== l.pool) {
      const id = `${host}\u0000${login}`;
      let pool = pools.get(id);
      if (!pool) pools.set(id, (pool = []));
      last = l = { host, login, id, pool };
    }
    const { id, pool } = l;
    let best: Connection | undefined;
    let live = 0;
    for (const c of pool) {
      if (!c.alive) continue;
      live++;
      best = c;
    }
    // One connection allowed and open (the pipelining case): no need to weigh loads.
    if (best && (poolSize > 1 || live > 1)) {
      let bestLoad = Number.POSITIVE_INFINITY;
      for (const c of pool) {
        if (!c.alive) continue;
        const load = c.load;
        if (load < bestLoad) {
          bestLoad = load;
          best = c;
        }
      }
      if (bestLoad !== 0 && live < poolSize) best = undefined;
    }
    if (best) return best;
    const conn = open(host, (c) => {
      const list = pools.get(id);
      if (!list) return;
      const i = list.indexOf(c);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) pools.delete(id);
    });
    pool.push(conn);
    return conn;
  }

  /**
   * The dedicated connection of `key` on `host`. The first credentials sent
   * on it are its login; a later call with other credentials is refused
   * (an anonymous call runs as that login, which the key's owner chose).
   */
  function dedicated(host: string, key: string, id: string, login: string, method: string): Connection {
    const existing = keyed.get(id);
    if (existing?.conn.alive) {
      if (login !== '' && existing.login !== '' && existing.login !== login) {
        throw new ValidationError(
          method,
          'connectionKey',
          `connection key "${key}" is logged in with other credentials; pCloud would run this call as that login. Use another key, or release this one first`,
        );
      }
      if (existing.login === '') existing.login = login;
      return existing.conn;
    }
    const conn = open(host, (c) => {
      if (keyed.get(id)?.conn === c) keyed.delete(id);
    });
    keyed.set(id, { conn, key, login });
    return conn;
  }

  return {
    name: 'binary',
    hostKind: 'binapi',

    async call(request: TransportRequest): Promise<TransportResponse> {
      if (closed) throw new TransportError('binary: the transport is closed', { host: request.host, network: true });
      // copied only to add to it: the wire encoder just reads
      let params: Record<string, WireValue> = request.params;
      if (request.bearer !== undefined && params.access_token === undefined) params = { ...params, access_token: request.bearer };

      // Everything the layout cannot carry throws ValidationError here, before
      // any connection is chosen. Only a `{ path }` upload has to wait for its
      // size; its request still keeps its place in the connection's order.
      const build = (body?: UploadBody): Frame => {
        const header = encodeRequest(request.method, params, { dataLength: body?.size });
        return { header, body: body && body.size > 0 ? body : undefined };
      };
      let frame: Frame | Promise<Frame>;
      if (request.files && request.files.length > 0) {
        const source = prepareUpload(request.method, request.files);
        const name = request.files[0]!.name;
        // A bare payload upload (fileops writes) carries no file name.
        if (name && params.filename === undefined && !request.definition?.payloadUpload) params = { ...params, filename: name };
        if (source instanceof Promise) {
          frame = source.then(build);
          frame.catch(() => {}); // observed by the connection; never left unhandled if the call is aborted first
        } else {
          frame = build(source);
        }
      } else {
        frame = build();
      }

      // A deadline carried as this transport's limit: watched as it is by a JSON call, as a signal by a download.
      const carried = request.signal === undefined ? (request as { [CALL_LIMIT]?: unknown })[CALL_LIMIT] : undefined;
      const limit = carried instanceof DeadlineLimit ? carried : undefined;
      const signal = limit && request.responseType === 'data' ? limit.signal : request.signal;
      if (signal?.aborted || limit?.aborted) throw new AbortError(undefined, { cause: (signal ?? limit)?.reason });
      target(request.host); // bad entries fail before connecting
      // A port that just left a TLS handshake unanswered would only do it again: retries fail at once.
      const stall = stalls.get(request.host);
      if (stall && stall.until > Date.now()) throw new TransportError(stall.message, { host: request.host, network: true });
      if (stall) stalls.delete(request.host);
      // File descriptors live on one connection: a connection-bound method keeps to a dedicated one even without a key.
      const key = request.connectionKey ?? (request.definition?.connectionBound ? CONNECTION_BOUND_KEY : undefined);
      const login = loginKey(params);
      let conn: Connection;
      if (key === undefined) conn = pooled(request.host, login);
      else if (request.connectionKey !== undefined)
        conn = dedicated(request.host, key, `${request.host}\u0000${key}`, login, request.method);
      // Without a key of the caller's, connection-bound calls of different users each get their own connection.
      else conn = dedicated(request.host, key, `${request.host}\u0000${key}\u0000${login}`, login, request.method);
      // A long poll (`diff` with `block`) makes its connection look busy, so later calls go elsewhere while it waits.
      const longPoll = request.definition?.longPoll !== undefined && params[request.definition.longPoll] !== undefined;
      const answer = await conn.call({
        frame,
        signal,
        limit: limit && request.responseType !== 'data' ? limit : undefined,
        onUploadProgress: request.onUploadProgress,
        longPoll,
        method: request.method,
        bodyTimeout: request.bodyTimeout,
      });
      const response: TransportResponse = { result: answer.value, host: request.host };
      if (answer.data) response.data = answer.data;
      return response;
    },

    /** Closes the dedicated connection(s) kept for `connectionKey`; their file descriptors die with them. */
    async release(connectionKey: string): Promise<void> {
      for (const [id, entry] of keyed) {
        if (entry.key !== connectionKey) continue;
        keyed.delete(id);
        entry.conn.close();
      }
    },

    [CALL_LIMIT]: (ms: number, reason: () => unknown) => new DeadlineLimit(ms, reason),

    async close(): Promise<void> {
      closed = true;
      const all = [...[...keyed.values()].map((d) => d.conn), ...[...pools.values()].flat()];
      keyed.clear();
      pools.clear();
      for (const c of all) c.close();
    },
  } as Transport;
}
