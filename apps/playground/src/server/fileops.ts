/**
 * The file handle panel and the resumable upload, run by the server for
 * both transports: a file descriptor lives on one connection, and a page
 * can neither open a binary-protocol connection nor choose which HTTP
 * connection fetch uses. Each open handle keeps its own client, so every
 * call on it travels on the handle's dedicated connection (transport-http
 * keeps one keep-alive socket per connection key, transport-binary one TCP
 * connection).
 */
import {
  createClient,
  redactParams,
  stringifyJson,
  type AuthOptions,
  type CoreClient,
  type Region,
  type Transport,
  type TransportRequest,
} from '@pcloudkit/core';
import { openFile, uploadLarge, type FileHandle, type UploadLargeProgress, type Whence } from '@pcloudkit/methods-fileops';
import { binaryTransport } from '@pcloudkit/transport-binary';
import { httpTransport } from '@pcloudkit/transport-http';
import { describeError, plain, scrub, type ErrorInfo, type TransportName } from '../shared/output.js';

/** Where a handle's calls go. */
export interface FileopsTarget {
  transport: TransportName;
  region: 'us' | 'eu' | Region;
  auth?: AuthOptions;
  secrets: string[];
  tls: boolean;
}

/** One call as the panel shows it. */
export interface LoggedCall {
  method: string;
  params: Record<string, unknown>;
  /** The dedicated connection the call used. */
  connection?: string;
  ms: number;
  error?: string;
}

export interface OpResult {
  /** The answer as JSON text (64-bit exact), when the operation succeeded. */
  result?: string;
  error?: ErrorInfo;
  /** The wire calls the operation made, in order. */
  calls: LoggedCall[];
}

export type HandleOp =
  | { op: 'read'; count: number }
  | { op: 'write'; text: string }
  | { op: 'seek'; offset: number; whence: Whence }
  | { op: 'size' }
  | { op: 'checksum' }
  | { op: 'truncate'; length: number }
  | { op: 'close' };

/** A transport wrapper that logs every call (method, params without credentials, connection key, time). */
function logging(inner: Transport, log: LoggedCall[], secrets: readonly string[]): Transport {
  return {
    name: inner.name,
    hostKind: inner.hostKind,
    async call(request: TransportRequest) {
      const entry: LoggedCall = {
        method: request.method,
        params: plain(redactParams(request.params)),
        connection: request.connectionKey,
        ms: 0,
      };
      log.push(entry);
      const started = performance.now();
      try {
        return await inner.call(request);
      } catch (error) {
        entry.error = scrub((error as Error).message, secrets);
        throw error;
      } finally {
        entry.ms = Math.round((performance.now() - started) * 10) / 10;
      }
    },
    ...(inner.release ? { release: (key: string) => inner.release!(key) } : {}),
    close: () => inner.close(),
  };
}

interface Session {
  client: CoreClient;
  handle: FileHandle;
  log: LoggedCall[];
  secrets: string[];
}

const MAX_HANDLES = 8;

/** The open handles of the panel, by id. */
export class Handles {
  private readonly sessions = new Map<string, Session>();
  private seq = 0;

  private client(target: FileopsTarget, log: LoggedCall[]): CoreClient {
    const inner = target.transport === 'binary' ? binaryTransport({ tls: target.tls }) : httpTransport();
    return createClient({ transport: logging(inner, log, target.secrets), auth: target.auth, region: target.region, retries: 0 });
  }

  private async run(session: Pick<Session, 'log' | 'secrets'>, work: () => Promise<unknown>): Promise<OpResult> {
    const from = session.log.length;
    try {
      const value = await work();
      return { result: scrub(stringifyJson(value ?? null, 2), session.secrets), calls: session.log.slice(from) };
    } catch (error) {
      return { error: describeError(error, session.secrets), calls: session.log.slice(from) };
    }
  }

  /** Opens `path` with `flags` on a new dedicated connection. */
  async open(target: FileopsTarget, path: string, flags: number): Promise<OpResult & { id?: string }> {
    const log: LoggedCall[] = [];
    const client = this.client(target, log);
    let handle: FileHandle | undefined;
    const out = await this.run({ log, secrets: target.secrets }, async () => {
      handle = await openFile(client, path, flags);
      return { fd: handle.fd, fileid: handle.fileid, connection: handle.connectionKey, transport: target.transport };
    });
    if (!handle) {
      await client.close().catch(() => {});
      return out;
    }
    const id = `h${++this.seq}`;
    this.sessions.set(id, { client, handle, log, secrets: target.secrets });
    while (this.sessions.size > MAX_HANDLES) await this.drop(this.sessions.keys().next().value!);
    return { ...out, id };
  }

  /** Runs one operation on an open handle. */
  async op(id: string, op: HandleOp): Promise<OpResult | undefined> {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const { handle } = session;
    const out = await this.run(session, async () => {
      switch (op.op) {
        case 'read': {
          const bytes = await handle.read(op.count);
          return { length: bytes.length, text: new TextDecoder().decode(bytes) };
        }
        case 'write':
          return { bytes: await handle.write(op.text) };
        case 'seek':
          return { offset: await handle.seek(op.offset, op.whence) };
        case 'size':
          return handle.size();
        case 'checksum':
          return handle.checksum();
        case 'truncate':
          await handle.truncate(op.length);
          return { length: op.length };
        case 'close':
          await handle.close();
          return { closed: true };
      }
    });
    if (op.op === 'close') await this.drop(id);
    return out;
  }

  private async drop(id: string): Promise<void> {
    const session = this.sessions.get(id);
    this.sessions.delete(id);
    if (!session) return;
    await session.handle.close().catch(() => {});
    await session.client.close().catch(() => {});
  }

  async closeAll(): Promise<void> {
    for (const id of [...this.sessions.keys()]) await this.drop(id);
  }

  /**
   * The resumable upload (`uploadLarge`) of `bytes` to `path`, reporting
   * progress and each reconnection through `onEvent`.
   */
  async uploadLarge(
    target: FileopsTarget,
    bytes: Uint8Array,
    path: string,
    chunkSize: number,
    onEvent: (event: { type: 'progress' } & UploadLargeProgress) => void,
  ): Promise<OpResult> {
    const log: LoggedCall[] = [];
    const client = this.client(target, log);
    try {
      return await this.run({ log, secrets: target.secrets }, () =>
        uploadLarge(client, bytes, { path }, { chunkSize, retryDelay: 100, onProgress: (p) => onEvent({ type: 'progress', ...p }) }),
      );
    } finally {
      await client.close().catch(() => {});
    }
  }
}
