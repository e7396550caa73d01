/**
 * ZIP and TAR for the archiving methods, on well-kept libraries: yazl writes
 * ZIP archives (stored entries, UTF-8 names, zip64 when needed, total size
 * known before the first byte), @zip.js/zip.js reads ZIP archives (ZipCrypto
 * and AES included), tar-stream reads TAR (gunzipped by zlib first for
 * TAR.GZ). Nothing here knows about users or the store's records.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as zipjs from '@zip.js/zip.js';
import * as tarStream from 'tar-stream';
import { ZipFile } from 'yazl';

zipjs.configure({ useWebWorkers: false });

/** One entry of a ZIP to write: a folder (`open` absent) or a file of `size` bytes. */
export interface ZipSource {
  /** Path inside the archive, `/`-separated, without a trailing slash. */
  path: string;
  /** Modification time, Unix seconds. */
  modified: number;
  size?: number;
  open?: () => Readable;
}

/**
 * Parses a `timeoffset` (`+0200`, `-05:00`, `+2`) into seconds east of UTC;
 * undefined when absent, NaN when not understood.
 */
export function parseTimeOffset(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(text.trim());
  if (!m) return Number.NaN;
  const seconds = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60;
  return m[1] === '-' ? -seconds : seconds;
}

/**
 * A Date whose local-time fields read as the UTC time `offset` seconds
 * east: yazl writes DOS timestamps from local time, so this makes archives
 * independent of the machine's time zone.
 */
function dosDate(unixSeconds: number, offset: number): Date {
  const shifted = new Date((unixSeconds + offset) * 1000);
  return new Date(shifted.getTime() + shifted.getTimezoneOffset() * 60_000);
}

/**
 * Streams a ZIP of `entries` (in order, files stored without compression).
 * `size` resolves with the archive's exact length before any byte is read,
 * so answers can carry a Content-Length. `onFile` sees each file's bytes as
 * they are added (savezip's progress).
 */
export function zipStream(
  entries: readonly ZipSource[],
  opts: { offset?: number; onBytes?: (n: number) => void; onFileDone?: () => void } = {},
): { stream: Readable; size: Promise<number> } {
  const zip = new ZipFile();
  const offset = opts.offset ?? 0;
  /** The file being read into the archive, closed when the archive is dropped half-way. */
  let current: Readable | undefined;
  for (const e of entries) {
    const mtime = dosDate(e.modified, offset);
    if (!e.open) {
      zip.addEmptyDirectory(e.path, { mtime, forceDosTimestamp: true });
      continue;
    }
    const openFile = e.open;
    zip.addReadStreamLazy(e.path, { size: e.size ?? 0, compress: false, mtime, forceDosTimestamp: true }, (cb) => {
      const source = openFile();
      current = source;
      if (!opts.onBytes && !opts.onFileDone) return cb(null, source);
      const counted = new PassThrough();
      source.on('data', (chunk: Buffer) => opts.onBytes?.(chunk.length));
      source.on('end', () => opts.onFileDone?.());
      source.on('error', (err) => counted.destroy(err));
      cb(null, source.pipe(counted));
    });
  }
  // yazl passes the total to this callback (its typings say otherwise)
  const end = zip.end.bind(zip) as (options: undefined, done: (total: number) => void) => void;
  const size = new Promise<number>((resolve) => end(undefined, resolve));
  const stream = zip.outputStream as unknown as Readable;
  zip.on('error', (err: Error) => stream.destroy(err));
  stream.once('close', () => current?.destroy());
  return { stream, size };
}

/** A ZIP made in memory from a few small buffers (seed data, tests). */
export async function zipBuffer(
  files: Readonly<Record<string, Buffer | string>>,
  modified = Math.floor(Date.now() / 1000),
): Promise<Buffer> {
  const entries = Object.entries(files).map(([path, data]) => {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
    return { path, modified, size: bytes.length, open: () => Readable.from([bytes]) };
  });
  const chunks: Buffer[] = [];
  for await (const c of zipStream(entries).stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The kinds of archive `extract` understands, told apart by their first bytes. */
export type ArchiveKind = 'zip' | 'tar' | 'tar.gz';

export function archiveKind(head: Buffer): ArchiveKind | undefined {
  if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'zip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0x06054b50) return 'zip'; // an empty archive
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
  if (head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar') return 'tar';
  return undefined;
}

/** One member of an archive being unpacked. */
export interface ArchiveMember {
  /** Path inside the archive, `/`-separated. */
  path: string;
  directory: boolean;
  /** Modification time, Unix seconds, when the archive has one. */
  modified?: number;
  /** The member's bytes (files only); must be consumed before the next member comes. */
  data?: Readable;
}

/** Thrown for an encrypted ZIP opened without its password, or with a wrong one. */
export class PasswordError extends Error {
  constructor(readonly missing: boolean) {
    super(missing ? 'the archive is encrypted' : 'wrong password');
    this.name = 'PasswordError';
  }
}

/** zip.js reads the archive from a file by offset, so big archives never sit in memory. */
class FileRangeReader extends zipjs.Reader<string> {
  private handle: FileHandle | undefined;
  constructor(private readonly file: string) {
    super(file);
  }
  override async init(): Promise<void> {
    this.handle = await open(this.file);
    this.size = (await this.handle.stat()).size;
  }
  override async readUint8Array(index: number, length: number): Promise<Uint8Array> {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await this.handle!.read(buf, 0, length, index);
    return new Uint8Array(buf.buffer, buf.byteOffset, bytesRead);
  }
  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }
}

function isPasswordFailure(e: unknown): PasswordError | undefined {
  const msg = (e as Error | undefined)?.message;
  if (msg === zipjs.ERR_ENCRYPTED) return new PasswordError(true);
  if (msg === zipjs.ERR_INVALID_PASSWORD) return new PasswordError(false);
  return undefined;
}

/**
 * An opened archive on disk. `check` fails with PasswordError when an
 * encrypted ZIP member cannot be opened with `password`; `members` walks
 * the archive in order.
 */
export interface OpenedArchive {
  kind: ArchiveKind;
  check(): Promise<void>;
  members(): AsyncIterable<ArchiveMember>;
  close(): Promise<void>;
}

export async function openArchive(file: string, kind: ArchiveKind, password: string | undefined): Promise<OpenedArchive> {
  if (kind === 'zip') return openZip(file, password);
  return {
    kind,
    async check() {},
    members: () => tarMembers(file, kind === 'tar.gz'),
    async close() {},
  };
}

async function openZip(file: string, password: string | undefined): Promise<OpenedArchive> {
  const source = new FileRangeReader(file);
  const reader = new zipjs.ZipReader(source, password !== undefined ? { password } : {});
  let entries: zipjs.Entry[];
  try {
    entries = await reader.getEntries();
  } catch (e) {
    await source.close();
    throw e;
  }
  return {
    kind: 'zip',
    async check() {
      const first = entries.find((e) => e.encrypted && !e.directory);
      if (!first || first.directory) return;
      try {
        await first.getData(new WritableStream(), { checkPasswordOnly: true });
      } catch (e) {
        throw isPasswordFailure(e) ?? e;
      }
    },
    async *members() {
      for (const entry of entries) {
        const modified = Math.floor(entry.lastModDate.getTime() / 1000);
        if (entry.directory) {
          yield { path: entry.filename, directory: true, modified };
          continue;
        }
        const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
        const data = Readable.fromWeb(readable as import('node:stream/web').ReadableStream<Uint8Array>);
        const writing = entry.getData(writable).catch((e: unknown) => {
          data.destroy(isPasswordFailure(e) ?? (e as Error));
        });
        yield { path: entry.filename, directory: false, modified, data };
        await writing;
      }
    },
    async close() {
      await reader.close();
      await source.close();
    },
  };
}

async function* tarMembers(file: string, gzip: boolean): AsyncIterable<ArchiveMember> {
  const extract = tarStream.extract();
  const handle = await open(file);
  const input = handle.createReadStream();
  const feeding = (gzip ? pipeline(input, createGunzip(), extract) : pipeline(input, extract)).catch((e: unknown) =>
    extract.destroy(e as Error),
  );
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const modified = h.mtime ? Math.floor(h.mtime.getTime() / 1000) : undefined;
      if (h.type === 'directory') {
        entry.resume();
        yield { path: h.name, directory: true, ...(modified !== undefined ? { modified } : {}) };
      } else if (h.type === 'file' || h.type === 'contiguous-file') {
        yield { path: h.name, directory: false, ...(modified !== undefined ? { modified } : {}), data: entry as unknown as Readable };
      } else {
        entry.resume(); // links, devices and the like are not unpacked
      }
    }
  } finally {
    await feeding;
  }
}
