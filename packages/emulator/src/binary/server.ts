/**
 * The emulator's binary-protocol port: a TCP (or TLS) server that reads
 * request frames, runs them through the shared dispatcher with one
 * `ConnectionState` per socket (logins stick to the connection, file
 * descriptors live on it), and writes answers in request order, each
 * followed by its data payload when there is one.
 *
 * Anything that is not a well-formed request closes the connection; no
 * input can crash the server.
 */
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { PassThrough, Readable } from 'node:stream';
import { findMethod } from '@pcloudkit/catalog';
import { ConnectionState } from '../connection.js';
import type { DispatchResult, EmulatorCore } from '../core.js';
import { DropConnection } from '../errors.js';
import { FileRange } from '../file-range.js';
import { headerLength, LENGTH_BYTES, MalformedRequest, parseHeader, type BinaryRequest } from './request.js';
import { encodeReply } from './response.js';
import { capConnectionsPerAddress, DEFAULT_CONNECTIONS_PER_ADDRESS, DEFAULT_TIME_LIMITS } from '../http/limit.js';

export interface BinaryPortOptions {
  host?: string;
  /** 0 (default): any free port. */
  port?: number;
  /** Serve TLS with this key and certificate. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /**
   * Requests of one connection whose answers are not fully sent yet before
   * the port stops reading that connection (default 64); it reads again
   * once half of them went out. A client that sends and never reads holds
   * at most this many answers in the server's memory.
   */
  maxPendingAnswers?: number;
  /**
   * Time limits in ms (0 = none): `header` for a request header once its
   * first byte came (default 60 s), `body` for a payload going without a
   * byte (default 60 s), `idle` for a connection with no call in progress
   * (default 10 min). A call being served or answered is never timed.
   */
  timeouts?: { header?: number; body?: number; idle?: number };
  /** Connections one client address may hold open at once (default 256; 0 = no cap). */
  maxConnectionsPerAddress?: number;
}

export interface BinaryPort {
  readonly host: string;
  readonly port: number;
  /** `host:port` as getapiserver lists it. */
  readonly hostPort: string;
  close(): Promise<void>;
}

/** Whether the catalogue says the method's request carries file bytes (uploads, file_write...). */
const takesUpload = (method: string): boolean => findMethod(method)?.data === 'upload';

export async function startBinaryPort(core: EmulatorCore, options: BinaryPortOptions = {}): Promise<BinaryPort> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  const onSocket = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serveConnection(core, socket, limits);
  };
  const t = options.timeouts ?? {};
  const limits: ConnectionLimits = {
    maxPending: options.maxPendingAnswers ?? 64,
    header: t.header ?? DEFAULT_TIME_LIMITS.header,
    body: t.body ?? DEFAULT_TIME_LIMITS.body,
    idle: t.idle ?? DEFAULT_TIME_LIMITS.binaryIdle,
  };
  const server: Server = options.tls
    ? createTlsServer(
        { key: options.tls.key, cert: options.tls.cert, ...(limits.header > 0 ? { handshakeTimeout: limits.header } : {}) },
        onSocket,
      )
    : createNetServer(onSocket);
  capConnectionsPerAddress(server, options.maxConnectionsPerAddress ?? DEFAULT_CONNECTIONS_PER_ADDRESS);
  server.on('tlsClientError', () => undefined);
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostPort = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    hostPort,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

interface ConnectionLimits {
  maxPending: number;
  header: number;
  body: number;
  idle: number;
}

function serveConnection(core: EmulatorCore, socket: Socket, limits: ConnectionLimits): void {
  const { maxPending } = limits;
  socket.setNoDelay(true);
  const conn = new ConnectionState({ remoteAddress: socket.remoteAddress ?? '127.0.0.1', transport: 'binary', stickyAuth: true });
  let dead = false;
  let sink: PassThrough | undefined;
  const drop = (reason?: unknown) => {
    if (dead) return;
    dead = true;
    if (reason && !(reason instanceof MalformedRequest) && !(reason instanceof DropConnection)) {
      console.error('[emulator] binary connection error:', reason);
    }
    socket.destroy();
    conn.close();
    // A method still reading an upload must not wait forever for the rest.
    sink?.destroy(new Error('connection closed during the upload'));
    sink = undefined;
  };
  socket.on('error', () => drop());
  socket.on('close', () => drop());
  socket.on('timeout', () => drop());

  // Reading state: header bytes being collected, or payload bytes being
  // forwarded to the current request's stream.
  let header: Buffer = Buffer.alloc(0);
  let payloadLeft = 0;
  let waitingDrain = false;

  // Answers go out strictly in request order: each request has its place in
  // `outbox`, filled when its method finishes; `flush` writes the answers
  // that are ready at the head, and waits while one is being streamed.
  const hold = writeGroups(socket);
  const outbox: Array<{ method: string; settled: boolean; answer?: DispatchResult; error?: unknown }> = [];
  let writing = false;
  const flush = (): void => {
    while (!writing && !dead && outbox[0]?.settled) {
      const entry = outbox.shift()!;
      if (!entry.answer) {
        drop(entry.error);
        return;
      }
      let wrote: Promise<void> | undefined;
      try {
        wrote = writeAnswer(core, socket, hold, entry.method, entry.answer);
      } catch (e) {
        drop(e);
        return;
      }
      if (wrote) {
        // a payload to stream, or a full socket buffer: the next answers wait for it
        writing = true;
        wrote.then(
          () => {
            writing = false;
            answered();
            watch();
            flush();
          },
          (e: unknown) => drop(e),
        );
        return;
      }
      answered();
    }
    watch();
  };
  // Time limits: a request half-received must keep coming (payload bytes,
  // its header within `header`); with nothing in progress the connection may
  // stay `idle`; while calls are served or answered nothing is timed.
  let headerTimer: NodeJS.Timeout | undefined;
  const watch = () => {
    if (dead) return;
    const partialHeader = header.length > 0 && !stalled;
    if (partialHeader && !headerTimer && limits.header > 0) {
      headerTimer = setTimeout(() => drop(new DropConnection('request header too slow')), limits.header);
      headerTimer.unref();
    } else if (!partialHeader && headerTimer) {
      clearTimeout(headerTimer);
      headerTimer = undefined;
    }
    if (payloadLeft > 0 && !waitingDrain) idleLimit(limits.body);
    else if (partialHeader) idleLimit(limits.body);
    else if (pending > 0 || stalled || waitingDrain) idleLimit(0);
    else idleLimit(limits.idle);
  };
  // The socket's own inactivity timer restarts on every read and write: it is set only when the limit changes.
  let idleMs = -1;
  const idleLimit = (ms: number) => {
    if (ms === idleMs) return;
    idleMs = ms;
    socket.setTimeout(ms);
  };
  socket.once('close', () => clearTimeout(headerTimer));
  // Backpressure: requests whose answers are not fully written; past
  // maxPending the socket is not read (the rest of the bytes wait in `header`).
  let pending = 0;
  let stalled = false;
  const answered = () => {
    pending -= 1;
    if (!stalled || dead || pending > maxPending / 2) return;
    stalled = false;
    const rest = header;
    header = Buffer.alloc(0);
    try {
      feed(rest);
    } catch (e) {
      drop(e);
      return;
    }
    if (!stalled && !waitingDrain && !dead) socket.resume();
  };

  let received = 0;
  // fault injection: a receive-direction drop of the current payload's method
  let meter: ((n: number) => number) | undefined;

  const start = (req: BinaryRequest) => {
    let data: PassThrough | undefined;
    if (req.dataLength !== undefined && req.dataLength > 0) {
      data = new PassThrough({ highWaterMark: 256 * 1024 });
      sink = data;
      payloadLeft = req.dataLength;
      meter = core.faults.receiveMeter(req.method, socket);
      // a method reading it sees a broken payload; one that has not started yet must not crash the process
      data.on('error', () => undefined);
    }
    const base = received;
    // an upload method sent without the data bit gets an empty payload
    const payload: Readable | undefined = data ?? (takesUpload(req.method) ? Readable.from([]) : undefined);
    const result = core.dispatch(conn, {
      method: req.method,
      params: req.params,
      ...(payload ? { data: payload } : {}),
      transport: {
        ...(req.dataLength !== undefined ? { bodyLength: req.dataLength } : {}),
        bodyReceived: () => Math.min(received - base, req.dataLength ?? 0),
        device: 'pcloudkit-emulator binary client',
      },
    });
    pending += 1;
    const entry: (typeof outbox)[number] = { method: req.method, settled: false };
    outbox.push(entry);
    result.then(
      (answer) => {
        // Whatever the method did not read is discarded so the next request can be parsed.
        data?.resume();
        entry.answer = answer;
        entry.settled = true;
        flush();
      },
      (error: unknown) => {
        data?.resume();
        entry.error = error;
        entry.settled = true;
        flush();
      },
    );
  };

  const feed = (input: Buffer) => {
    let chunk = input;
    let off = 0;
    while (off < chunk.length && !dead) {
      if (payloadLeft > 0) {
        const avail = Math.min(payloadLeft, chunk.length - off);
        const n = meter ? meter(avail) : avail;
        if (n < avail) {
          // the drop fault: what passed reaches the method, then the connection goes
          sink?.write(chunk.subarray(off, off + n));
          received += n;
          drop();
          return;
        }
        const part = chunk.subarray(off, off + n);
        off += n;
        payloadLeft -= n;
        received += n;
        const target = sink!;
        const ok = target.write(part);
        if (payloadLeft === 0) {
          target.end();
          sink = undefined;
        }
        if (!ok && !waitingDrain) {
          // The method reads slower than the client sends: stop reading the socket.
          waitingDrain = true;
          socket.pause();
          target.once('drain', () => {
            waitingDrain = false;
            if (!dead && !stalled) socket.resume();
            watch();
          });
        }
        continue;
      }
      // Header bytes: gather until a whole header is there (at most 65537 bytes).
      const buf: Buffer = header.length ? Buffer.concat([header, chunk.subarray(off)]) : chunk.subarray(off);
      header = Buffer.alloc(0);
      let used = 0;
      let payloadNext = false;
      while (buf.length - used >= LENGTH_BYTES) {
        if (pending >= maxPending) {
          // too many answers wait for this client: stop reading until half of them went out
          stalled = true;
          socket.pause();
          break;
        }
        const view = buf.subarray(used);
        const size = headerLength(view);
        if (view.length < size) break;
        const req = parseHeader(view.subarray(0, size));
        used += size;
        start(req);
        if (payloadLeft > 0) {
          payloadNext = true;
          break;
        }
      }
      if (payloadNext) {
        // The rest of this buffer starts with the payload.
        chunk = buf;
        off = used;
        continue;
      }
      // Keep a copy of an incomplete header, not a view of the socket's buffer.
      header = Buffer.from(buf.subarray(used));
      return;
    }
  };

  socket.on('data', (chunk: Buffer) => {
    try {
      feed(chunk);
    } catch (e) {
      drop(e);
    }
    watch();
  });
  watch();
}

/**
 * Writes one answer. Returns undefined when it is all handed to the socket
 * (the common case: no payload, room in the socket's buffer), else a promise
 * that settles once the payload is sent and the socket has room again.
 */
function writeAnswer(
  core: EmulatorCore,
  socket: Socket,
  hold: () => void,
  method: string,
  answer: DispatchResult,
): Promise<void> | undefined {
  const data = answer.body.result === 0 ? answer.data : undefined;
  if (answer.data && !data) answer.data.stream.destroy();
  const frame = encodeReply(answer.body, data?.length);
  const budget = core.faults.sendLimit(method, socket, frame.length + (data?.length ?? 0)) ?? Infinity;
  if (!data && budget > frame.length) {
    if (socket.destroyed) return undefined;
    hold();
    return socket.write(frame) ? undefined : waitDrain(socket);
  }
  return streamAnswer(socket, hold, frame, data, budget);
}

/** The general case of {@link writeAnswer}: a payload after the frame, or a fault that cuts the answer. */
async function streamAnswer(socket: Socket, hold: () => void, frame: Buffer, data: DispatchResult['data'], limit: number): Promise<void> {
  let budget = limit;
  const send = async (bytes: Buffer): Promise<boolean> => {
    if (socket.destroyed) return false;
    if (bytes.length >= budget) {
      // Fault injection: cut the answer after `budget` bytes.
      socket.write(bytes.subarray(0, budget));
      socket.end();
      socket.destroy();
      return false;
    }
    budget -= bytes.length;
    hold();
    if (!socket.write(bytes)) await waitDrain(socket);
    return true;
  };
  if (!(await send(frame))) {
    data?.stream.destroy();
    return;
  }
  if (!data) return;
  let sent = 0;
  if (data.stream instanceof FileRange && budget === Infinity) {
    // a file's bytes through a few reused buffers (see FileRange)
    sent = await data.stream.sendTo(socket, hold).catch(() => 0);
    if (sent < data.length) socket.destroy();
    return;
  }
  try {
    for await (const chunk of data.stream as AsyncIterable<Buffer>) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      const room = data.length - sent;
      const part = buf.length > room ? buf.subarray(0, room) : buf;
      sent += part.length;
      if (part.length && !(await send(part))) return;
      if (sent >= data.length) break;
    }
  } finally {
    data.stream.destroy();
  }
  // A short payload would break the framing for every later answer.
  if (sent < data.length) socket.destroy();
}

/**
 * Answers per system call at most. Answers written in one turn of the event
 * loop share a write, but only this many: a client pipelining many calls
 * then gets its first answers while the later ones are still worked out,
 * and both ends keep busy. With one write per turn they would take turns
 * (measured with 16 calls in flight on two cores: about half the calls/s).
 */
const ANSWERS_PER_WRITE = 4;

/**
 * Gives a connection's `hold` function, called before each write: it
 * gathers the writes of this turn into one system call per
 * {@link ANSWERS_PER_WRITE}, since a write per answer would cost more than
 * the answers themselves.
 */
function writeGroups(socket: Socket): () => void {
  let held = 0;
  const release = () => {
    if (held === 0) return;
    held = 0;
    socket.uncork();
  };
  return () => {
    if (held === ANSWERS_PER_WRITE) release();
    if (held++ === 0) {
      socket.cork();
      process.nextTick(release);
    }
  };
}

function waitDrain(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
