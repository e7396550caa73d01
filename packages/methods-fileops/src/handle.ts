/**
 * A file handle in the manner of Node's `fs.promises.FileHandle`: one open
 * descriptor on one dedicated connection of the client's transport, closed
 * (connection included) by `close()` or by `await using`.
 */
import { type CallOptions, type CoreClient, ValidationError } from '@pcloudkit/core';
import {
  file_checksum,
  file_close,
  file_lock,
  file_open,
  file_pread,
  file_pwrite,
  file_read,
  file_seek,
  file_size,
  file_truncate,
  file_write,
  type FileChecksumResult,
  type FileReadResult,
  type FileSizeResult,
} from './methods.js';

/** Open flags of `file_open`, as pCloud numbers them. */
export const O_WRITE = 0x0002;
/** Create the file when it does not exist. */
export const O_CREAT = 0x0040;
/** With O_CREAT: fail (2004) when the file exists. */
export const O_EXCL = 0x0080;
/** Empty the file when it is opened. */
export const O_TRUNC = 0x0200;
/** Every `write` lands at the end of the file. */
export const O_APPEND = 0x0400;

/** `whence` of `seek` and `lock`: from the start of the file, from the current offset, or from its end. */
export type Whence = 'start' | 'current' | 'end' | 0 | 1 | 2;

/** What `open` opens: a path, an existing file's id, or a new file's folder and name (with O_CREAT). */
export type OpenTarget = string | { path: string } | { fileid: number | bigint } | { folderid: number | bigint; name: string };

/** Bytes a handle writes: an array of bytes, a Blob, or text (sent as UTF-8). */
export type WriteData = Uint8Array | Blob | string;

/** A byte range for `lock` and `unlock`; `length` 0 (default) reaches to the end of the file. */
export interface LockRange {
  offset?: number;
  length?: number;
  whence?: Whence;
}

/** Options of {@link FileHandle.lock}. */
export interface LockOptions extends LockRange {
  /** `exclusive` (default) or `shared`. */
  mode?: 'exclusive' | 'shared';
  /** Answer at once (false when the lock is held elsewhere) instead of waiting for it. */
  wait?: boolean;
  /** Only test whether the lock could be taken. */
  test?: boolean;
}

/** Per-call options a handle passes on (signal, time limits). */
export type HandleCallOptions = Pick<CallOptions, 'signal' | 'timeout' | 'bodyTimeout' | 'onUploadProgress'>;

const WHENCE = { start: 0, current: 1, end: 2 } as const;
const whenceNumber = (w: Whence | undefined, method: string): number | undefined => {
  if (w === undefined) return undefined;
  const n = typeof w === 'number' ? w : WHENCE[w];
  if (n !== 0 && n !== 1 && n !== 2)
    throw new ValidationError(method, 'whence', `whence must be 'start', 'current' or 'end', not ${String(w)}`);
  return n;
};

let counter = 0;
/** A connection key no other handle uses. */
export function uniqueConnectionKey(prefix = 'fileops'): string {
  const random = globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `${prefix}:${++counter}:${random}`;
}

/** Reads a data answer to the end. */
export async function collect(data: FileReadResult): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = data.body.getReader();
  for (;;) {
    const next = await reader.read();
    if (next.done) break;
    parts.push(next.value);
    size += next.value.byteLength;
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** The host a transport's calls go to now, so every call of a handle reaches the same server. */
export async function currentHost(client: CoreClient): Promise<string> {
  const hosts = await client.hosts();
  const list = client.transport.hostKind === 'api' ? hosts.api : hosts.binapi;
  const host = list[0];
  if (!host) throw new TypeError('the client has no host to open a file on');
  return host;
}

/**
 * One open file on one connection. Every method travels on that connection;
 * `close()` closes the descriptor and the connection. Usable with
 * `await using`.
 */
export class FileHandle {
  // TypeScript-private rather than #fields: declarations with #private break consumers type-checking for older targets
  private isClosed = false;
  private readonly client: CoreClient;
  private readonly callOptions: CallOptions;

  /** @internal Made by {@link openFile}. */
  constructor(
    client: CoreClient,
    /** The descriptor, valid on this handle's connection only. */
    readonly fd: number,
    /** Id of the open file. */
    readonly fileid: number,
    /** The dedicated connection's key. */
    readonly connectionKey: string,
    host: string,
  ) {
    this.client = client;
    // No retries: a retry after a dropped connection would reach a new connection without this descriptor.
    this.callOptions = { connectionKey, host, retries: 0 };
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.isClosed;
  }

  private opts(method: string, extra?: HandleCallOptions): CallOptions {
    if (this.isClosed) throw new ValidationError(method, 'fd', 'the file handle is closed');
    return { ...extra, ...this.callOptions };
  }

  /** Reads up to `count` bytes at the current offset and moves it; fewer bytes mean the end of the file. */
  async read(count: number, options?: HandleCallOptions): Promise<Uint8Array> {
    return collect(await file_read(this.client, { fd: this.fd, count }, this.opts('file_read', options)));
  }

  /** Reads up to `count` bytes at `offset`; the current offset stays. */
  async pread(count: number, offset: number, options?: HandleCallOptions): Promise<Uint8Array> {
    return collect(await file_pread(this.client, { fd: this.fd, count, offset }, this.opts('file_pread', options)));
  }

  /** The bytes at `offset` as a web stream, not collected (read or cancel it before the next call). */
  preadStream(count: number, offset: number, options?: HandleCallOptions): Promise<FileReadResult> {
    return file_pread(this.client, { fd: this.fd, count, offset }, this.opts('file_pread', options));
  }

  /** Writes at the current offset (at the end with O_APPEND) and moves it; answers with the bytes written. */
  async write(data: WriteData, options?: HandleCallOptions): Promise<number> {
    const files = [{ name: 'data', data: bytesOf(data) }];
    return (await file_write(this.client, { fd: this.fd }, { ...this.opts('file_write', options), files })).bytes;
  }

  /** Writes at `offset`; the current offset stays. Answers with the bytes written. */
  async pwrite(data: WriteData, offset: number, options?: HandleCallOptions): Promise<number> {
    const files = [{ name: 'data', data: bytesOf(data) }];
    return (await file_pwrite(this.client, { fd: this.fd, offset }, { ...this.opts('file_pwrite', options), files })).bytes;
  }

  /** Moves the current offset (`offset` may be negative from `current` or `end`) and answers with the new one. */
  async seek(offset: number, whence: Whence = 'start', options?: HandleCallOptions): Promise<number> {
    const w = whenceNumber(whence, 'file_seek');
    return (await file_seek(this.client, { fd: this.fd, offset, whence: w }, this.opts('file_seek', options))).offset;
  }

  /** Cuts the file to `length` bytes, or pads it with zero bytes. */
  async truncate(length: number, options?: HandleCallOptions): Promise<void> {
    await file_truncate(this.client, { fd: this.fd, length }, this.opts('file_truncate', options));
  }

  /** The file's size and the current offset. */
  async size(options?: HandleCallOptions): Promise<FileSizeResult> {
    const { size, offset } = await file_size(this.client, { fd: this.fd }, this.opts('file_size', options));
    return { size, offset };
  }

  /** SHA-1 (and MD5 where the region gives it) of `count` bytes at `offset`; the whole file by default. */
  async checksum(range: { offset?: number; count?: number } = {}, options?: HandleCallOptions): Promise<FileChecksumResult> {
    const offset = range.offset ?? 0;
    const count = range.count ?? Math.max(0, (await this.size(options)).size - offset);
    const sums = await file_checksum(this.client, { fd: this.fd, offset, count }, this.opts('file_checksum', options));
    return { sha1: sums.sha1, ...(sums.md5 !== undefined ? { md5: sums.md5 } : {}), size: sums.size };
  }

  /**
   * Takes an advisory lock on a range (the whole file by default):
   * exclusive unless `mode: 'shared'`. Waits for it unless `wait: false`;
   * answers whether it was granted (with `test`: whether it would be).
   */
  async lock(options: LockOptions = {}, call?: HandleCallOptions): Promise<boolean> {
    const type = options.mode === 'shared' ? 1 : options.mode === undefined || options.mode === 'exclusive' ? 2 : Number.NaN;
    if (Number.isNaN(type))
      throw new ValidationError('file_lock', 'type', `mode must be 'exclusive' or 'shared', not ${String(options.mode)}`);
    return this.lockRange(type, options, call);
  }

  /** Releases a lock taken by this descriptor (the whole file by default). */
  async unlock(range: LockRange = {}, call?: HandleCallOptions): Promise<void> {
    await this.lockRange(0, range, call);
  }

  private async lockRange(type: number, options: LockOptions, call?: HandleCallOptions): Promise<boolean> {
    const params = {
      fd: this.fd,
      type,
      offset: options.offset,
      length: options.length,
      whence: whenceNumber(options.whence, 'file_lock'),
      noblock: options.wait === false ? true : undefined,
      get: options.test ? true : undefined,
    };
    return (await file_lock(this.client, params, this.opts('file_lock', call))).locked;
  }

  /** Closes the descriptor and its connection. Calling it again does nothing. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    try {
      await file_close(this.client, { fd: this.fd }, this.callOptions);
    } finally {
      await this.client.transport.release?.(this.connectionKey);
    }
  }

  /** For `await using`: closes the handle, ignoring a connection that is already gone. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close().catch(() => {});
  }
}

function bytesOf(data: WriteData): Uint8Array | Blob {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (data instanceof Uint8Array) return data;
  if (typeof Blob !== 'undefined' && data instanceof Blob) return data;
  throw new ValidationError('file_write', 'data', 'write takes a Uint8Array, a Blob or a string');
}

/** The `file_open` params for a target. */
export function targetParams(
  target: OpenTarget,
): { path: string } | { fileid: number | bigint } | { folderid: number | bigint; name: string } {
  if (typeof target === 'string') return { path: target };
  if (target && typeof target === 'object') {
    if ('path' in target && typeof target.path === 'string') return { path: target.path };
    if ('fileid' in target && target.fileid !== undefined) return { fileid: target.fileid };
    if ('folderid' in target && target.folderid !== undefined && typeof target.name === 'string')
      return { folderid: target.folderid, name: target.name };
  }
  throw new ValidationError('file_open', 'target', 'open takes a path, { path }, { fileid } or { folderid, name }');
}

/**
 * Opens a file on a connection of its own and answers with a handle.
 * `flags` combines {@link O_WRITE}, {@link O_CREAT}, {@link O_EXCL},
 * {@link O_TRUNC} and {@link O_APPEND}; 0 (default) opens an existing file
 * for reading.
 */
export async function openFile(
  client: CoreClient,
  target: OpenTarget,
  flags = 0,
  options: Pick<CallOptions, 'signal' | 'timeout'> = {},
): Promise<FileHandle> {
  const params = { flags, ...targetParams(target) };
  const connectionKey = uniqueConnectionKey();
  const host = await currentHost(client);
  try {
    const { fd, fileid } = await file_open(client, params as never, { ...options, connectionKey, host, retries: 0 });
    return new FileHandle(client, fd, fileid, connectionKey, host);
  } catch (error) {
    await client.transport.release?.(connectionKey);
    throw error;
  }
}
