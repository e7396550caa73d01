/**
 * Resumable upload of a large file through `file_pwrite`: the bytes go in
 * chunks to a temporary file next to the target, one chunk held in memory
 * at a time (plus the one before it), so memory stays flat whatever the
 * size. After a dropped connection the file is opened again on a fresh
 * connection, `file_size` says how far the server got, `file_checksum` of
 * the last chunk checks those bytes, and sending goes on from there. At the
 * end the server's checksums of the whole file (`checksumfile`) must equal
 * the local ones; only then is the temporary file renamed over the target
 * (`renamefile` replaces a file of that name in one step).
 */
import {
  AbortError,
  concatBytes,
  ApiError,
  type CoreClient,
  IntegrityError,
  PcloudError,
  ProtocolError,
  TimeoutError,
  TransportError,
  ValidationError,
} from '@pcloudkit/core';
import { currentHost, O_CREAT, O_EXCL, O_WRITE, uniqueConnectionKey } from './handle.js';
import { file_checksum, file_close, file_open, file_pwrite, file_size, file_truncate } from './methods.js';
import { type ChunkReader, type HashFactory, type HashName, type LargeSource, openSource, type PathOpener } from './source.js';

/** Where the upload ends up: a folder and a name, or a full path. */
export type UploadTarget = { folderid: number | bigint; name: string } | { path: string };

/** Progress of {@link uploadLarge}. */
export interface UploadLargeProgress {
  /** Bytes the server has acknowledged. */
  loaded: number;
  /** Size of the source, when known. */
  total?: number;
  /** Bytes handed to the network so far, resent ones included. */
  sent: number;
  /** Times the upload reconnected and went on. */
  resumes: number;
}

/** Options of {@link uploadLarge}. */
export interface UploadLargeOptions {
  /** Length of a stream source (bytes, Blobs and files know theirs). Only used for progress. */
  size?: number;
  /**
   * Bytes per `file_pwrite`. Default 4 MiB over the binary protocol, 2 MiB over HTTP. Memory use is
   * a few chunks: two travelling, one read ahead, the last one acknowledged, and (Node entry) two
   * being hashed.
   */
  chunkSize?: number;
  /** Stops the upload (AbortError). The temporary file stays, so the resume token still works. */
  signal?: AbortSignal;
  onProgress?: (progress: UploadLargeProgress) => void;
  /**
   * Called once the temporary file exists, with a short string to store. Pass
   * it back as `resume` (with the same source and target) to go on in
   * another process, without sending again what the server already has.
   */
  onResumeToken?: (token: string) => void;
  /** A token from `onResumeToken` of an earlier, interrupted upload of the same source to the same target. */
  resume?: string;
  /**
   * Files and Blobs go as requests of at most this many bytes, each streamed from the source while
   * it is read (memory stays small whatever the size); default 64 MiB. The first request carries
   * 1 MiB (or less, when this is smaller); each next one is sized from the speed of the last so that
   * it takes about a quarter of the call timeout (8 s at most), which keeps a slow link under the
   * timeout and lets a fast one send long requests. Set it to `chunkSize` or less to send them in
   * chunks held in memory, as streams always are.
   */
  segmentSize?: number;
  /** Reconnections in a row without a chunk getting through before the upload gives up. Default 5. */
  maxRetries?: number;
  /** Milliseconds before the first reconnection; doubles each time in a row, up to 5 s. Default 200. */
  retryDelay?: number;
  /** Milliseconds allowed for each call (one chunk). Default: the client's `timeout`. */
  timeout?: number;
  /**
   * Whole-file hashes computed locally and compared with the server's before the rename. Default
   * `['sha1']`, which every region reports and which alone catches any changed byte. Add `'md5'`
   * (US) or `'sha256'` (EU) to check those too; a hash the region does not report is skipped. Each
   * extra hash costs CPU on the client (md5 roughly halves the throughput on a small machine).
   */
  checksums?: HashName[];
}

/** Answer of {@link uploadLarge}. */
export interface UploadLargeResult {
  /** The file at the target, as `renamefile` answered. */
  metadata: Record<string, unknown> & { fileid: number; name: string; size: number };
  /** Hex checksums checked against the server's, by name: `sha1` always, and those `checksums` asked for that the region reports. */
  checksums: Partial<Record<HashName, string>>;
  /** Bytes in the file. */
  size: number;
  /** Bytes handed to the network, resent ones included. */
  sent: number;
  /** Times the upload reconnected and went on. */
  resumes: number;
}

/** What the Node entry supplies: file access and native hashes. */
export interface UploadPlatform {
  openPath?: PathOpener;
  /** Hashes computed on the spot (short ranges, and the whole file without `hashStream`). */
  hash: HashFactory;
  /** Hashes of the whole file computed elsewhere (the Node entry uses worker threads for md5); undefined: on the spot. */
  hashStream?: (names: HashName[]) => HashStream | undefined;
}

/** The running hashes of the whole upload. */
export interface HashStream {
  /** Adds bytes; a promise means "wait before adding more" (bounded memory). */
  update(bytes: Uint8Array): void | Promise<void>;
  digests(): Promise<Partial<Record<HashName, string>>>;
  close(): void;
}

function syncHashStream(factory: HashFactory, names: HashName[]): HashStream {
  const hashers = names.map((name) => [name, factory(name)] as const);
  return {
    update(bytes) {
      for (const [, h] of hashers) h.update(bytes);
    },
    digests: async () => Object.fromEntries(hashers.map(([name, h]) => [name, h.digest()])),
    close() {},
  };
}

interface Token {
  v: 1;
  /** Temporary file id. */
  f: number;
  /** Target, as given. */
  t: UploadTarget;
  /** Chunk size used. */
  c: number;
  /** Hash names the region reports. */
  h: HashName[];
}

/**
 * Default bytes per chunk, and chunks on the connection at once (two: the
 * binary protocol pipelines them, HTTP has the next request ready as soon as
 * an answer comes). Over HTTP chunks are 2 MiB, since its client library
 * holds more memory of its own.
 */
/** Default largest streamed request for files and Blobs. */
const SEGMENT = 64 * 1024 * 1024;
/** Bytes of the first streamed request, before the link's speed is known. */
const FIRST_SEGMENT = 1024 * 1024;
/** Smallest streamed request the speed can bring a segment down to. */
const MIN_SEGMENT = 64 * 1024;
/** Longest time a streamed request is sized to take (and at most a quarter of the call timeout). */
const SEGMENT_TIME = 8000;
/** Default call timeout of the client, used when neither the options nor the client set one. */
const DEFAULT_TIMEOUT = 30_000;
/** Bytes read from the source at a time while a segment streams. */
const PIECE = 256 * 1024;
/** Pieces being read ahead of the one the connection takes. */
const READ_AHEAD = 4;

const PACING = { binapi: { chunk: 4 * 1024 * 1024, inFlight: 2 }, api: { chunk: 2 * 1024 * 1024, inFlight: 2 } } as const;

function encodeToken(token: Token): string {
  const json = JSON.stringify(token, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  return btoa(json).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decodeToken(text: string): Token {
  try {
    const token = JSON.parse(atob(text.replace(/-/g, '+').replace(/_/g, '/'))) as Token;
    if (token.v === 1 && Number.isSafeInteger(token.f) && Number.isSafeInteger(token.c) && Array.isArray(token.h) && token.t) return token;
  } catch {
    // reported below
  }
  throw new ValidationError('uploadLarge', 'resume', 'not a resume token of uploadLarge');
}

const sameTarget = (a: UploadTarget, b: UploadTarget) =>
  JSON.stringify(a, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) ===
  JSON.stringify(b, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));

/** Failures after which reconnecting may help: the connection, a time limit, a garbled answer, a lost descriptor, a server error. */
function recoverable(error: unknown): boolean {
  if (error instanceof AbortError || error instanceof ValidationError) return false;
  if (error instanceof TransportError || error instanceof TimeoutError || error instanceof ProtocolError) return true;
  if (error instanceof ApiError) return error.result === 1007 || error.result >= 5000;
  return false;
}

function checkTarget(target: UploadTarget): { parent: { folderid: number | bigint } | { dir: string }; name: string } {
  if (target && typeof target === 'object') {
    if ('path' in target && typeof target.path === 'string') {
      const i = target.path.lastIndexOf('/');
      const name = target.path.slice(i + 1);
      if (i < 0 || !name) throw new ValidationError('uploadLarge', 'path', `path must be absolute and name a file: ${target.path}`);
      return { parent: { dir: target.path.slice(0, i) }, name };
    }
    if ('folderid' in target && target.folderid !== undefined && typeof target.name === 'string' && target.name !== '')
      return { parent: { folderid: target.folderid }, name: target.name };
  }
  throw new ValidationError('uploadLarge', 'target', 'the target is { folderid, name } or { path }');
}

/** A chunk and where it starts in the file. */
interface Piece {
  start: number;
  bytes: Uint8Array;
}
const end = (p: Piece) => p.start + p.bytes.byteLength;

/** A chunk handed to the connection, and how much of it went out. */
interface Flight {
  piece: Piece;
  sent: number;
  done: Promise<void>;
}

/**
 * Bytes of the next streamed request: what `rate` (bytes per ms) moves in `target` ms, at most four
 * times `last` (one fast answer is not trusted further), between `MIN_SEGMENT` and `max`.
 */
function nextSegment(rate: number, target: number, last: number, max: number): number {
  const wanted = Number.isFinite(rate) && rate > 0 ? Math.floor(rate * target) : MIN_SEGMENT;
  return Math.max(Math.min(MIN_SEGMENT, max), Math.min(max, 4 * last, wanted));
}

/** Implementation shared by both entries; `platform` brings file access and hashes. */
export async function uploadLargeWith(
  platform: UploadPlatform,
  client: CoreClient,
  source: LargeSource,
  target: UploadTarget,
  options: UploadLargeOptions = {},
): Promise<UploadLargeResult> {
  const { signal } = options;
  const { parent, name } = checkTarget(target);
  const pacing = PACING[client.transport.hostKind] ?? PACING.api;
  const chunkSize = options.chunkSize ?? pacing.chunk;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1)
    throw new ValidationError('uploadLarge', 'chunkSize', 'chunkSize must be a positive integer');
  if (
    options.checksums !== undefined &&
    !(Array.isArray(options.checksums) && options.checksums.every((h) => h === 'sha1' || h === 'md5' || h === 'sha256'))
  )
    throw new ValidationError('uploadLarge', 'checksums', "checksums is a list of 'sha1', 'md5' and 'sha256'");
  const maxRetries = options.maxRetries ?? 5;
  const retryDelay = options.retryDelay ?? 200;
  const throwIfAborted = () => {
    if (signal?.aborted) throw new AbortError('the upload was aborted', { cause: signal.reason });
  };
  throwIfAborted();

  let token = options.resume !== undefined ? decodeToken(options.resume) : undefined;
  if (token && !sameTarget(token.t, target)) throw new ValidationError('uploadLarge', 'resume', 'the resume token is for another target');
  if (token && token.c !== chunkSize && options.chunkSize !== undefined)
    throw new ValidationError('uploadLarge', 'resume', `the resume token was made with chunkSize ${token.c}`);
  const chunk = token?.c ?? chunkSize;

  // Chunks held at once: one read ahead, those on the connection, the last acknowledged one, and one spare.
  const reader: ChunkReader = await openSource(source, options.size, platform.openPath, pacing.inFlight + 3);
  const total = reader.size ?? options.size;
  const host = await currentHost(client);
  let key = uniqueConnectionKey('upload');
  let fd = 0;
  let sent = 0;
  let resumes = 0;
  const call = () => ({
    connectionKey: key,
    host,
    retries: 0,
    signal,
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
  });
  const progress = (loaded: number) => {
    try {
      options.onProgress?.({ loaded, ...(total !== undefined ? { total } : {}), sent, resumes });
    } catch {
      // a listener's error does not stop the upload
    }
  };

  let stream: HashStream | undefined;
  try {
    // The hashing starts now (worker threads take a moment to boot) with the hashes asked for; those the
    // region turns out not to report are left out of the check below.
    const wanted = [...new Set<HashName>(['sha1', ...(options.checksums ?? [])])];
    stream = platform.hashStream?.(wanted) ?? syncHashStream(platform.hash, wanted);
    // 1. The temporary file, new or the one of the token.
    let hashes: HashName[];
    let tempId: number;
    let resumeAt = 0;
    const reopen = async (): Promise<number> => {
      const opened = await file_open(client, { flags: O_WRITE, fileid: tempId }, call());
      fd = opened.fd;
      return (await file_size(client, { fd }, call())).size;
    };
    if (token) {
      tempId = token.f;
      hashes = token.h;
      try {
        resumeAt = await reopen();
      } catch (error) {
        if (!(error instanceof ApiError && error.result === 2009)) throw error;
        token = undefined; // the temporary file is gone: start again
      }
    }
    if (!token) {
      const tempName = `.${name}.${uniqueConnectionKey('part').split(':').pop()!.slice(0, 12)}.upload`;
      const where = 'folderid' in parent ? { folderid: parent.folderid, name: tempName } : { path: `${parent.dir}/${tempName}` };
      const opened = await file_open(client, { flags: O_WRITE | O_CREAT | O_EXCL, ...where } as never, call());
      fd = opened.fd;
      tempId = opened.fileid;
      // Which whole-file hashes this region reports (sha1 everywhere, md5 in the US, sha256 in the EU).
      const probe = await client.call<Record<string, unknown>>('checksumfile', { fileid: tempId }, { signal, retries: 0 });
      hashes = (['sha1', 'md5', 'sha256'] as const).filter((h) => typeof probe[h] === 'string');
      if (!hashes.includes('sha1')) throw new ProtocolError('checksumfile: the answer has no sha1');
      token = { v: 1, f: tempId, t: target, c: chunk, h: hashes };
    }
    options.onResumeToken?.(encodeToken(token));
    const hashAll = (bytes: Uint8Array) => stream!.update(bytes);

    // 2. A resumed upload: hash what the server has, after checking its last chunk.
    let offset = 0;
    let prev: Piece | undefined;
    if (resumeAt > 0) {
      while (offset < resumeAt) {
        throwIfAborted();
        const bytes = await reader.next(Math.min(chunk, resumeAt - offset));
        if (bytes.byteLength === 0) break;
        prev = { start: offset, bytes };
        await hashAll(bytes);
        offset += bytes.byteLength;
      }
      const same =
        offset === resumeAt &&
        prev !== undefined &&
        (await file_checksum(client, { fd, offset: prev.start, count: prev.bytes.byteLength }, call())).sha1.toLowerCase() ===
          localSha1(platform, prev.bytes);
      if (!same) {
        // The server's copy is longer than the source or its end differs: start again from nothing.
        if (!reader.seekable) throw new PcloudError('uploadLarge: the resumed file does not match the stream, which cannot be read again');
        await client.transport.release?.(key);
        await client.call('deletefile', { fileid: tempId! }, { signal }).catch(() => {});
        await reader.close();
        return await uploadLargeWith(platform, client, source, target, { ...options, resume: undefined });
      }
      progress(offset);
    }

    // Step 4, after a dropped connection: reconnect, cut the server's copy back to `top` (what was handed
    // over), compare its bytes from `checkFrom(size)` on with ours, and go on from what it really has.
    let failures = 0;
    const reconnect = async (
      top: number,
      checkFrom: (size: number) => number,
      ours: (from: number, to: number) => Promise<Uint8Array>,
    ): Promise<number> => {
      for (;;) {
        failures++;
        resumes++;
        await client.transport.release?.(key);
        key = uniqueConnectionKey('upload');
        await sleep(Math.min(5000, retryDelay * 2 ** (failures - 1)), signal);
        try {
          let size = await reopen();
          if (size > top) {
            await file_truncate(client, { fd, length: top }, call());
            size = top;
          }
          const from = checkFrom(size);
          if (size > from) {
            const local = localSha1(platform, await ours(from, size));
            const remote = await file_checksum(client, { fd, offset: from, count: size - from }, call());
            if (remote.sha1.toLowerCase() !== local) {
              await file_truncate(client, { fd, length: from }, call());
              size = from;
            }
          }
          return size;
        } catch (again) {
          throwIfAborted();
          if (!recoverable(again) || failures >= maxRetries) throw again;
        }
      }
    };

    // 3. Files and Blobs (read again at will) go as a few long requests, each streaming a segment from
    // the source: no wait between chunks. Streams go in chunks held in memory.
    const segmentSize = options.segmentSize ?? SEGMENT;
    if (reader.seekable && total !== undefined && segmentSize > chunk) {
      // Requests are sized to the link: each one to take about `target` ms at the speed the last one
      // went, so that no request runs into the call timeout on a slow link.
      const timeout = options.timeout ?? client.options.timeout ?? DEFAULT_TIMEOUT;
      const target = Math.min(SEGMENT_TIME, timeout / 4);
      let size = Math.min(segmentSize, FIRST_SEGMENT);
      let hashedTo = offset;
      // The attempt a segment belongs to: a dead connection may still pull its segment for a moment,
      // and must neither read nor hash any further once the next attempt has begun.
      let attempt = 0;
      const segment = (from: number, to: number, mine: number) =>
        (async function* () {
          // Reads run a few pieces ahead of what the connection takes (as a file stream's buffer does), so
          // the socket need not wait for the disk after each piece.
          const reads: Array<{ at: number; bytes: Promise<Uint8Array> }> = [];
          let readTo = from;
          for (let at = from; at < to && mine === attempt; ) {
            while (reads.length < READ_AHEAD && readTo < to) {
              const bytes = reader.readAt(readTo, Math.min(PIECE, to - readTo));
              bytes.catch(() => {}); // awaited below, unless the attempt ends first
              reads.push({ at: readTo, bytes });
              readTo += Math.min(PIECE, to - readTo);
            }
            const read = reads.shift()!;
            const bytes = await read.bytes;
            if (mine !== attempt) return;
            const end = at + bytes.byteLength;
            if (end < Math.min(to, read.at + PIECE))
              throw new PcloudError(`uploadLarge: the source ended at byte ${end}, before its size ${total}`);
            // each byte is hashed once, the first time it is read, in order
            if (end > hashedTo) {
              const fresh = bytes.subarray(Math.max(0, hashedTo - at));
              hashedTo = end;
              await hashAll(fresh);
            }
            yield bytes;
            at = end;
          }
        })();
      while (offset < total) {
        throwIfAborted();
        const to = Math.min(total, offset + size);
        let attemptSent = 0;
        const started = performance.now();
        const rate = (bytes: number) => bytes / Math.max(1, performance.now() - started);
        try {
          await file_pwrite(
            client,
            { fd, offset },
            {
              ...call(),
              files: [{ name: 'data', data: segment(offset, to, attempt), size: to - offset }],
              onUploadProgress: (p) => {
                attemptSent = p.loaded;
                progress(offset + p.loaded);
              },
            },
          );
          sent += to - offset;
          size = nextSegment(rate(to - offset), target, to - offset, segmentSize);
          offset = to;
          failures = 0;
          progress(offset);
        } catch (error) {
          attempt++;
          sent += attemptSent;
          // what got out before the failure tells the speed; the next request is at most half this one
          size = nextSegment(rate(attemptSent), target, Math.max(1, Math.floor((to - offset) / 8)), segmentSize);
          throwIfAborted();
          if (!recoverable(error) || failures >= maxRetries) throw error;
          offset = await reconnect(
            to,
            (size) => Math.max(0, size - chunk),
            (from, until) => reader.readAt(from, until - from),
          );
          progress(offset);
        }
      }
    } else {
      // 3. Chunks: `pacing.inFlight` travel at once on the connection, the next one is read and hashed
      // meanwhile, so neither side waits for the other.
      const inflight: Flight[] = [];
      let nextRead: Promise<Uint8Array> | undefined = reader.next(chunk);
      let sourceDone = false;
      /** Bytes [from, to) from the pieces held in memory or, for files and Blobs, from the source again. */
      const bytesAt = async (from: number, to: number): Promise<Uint8Array> => {
        const parts: Uint8Array[] = [];
        let at = from;
        for (const p of [prev, ...inflight.map((f) => f.piece)]) {
          if (!p || at >= to || at < p.start || at >= end(p)) continue;
          const stop = Math.min(to, end(p));
          parts.push(p.bytes.subarray(at - p.start, stop - p.start));
          at = stop;
        }
        if (at < to) {
          if (!reader.seekable)
            throw new PcloudError(`uploadLarge: the server lost bytes ${at}-${to} it had acknowledged, and a stream cannot be read again`);
          parts.push(await reader.readAt(at, to - at));
        }
        return concatBytes(parts);
      };
      const send = (piece: Piece): Flight => {
        const flight: Flight = { piece, sent: 0, done: Promise.resolve() };
        flight.done = file_pwrite(
          client,
          { fd, offset: piece.start },
          {
            ...call(),
            files: [{ name: 'data', data: piece.bytes }],
            onUploadProgress: (p) => {
              flight.sent = p.loaded;
            },
          },
        ).then(() => undefined);
        flight.done.catch(() => {}); // awaited in order below
        return flight;
      };
      let queued = offset; // end of what was handed to the connection
      for (;;) {
        throwIfAborted();
        while (!sourceDone && inflight.length < pacing.inFlight) {
          const bytes = await nextRead!;
          if (bytes.byteLength === 0) {
            sourceDone = true;
            break;
          }
          nextRead = reader.next(chunk);
          nextRead.catch(() => {}); // observed when awaited
          await hashAll(bytes);
          inflight.push(send({ start: queued, bytes }));
          queued += bytes.byteLength;
        }
        const head = inflight[0];
        if (!head) break;
        try {
          await head.done;
          inflight.shift();
          sent += head.piece.bytes.byteLength;
          offset = end(head.piece);
          prev = head.piece;
          failures = 0;
          progress(offset);
        } catch (error) {
          // The connection is gone for every request on it: let them all end.
          await Promise.allSettled(inflight.map((f) => f.done));
          for (const f of inflight) sent += f.sent;
          throwIfAborted();
          if (!recoverable(error) || failures >= maxRetries) throw error;
          offset = await reconnect(queued, (size) => Math.max(0, size - chunk, prev ? Math.min(prev.start, size) : 0), bytesAt);
          // a copy: the pieces it comes from live in buffers the reader fills again
          const rest = offset < queued ? { start: offset, bytes: (await bytesAt(offset, queued)).slice() } : undefined;
          inflight.length = 0;
          if (rest) inflight.push(send(rest));
          progress(offset);
        }
      }
    }
    await file_close(client, { fd }, call()).catch(() => {});
    await client.transport.release?.(key);

    // 5. The whole file, checked, then renamed over the target.
    const local = Object.fromEntries(Object.entries(await stream.digests()).filter(([h]) => hashes!.includes(h as HashName)));
    const remote = await client.call<Record<string, unknown>>('checksumfile', { fileid: tempId! }, { signal });
    for (const [h, value] of Object.entries(local)) {
      const theirs = String(remote[h] ?? '').toLowerCase();
      if (theirs !== value) {
        await client.call('deletefile', { fileid: tempId! }).catch(() => {});
        throw new IntegrityError(
          `uploadLarge: the server's ${h} of ${name} is ${theirs || 'missing'}, the local one ${value}; nothing was renamed`,
          {
            algorithm: h,
            local: value,
            remote: theirs,
          },
        );
      }
    }
    const renamed = await client.call<{ metadata: UploadLargeResult['metadata'] }>(
      'renamefile',
      'folderid' in parent
        ? { fileid: tempId!, tofolderid: parent.folderid, toname: name }
        : { fileid: tempId!, topath: (target as { path: string }).path },
      { signal },
    );
    return { metadata: renamed.metadata, checksums: local, size: offset, sent, resumes };
  } catch (error) {
    await client.transport.release?.(key);
    throw error;
  } finally {
    stream?.close();
    await reader.close().catch(() => {});
  }
}

function localSha1(platform: UploadPlatform, bytes: Uint8Array): string {
  const h = platform.hash('sha1');
  h.update(bytes);
  return h.digest();
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError('the upload was aborted', { cause: signal.reason }));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError('the upload was aborted', { cause: signal!.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
