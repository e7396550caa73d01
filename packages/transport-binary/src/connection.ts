/**
 * One binary-protocol connection: requests are written in order (a request
 * and its payload are never interleaved with another), answers are matched to
 * requests in the same order, and a data payload following an answer is
 * handed out as a web stream that must be read (or cancelled) before the
 * next answer on this connection can be parsed.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { AbortError, ProtocolError, TimeoutError, TransportError } from './core.js';
import type { DataResponse, DeadlineLimit, Progress } from './core.js';
import { BinaryData, decodeTree, readFrameLength, totalDataLength, type DecodeLimits } from './codec/decode.js';
import type { UploadBody } from './upload.js';

export interface ConnectionOptions {
  host: string;
  port: number;
  /** Label used in errors: the host entry as given. */
  label: string;
  tls: boolean;
  tlsOptions?: tls.ConnectionOptions;
  connectTimeout: number;
  idleTimeout: number;
  /** Cancelled downloads with at most this many bytes left are skipped; larger ones close the connection. */
  drainLimit: number;
  limits?: DecodeLimits;
  onFrame?: (dir: 'out' | 'in', bytes: Uint8Array) => void;
  /** Called when a TLS handshake got no answer in time although the TCP connection was accepted. */
  onTlsStall?: (message: string) => void;
  /** Called once, when the connection is gone for good. */
  onClose: (conn: Connection) => void;
}

export interface Answer {
  value: Record<string, unknown>;
  data?: DataResponse;
}

/** The bytes of one request: the encoded header and an optional payload source. */
export interface Frame {
  header: Uint8Array;
  body?: UploadBody;
}

export interface CallSpec {
  /**
   * The request, or a promise of it (a file upload whose size is still being
   * looked up). The call takes its place in the write order at once either
   * way, so calls on one connection go out in the order they were made.
   */
  frame: Frame | Promise<Frame>;
  signal?: AbortSignal;
  /** The call's deadline as this transport's limit, watched instead of `signal` (JSON answers only). */
  limit?: DeadlineLimit;
  onUploadProgress?: (progress: Progress) => void;
  /** A long poll: it may wait minutes for its answer, holding every answer behind it. */
  longPoll?: boolean;
  /** Wire name of the method, for error messages. */
  method?: string;
  /**
   * Milliseconds the data payload of the answer may go without a byte; then
   * its stream fails with `TimeoutError` and the connection is closed (the
   * rest of the payload would hold up every later answer). Absent: no limit.
   */
  bodyTimeout?: number;
}

type State = 'queued' | 'writing' | 'sent' | 'answered';

/** One call on the connection: its request, where it stands, and how to settle it. */
class Pending {
  frame?: Frame;
  state: State = 'queued';
  settled = false;
  constructor(
    readonly spec: CallSpec,
    private readonly conn: Connection,
    private readonly done: (answer: Answer) => void,
    private readonly failed: (error: unknown) => void,
  ) {}

  /** The call's signal or limit fired (this object is its listener). */
  handleEvent(): void {
    this.conn.abort(this, (this.spec.limit ?? this.spec.signal)?.reason);
  }

  resolve(answer: Answer): void {
    if (this.settled) return;
    this.settled = true;
    // The signal keeps watching a download until its payload is read.
    if (!answer.data) this.detach();
    this.done(answer);
  }

  reject(error: unknown): void {
    this.detach();
    if (this.settled) return;
    this.settled = true;
    this.failed(error);
  }

  detach(): void {
    const limit = this.spec.limit;
    if (limit) {
      if (limit.watcher === this) limit.watcher = undefined;
    } else this.spec.signal?.removeEventListener('abort', this);
  }
}

interface Payload {
  remaining: number;
  /** null once the consumer cancelled: remaining bytes are skipped. */
  controller: ReadableStreamDefaultController<Uint8Array> | null;
  owner: Pending;
  /** Runs while bytes are awaited from the server (not while the reader is behind): see `bodyTimeout`. */
  idle?: ReturnType<typeof setTimeout>;
}

let nextId = 1;

export class Connection {
  readonly id = nextId++;
  private readonly socket: net.Socket;
  private connected = false;
  /** The TCP connection is up (with TLS, the handshake may still be under way). */
  private tcpConnected = false;
  private dead = false;
  private readonly toWrite: Pending[] = [];
  private readonly awaiting: Pending[] = [];
  private pumping = false;
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private payload: Payload | null = null;
  private paused = false;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private drainWaiters: Array<() => void> = [];

  constructor(private readonly opts: ConnectionOptions) {
    const onConnected = () => {
      clearTimeout(this.connectTimer);
      this.connected = true;
      void this.pump();
    };
    if (opts.tls) {
      const servername = net.isIP(opts.host) ? undefined : opts.host;
      this.socket = tls.connect({ host: opts.host, port: opts.port, servername, ...opts.tlsOptions }, onConnected);
    } else {
      this.socket = net.connect({ host: opts.host, port: opts.port }, onConnected);
    }
    this.socket.once('connect', () => {
      this.tcpConnected = true;
    });
    this.socket.setNoDelay(true);
    this.connectTimer = setTimeout(() => {
      // A plain-TCP server reads the TLS hello as the length of a huge request and waits for the rest.
      const stalled = this.handshakeStalled();
      const error = new TransportError(
        `binary: connecting to ${opts.label} timed out after ${opts.connectTimeout} ms${
          stalled ? `: the port accepted the connection but answered no TLS handshake; it may not speak TLS${NO_TLS_HINT}` : ''
        }`,
        { host: opts.label, network: true },
      );
      if (stalled) opts.onTlsStall?.(error.message);
      this.fail(error);
    }, opts.connectTimeout);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('drain', () => this.wakeDrain());
    this.socket.on('error', (error) => {
      const code = (error as { code?: unknown }).code;
      if (this.connected && (code === 'ECONNRESET' || code === 'EPIPE')) this.rejectUnanswered();
      const hint = this.handshakeStalled() ? `; the TLS handshake failed, the port may not speak TLS${NO_TLS_HINT}` : '';
      this.fail(
        new TransportError(`binary: connection to ${opts.label} failed: ${error.message}${hint}`, {
          cause: error,
          host: opts.label,
          network: !this.connected,
        }),
      );
    });
    this.socket.on('close', () => {
      if (this.connected) this.rejectUnanswered();
      this.fail(new TransportError(`binary: connection to ${opts.label} closed`, { host: opts.label, network: !this.connected }));
    });
  }

  /** With TLS: the TCP connection is up but the handshake has not finished. */
  private handshakeStalled(): boolean {
    return this.opts.tls && this.tcpConnected && !this.connected;
  }

  /**
   * The server hung up. If the oldest outstanding request was sent whole and
   * nothing of its answer arrived, the likely reason is that the server does
   * not know its method: pCloud closes the connection instead of answering.
   */
  private rejectUnanswered(): void {
    const head = this.awaiting[0];
    if (head?.state !== 'sent' || this.buffered > 0 || this.payload || this.dead) return;
    const method = head.spec.method ?? 'the method';
    head.reject(
      new TransportError(
        `binary: ${this.opts.label} closed the connection before answering ${method}; the server may not know the method '${method}'`,
        { host: this.opts.label, network: false },
      ),
    );
  }

  /** False once the connection failed or was closed. */
  get alive(): boolean {
    return !this.dead;
  }

  /** Outstanding requests, plus a penalty while a download or a waiting long poll blocks the read side. */
  get load(): number {
    let polls = 0;
    for (const p of this.toWrite) if (p.spec.longPoll) polls++;
    for (const p of this.awaiting) if (p.spec.longPoll) polls++;
    return this.toWrite.length + this.awaiting.length + (this.payload ? 1000 : 0) + polls * 1000;
  }

  call(spec: CallSpec): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      if (this.dead) {
        reject(new TransportError(`binary: connection to ${this.opts.label} is closed`, { host: this.opts.label, network: true }));
        return;
      }
      const signal = spec.limit ?? spec.signal;
      if (signal?.aborted) {
        reject(abortError(signal.reason));
        return;
      }
      const pending = new Pending(spec, this, resolve, reject);
      if (spec.limit) spec.limit.watcher = pending;
      else spec.signal?.addEventListener('abort', pending, { once: true });
      this.busy();
      this.toWrite.push(pending);
      void this.pump();
    });
  }

  /** Closes the socket; outstanding requests fail with `TransportError`. */
  close(error?: unknown): void {
    this.fail(
      error ??
        new TransportError(`binary: connection to ${this.opts.label} was closed by the client`, { host: this.opts.label, network: false }),
    );
  }

  // ---- writing ----------------------------------------------------------

  private async pump(): Promise<void> {
    if (this.pumping || !this.connected) return;
    this.pumping = true;
    try {
      while (!this.dead && this.toWrite.length > 0) {
        const p = this.toWrite[0]!;
        let frame: Frame;
        try {
          frame = p.spec.frame instanceof Promise ? await p.spec.frame : p.spec.frame;
        } catch (error) {
          // Preparing failed (e.g. the file to upload is missing): nothing of
          // this request was written, the connection is unaffected.
          if (this.toWrite[0] === p) this.toWrite.shift();
          p.reject(error);
          this.maybeIdle();
          continue;
        }
        if (this.toWrite[0] !== p) continue; // aborted while preparing
        this.toWrite.shift();
        p.frame = frame;
        p.state = 'writing';
        this.awaiting.push(p);
        this.tap('out', frame.header);
        this.batchWrites();
        if (!this.socket.write(frame.header)) await this.waitDrain();
        if (frame.body) {
          try {
            await this.writeBody(p, frame.body);
          } catch (error) {
            if (!this.dead) {
              const failure =
                error instanceof TransportError
                  ? error
                  : new TransportError(`binary: upload source failed: ${(error as Error)?.message ?? String(error)}`, {
                      cause: error,
                      host: this.opts.label,
                      network: false,
                    });
              p.reject(failure);
              this.fail(
                new TransportError(`binary: connection to ${this.opts.label} closed after a failed upload`, {
                  host: this.opts.label,
                  network: false,
                }),
              );
            }
            return;
          }
        }
        if (p.state === 'writing') p.state = 'sent';
      }
    } finally {
      this.pumping = false;
    }
  }

  private async writeBody(p: Pending, body: UploadBody): Promise<void> {
    const total = body.size;
    let loaded = 0;
    p.spec.onUploadProgress?.({ loaded: 0, total });
    for await (const chunk of body.open()) {
      if (this.dead) return;
      if (chunk.byteLength === 0) continue;
      loaded += chunk.byteLength;
      if (loaded > total) {
        throw new TransportError(`binary: the upload source produced more than its declared ${total} bytes`, {
          host: this.opts.label,
          network: false,
        });
      }
      const ok = this.socket.write(chunk);
      p.spec.onUploadProgress?.({ loaded, total });
      if (!ok) await this.waitDrain();
    }
    if (loaded !== total && !this.dead) {
      throw new TransportError(`binary: the upload source ended after ${loaded} of its declared ${total} bytes`, {
        host: this.opts.label,
        network: false,
      });
    }
  }

  /**
   * Requests made in the same turn of the event loop leave in one system
   * call: pipelined calls are small, and a write each would cost more than
   * the calls themselves.
   */
  private batchWrites(): void {
    if (this.socket.writableCorked) return;
    this.socket.cork();
    process.nextTick(() => this.socket.uncork());
  }

  private waitDrain(): Promise<void> {
    if (this.dead) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private wakeDrain(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  // ---- reading ----------------------------------------------------------

  private onData(chunk: Buffer): void {
    if (this.dead) return;
    this.chunks.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.buffered += chunk.byteLength;
    this.process();
  }

  /** Removes and returns the first `n` buffered bytes (n <= buffered). */
  private take(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length >= n) {
      this.buffered -= n;
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - o);
      out.set(c.subarray(0, k), o);
      o += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.buffered -= n;
    return out;
  }

  private peek4(): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first;
    const out = new Uint8Array(4);
    let o = 0;
    for (const c of this.chunks) {
      const k = Math.min(c.length, 4 - o);
      out.set(c.subarray(0, k), o);
      o += k;
      if (o === 4) break;
    }
    return out;
  }

  private process(): void {
    try {
      while (!this.dead) {
        if (this.payload) {
          if (!this.feedPayload()) return;
          continue;
        }
        if (this.buffered < 4) break;
        const len = readFrameLength(this.peek4(), 0, this.opts.limits)!;
        if (this.buffered < 4 + len) break;
        const frame = this.take(4 + len);
        this.tap('in', frame);
        this.answer(frame.subarray(4));
      }
    } catch (error) {
      this.protocolFailure(error);
      return;
    }
    this.maybeIdle();
  }

  private answer(tree: Uint8Array): void {
    // Decode before taking the request off the queue: on a ProtocolError the
    // failure handler gives the error to this request, the others fail with
    // TransportError since the rest of the stream can no longer be trusted.
    const p = this.awaiting[0];
    if (!p) throw new ProtocolError('binary response: an answer arrived with no request outstanding');
    const decoded = decodeTree(tree, this.opts.limits);
    if (decoded.data.length > 1)
      throw new ProtocolError(`binary response: ${decoded.data.length} data values in one answer; at most one is supported`);
    const total = totalDataLength(decoded.data);
    if (typeof total === 'bigint') throw new ProtocolError(`binary response: data payload of ${total} bytes is too large`);
    this.awaiting.shift();
    p.state = 'answered';
    const value = decoded.value;
    if (decoded.data.length === 0) {
      p.resolve({ value });
      return;
    }
    for (const key of Object.keys(value)) if (value[key] instanceof BinaryData) delete value[key];
    const payload: Payload = { remaining: total, controller: null, owner: p };
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          payload.controller = controller;
        },
        pull: () => {
          if (this.paused && this.payload === payload) {
            this.paused = false;
            this.socket.resume();
            this.watchPayload(payload);
            queueMicrotask(() => this.process());
          }
        },
        cancel: () => this.cancelPayload(payload, null),
      },
      { highWaterMark: 1024 * 1024, size: (chunk) => chunk.byteLength },
    );
    this.payload = payload;
    this.watchPayload(payload);
    p.resolve({ value, data: { body, length: total } });
  }

  /** Moves buffered bytes into the current payload; true when it is complete. */
  private feedPayload(): boolean {
    const pl = this.payload!;
    while (pl.remaining > 0 && this.buffered > 0) {
      const first = this.chunks[0]!;
      const part = this.take(Math.min(pl.remaining, first.length));
      pl.remaining -= part.length;
      if (pl.controller) {
        pl.controller.enqueue(part);
        if (pl.remaining > 0 && (pl.controller.desiredSize ?? 1) <= 0) {
          if (!this.paused) {
            this.paused = true;
            this.socket.pause();
          }
          clearTimeout(pl.idle);
          return false;
        }
      }
    }
    if (pl.remaining > 0) {
      this.watchPayload(pl);
      return false;
    }
    clearTimeout(pl.idle);
    this.payload = null;
    pl.owner.detach();
    if (pl.controller) {
      try {
        pl.controller.close();
      } catch {
        /* already cancelled */
      }
    }
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    return true;
  }

  /** (Re)starts the payload's `bodyTimeout`, while bytes are awaited from the server. */
  private watchPayload(pl: Payload): void {
    clearTimeout(pl.idle);
    const ms = pl.owner.spec.bodyTimeout;
    if (ms === undefined || !(ms <= 2 ** 31 - 1) || this.payload !== pl || this.paused || this.dead) return;
    pl.idle = setTimeout(() => this.payloadStalled(pl, ms), ms);
  }

  /** No byte of the payload for `ms`: its stream fails with TimeoutError, and the connection, blocked by the rest, is closed. */
  private payloadStalled(pl: Payload, ms: number): void {
    if (this.payload !== pl || this.dead) return;
    const controller = pl.controller;
    pl.controller = null;
    try {
      controller?.error(new TimeoutError(ms, { phase: 'body', method: pl.owner.spec.method }));
    } catch {
      /* already closed */
    }
    this.fail(
      new TransportError(`binary: connection to ${this.opts.label} closed: a data answer sent no byte for ${ms} ms`, {
        host: this.opts.label,
        network: false,
      }),
    );
  }

  /**
   * The consumer stopped reading (cancel) or the call was aborted: skip the
   * rest of a small payload, close the connection for a large one.
   */
  private cancelPayload(pl: Payload, reason: unknown): void {
    if (this.payload !== pl || this.dead) return;
    const controller = pl.controller;
    pl.controller = null;
    if (reason !== null && controller) {
      try {
        controller.error(reason);
      } catch {
        /* already closed */
      }
    }
    if (pl.remaining > this.opts.drainLimit) {
      this.fail(
        new TransportError(`binary: connection to ${this.opts.label} closed to drop ${pl.remaining} unread download bytes`, {
          host: this.opts.label,
          network: false,
        }),
      );
      return;
    }
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    queueMicrotask(() => this.process());
  }

  /** The call's signal fired: drop it if it is still queued, else give up the connection (see below). */
  abort(p: Pending, reason: unknown): void {
    const error = abortError(reason);
    if (p.state === 'queued') {
      const i = this.toWrite.indexOf(p);
      if (i >= 0) this.toWrite.splice(i, 1);
      p.reject(error);
      this.maybeIdle();
      return;
    }
    if (this.payload?.owner === p) {
      p.detach();
      this.cancelPayload(this.payload, error);
      return;
    }
    if (p.settled) return;
    // Part of the request is on the wire: its answer would shift every later
    // answer, so the connection has to go.
    p.reject(error);
    this.fail(
      new TransportError(`binary: connection to ${this.opts.label} closed because a pipelined call was aborted`, {
        host: this.opts.label,
        network: false,
      }),
    );
  }

  private protocolFailure(error: unknown): void {
    const perr =
      error instanceof ProtocolError
        ? error
        : new ProtocolError(`binary response: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    // The answer at the head of the queue was the bad one.
    this.awaiting[0]?.reject(perr);
    this.fail(
      new TransportError(`binary: connection to ${this.opts.label} closed after a protocol error: ${perr.message}`, {
        cause: perr,
        host: this.opts.label,
        network: false,
      }),
    );
  }

  /** Shows a frame to the onFrame hook; a throwing hook must not break the connection. */
  private tap(dir: 'out' | 'in', bytes: Uint8Array): void {
    if (!this.opts.onFrame) return;
    try {
      this.opts.onFrame(dir, bytes);
    } catch {
      /* ignored */
    }
  }

  // ---- lifecycle --------------------------------------------------------

  private busy(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.socket.ref();
  }

  private maybeIdle(): void {
    if (this.dead || this.toWrite.length || this.awaiting.length || this.payload) return;
    // Nothing outstanding: let the process exit, and hang up after a while.
    this.socket.unref();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.close(), this.opts.idleTimeout);
    this.idleTimer.unref?.();
  }

  private fail(error: unknown): void {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.connectTimer);
    clearTimeout(this.idleTimer);
    this.socket.destroy();
    this.wakeDrain();
    const base = error instanceof TransportError ? error : new TransportError(String(error), { host: this.opts.label, network: false });
    const pl = this.payload;
    this.payload = null;
    clearTimeout(pl?.idle);
    if (pl?.controller) {
      try {
        pl.controller.error(
          new TransportError(`binary: connection to ${this.opts.label} ended after a download started: ${base.message}`, {
            cause: base,
            host: this.opts.label,
            network: false,
          }),
        );
      } catch {
        /* closed */
      }
    }
    pl?.owner.detach();
    for (const p of this.awaiting.splice(0)) {
      // Something of this request reached the socket, so it may have run.
      p.reject(
        new TransportError(base.message, {
          cause: base.cause,
          host: this.opts.label,
          network: p.state === 'writing' || p.state === 'sent' ? false : base.network,
        }),
      );
    }
    for (const p of this.toWrite.splice(0)) {
      p.reject(new TransportError(base.message, { cause: base.cause, host: this.opts.label, network: true }));
    }
    this.chunks = [];
    this.buffered = 0;
    this.opts.onClose(this);
  }
}

const NO_TLS_HINT = " (for a plain-TCP port such as the emulator's, use binaryTransport({ tls: false }))";

function abortError(reason: unknown): AbortError {
  if (reason instanceof AbortError) return reason;
  return new AbortError(undefined, { cause: reason });
}
