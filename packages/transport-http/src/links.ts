import { Agent, getGlobalDispatcher, type Dispatcher } from 'undici';
import {
  AbortError,
  ApiError,
  IntegrityError,
  ProtocolError,
  TimeoutError,
  TransportError,
  checkDuration,
  downloadUrls,
  rangeHeader,
  parseJson,
  timerSignal,
} from './core.js';
import type { LinkAnswer, LinkUrlOptions } from './core.js';
import type { Progress } from './core.js';
import { snippet, toCoreError } from './errors.js';
import { bodyIdleLimit, type IdleLimit, idleReads, sliceStream, toWebStream } from './streams.js';
import type { TlsOptions } from './transport.js';

export interface DownloadOptions extends Omit<LinkUrlOptions, 'start'> {
  signal?: AbortSignal;
  /** Bytes to fetch, inclusive on both ends (HTTP `Range: bytes=start-end`); `end` omitted means to the end of the file. */
  range?: { start: number; end?: number };
  /** Called as bytes are read from the returned stream. `total` is the number of bytes this download will deliver, when known. */
  onProgress?: (progress: Progress) => void;
  /** Your own undici dispatcher. Default: undici's global dispatcher, or a one-off Agent when `tls` is given. */
  dispatcher?: Dispatcher;
  /** TLS options (used when no `dispatcher` is given). */
  tls?: TlsOptions;
  /** `User-Agent` header. Default `pcloudkit-transport-http`. */
  userAgent?: string;
  /**
   * Milliseconds to wait for the answer (status and headers), every host
   * tried included, before failing with `TimeoutError`. Default 30000, like a
   * client's `timeout`.
   */
  timeout?: number;
  /** Milliseconds the body may go without a byte while it is read, before it fails with `TimeoutError`. Default 30000. */
  bodyTimeout?: number;
}

/** Defaults of `timeout` and `bodyTimeout`: the same as a client's. */
const DEFAULT_TIMEOUT = 30_000;
const DEFAULT_BODY_TIMEOUT = 30_000;

export interface DownloadResult {
  /** The bytes as a web stream. Read it to the end or cancel it, or the connection stays busy. */
  body: ReadableStream<Uint8Array>;
  /** Number of bytes the stream will deliver, when the server said. */
  length?: number;
  contentType?: string;
  /** The URL that answered. */
  url: string;
  /** HTTP status: 200, or 206 for a range the server honoured. */
  status: number;
  /** Size of the whole file, when the server said (`Content-Range` of a 206, or the length of a 200). */
  size?: number;
}

function first(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Downloads a file from a link answer (`getfilelink`, `getvideolink`...), a
 * URL or a list of URLs. Hosts are tried in order; a network failure or a 5xx
 * answer moves on to the next one. Any other failure stops at once: a 4xx
 * whose body is a pCloud JSON error becomes `ApiError`, other 4xx a
 * `ProtocolError`. When every host fails the last error is thrown
 * (`TransportError`). The wait for an answer is bounded by `timeout`, the
 * reading of the body by `bodyTimeout` without a byte (both `TimeoutError`);
 * once the stream is returned only `signal` and `bodyTimeout` can end it. If
 * a range was asked for and the server sent the whole file (200), the stream
 * is cut to the range here, so the bytes are right either way.
 */
export async function download(source: LinkAnswer | string | readonly string[], options: DownloadOptions = {}): Promise<DownloadResult> {
  const opened = await openDownload(source, options);
  const { bytes, idle, mapError, release, ...result } = opened;
  let loaded = 0;
  const total = result.length;
  const report = (p: Progress) => {
    try {
      options.onProgress?.(p);
    } catch {
      /* ignore listener errors */
    }
  };
  const body = toWebStream(bytes, {
    mapError,
    onChunk: options.onProgress
      ? (chunk) => {
          loaded += chunk.byteLength;
          report(total === undefined ? { loaded } : { loaded, total });
        }
      : undefined,
    onEnd: release,
    idle,
  });
  return { body, ...result };
}

/** An answer of {@link openDownload}: a download's answer with its body as undici gives it. */
interface OpenedDownload extends Omit<DownloadResult, 'body'> {
  /** The bytes, cut to the range asked for when the server sent the whole file. */
  bytes: AsyncIterable<Uint8Array>;
  /** The body's `bodyTimeout`, if any. */
  idle: IdleLimit | undefined;
  /** Turns a failure to read the body into the SDK's error. */
  mapError: (error: unknown) => unknown;
  /** To call once the body is read or dropped: closes the one-off agent, if any. */
  release: () => void;
}

/** {@link download} up to its answer: hosts tried, errors mapped, the body not yet wrapped. */
async function openDownload(source: LinkAnswer | string | readonly string[], options: DownloadOptions): Promise<OpenedDownload> {
  const urls = downloadUrls(source, options);
  if (urls.length === 0) throw new TypeError('download needs at least one URL or host');
  const { range, signal } = options;
  const rangeValue = range ? rangeHeader(range) : undefined;
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  const bodyTimeout = options.bodyTimeout ?? DEFAULT_BODY_TIMEOUT;
  checkDuration(timeout, 'download: options.timeout');
  checkDuration(bodyTimeout, 'download: options.bodyTimeout');
  if (signal?.aborted) throw new AbortError('the download was aborted', { cause: signal.reason });

  let owned: Agent | undefined;
  let dispatcher: Dispatcher;
  if (options.dispatcher) dispatcher = options.dispatcher;
  else if (options.tls) dispatcher = owned = new Agent({ connect: { ...options.tls } });
  else dispatcher = getGlobalDispatcher();
  const release = () => {
    if (owned) void owned.close().catch(() => {});
    owned = undefined;
  };

  const headers: Record<string, string> = { 'user-agent': options.userAgent ?? 'pcloudkit-transport-http' };
  if (rangeValue) headers.range = rangeValue;

  let tried = 0;
  let current = '';
  // The wait for an answer, over every host; lifted once a body is handed back.
  const wait = timerSignal(
    timeout,
    () => new TimeoutError(timeout, { attempts: Math.max(1, tried), method: `download (waiting for an answer from ${current})` }),
  );
  const waitSignal = signal ? AbortSignal.any([signal, wait.signal]) : wait.signal;
  try {
    return await tryHosts();
  } finally {
    wait.clear();
  }

  async function tryHosts(): Promise<OpenedDownload> {
    let lastError: Error | undefined;
    for (const url of urls) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        release();
        throw new TypeError(`not a URL: ${url}`);
      }
      tried++;
      current = parsed.host;
      let response: Dispatcher.ResponseData;
      try {
        response = await dispatcher.request({
          origin: parsed.origin,
          path: `${parsed.pathname}${parsed.search}`,
          method: 'GET',
          headers,
          signal: waitSignal,
        });
      } catch (error) {
        const mapped = toCoreError(error, parsed.origin, waitSignal, `download from ${parsed.host}`);
        if (!(mapped instanceof TransportError)) {
          release();
          throw mapped;
        }
        lastError = mapped;
        continue;
      }
      const { statusCode, headers: h } = response;
      if (statusCode >= 500) {
        await response.body.dump().catch(() => {});
        lastError = new TransportError(`download from ${parsed.host} failed with HTTP ${statusCode}`, {
          host: parsed.origin,
          network: false,
        });
        continue;
      }
      const contentType = first(h, 'content-type');
      if (statusCode >= 300 || (first(h, 'x-error') !== undefined && /json/i.test(contentType ?? ''))) {
        let text = '';
        try {
          text = await response.body.text();
        } catch {
          /* keep what we have */
        }
        release();
        let answer: unknown;
        try {
          answer = parseJson(text);
        } catch {
          /* not JSON */
        }
        if (
          answer &&
          typeof answer === 'object' &&
          typeof (answer as { result?: unknown }).result === 'number' &&
          (answer as { result: number }).result !== 0
        ) {
          const a = answer as { result: number; error?: unknown };
          throw new ApiError({
            result: a.result,
            message: typeof a.error === 'string' ? a.error : 'download failed',
            method: 'download',
            body: a as Record<string, unknown>,
          });
        }
        throw new ProtocolError(`download from ${parsed.host} failed with HTTP ${statusCode}: ${snippet(text, undefined, undefined)}`);
      }

      const lengthText = first(h, 'content-length');
      let length = lengthText !== undefined && /^\d+$/.test(lengthText) ? Number(lengthText) : undefined;
      let bytes: AsyncIterable<Uint8Array> = response.body as AsyncIterable<Uint8Array>;
      if (range && statusCode === 200) {
        // The server ignored Range: cut the range out of the whole file.
        const want = range.end === undefined ? undefined : range.end - range.start + 1;
        if (length !== undefined) length = Math.max(0, Math.min(want ?? Infinity, length - range.start));
        else if (want !== undefined) length = undefined;
        bytes = sliceStream(bytes, range.start, want);
      }
      const whole = /\/(\d+)\s*$/.exec(first(h, 'content-range') ?? '')?.[1] ?? (statusCode === 200 ? lengthText : undefined);
      const size = whole !== undefined && /^\d+$/.test(whole) ? Number(whole) : undefined;
      return {
        bytes,
        idle: bodyIdleLimit(bodyTimeout, `download from ${parsed.host}`, response.body),
        mapError: (error) => toCoreError(error, parsed.origin, signal, `download from ${parsed.host}`),
        release,
        url,
        status: statusCode,
        ...(length !== undefined ? { length } : {}),
        ...(size !== undefined ? { size } : {}),
        ...(contentType ? { contentType } : {}),
      };
    }
    release();
    throw lastError ?? new TransportError('download failed on every host', { network: true });
  }
}

/**
 * Reads an opened download's body to its end, handing each chunk to `take`
 * (and waiting when it returns a promise), then releases it. Its
 * `bodyTimeout` counts only while a chunk is awaited from the server (see
 * {@link idleReads}).
 */
async function readBody(opened: OpenedDownload, take: (chunk: Uint8Array) => Promise<void> | void): Promise<void> {
  const iterator = opened.bytes[Symbol.asyncIterator]();
  const reads = idleReads(opened.idle);
  let done = false;
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await reads.next(iterator);
      } catch (error) {
        done = true;
        throw reads.stalled() ?? opened.mapError(error);
      }
      if (next.done) {
        done = true;
        return;
      }
      if (next.value.byteLength > 0) await take(next.value);
    }
  } finally {
    reads.clear();
    // a failure in `take` leaves the body unread: drop it, so the connection is not left busy
    if (!done) await Promise.resolve(iterator.return?.()).catch(() => undefined);
    opened.release();
  }
}

/** Bytes `downloadToFile` gathers before it writes them to the file. */
const WRITE_BATCH = 1024 * 1024;

/** Options of {@link downloadToFile}. */
export interface DownloadToFileOptions extends DownloadOptions {
  /**
   * Times a download that broke off is asked again for the rest (`Range`
   * from the byte it stopped at), first from the same host and then from
   * the next ones, when no byte came in between. Default 5; 0 fails at the
   * first broken connection.
   */
  retries?: number;
  /** Milliseconds before asking again; doubles each time in a row, up to 5 s. Default 200. */
  retryDelay?: number;
  /**
   * Hex checksums the file must have (from `checksumfile`). The bytes written
   * are hashed and compared at the end; a mismatch removes the file and
   * throws `IntegrityError`.
   */
  checksum?: { sha1?: string; md5?: string; sha256?: string };
  /**
   * Ranges fetched at the same time, each on a connection of its own and
   * each resumed on its own. Default 1. Above 1 the server must tell the
   * file's size (`Content-Range`), or the download goes on as one range.
   */
  parallel?: number;
  /** Bytes per range when `parallel` is above 1. Default 16 MiB. */
  partSize?: number;
}

/** Answer of {@link downloadToFile}. */
export interface DownloadToFileResult {
  path: string;
  /** Bytes in the file. */
  bytes: number;
  /** The URL that served the last bytes. */
  url: string;
  /** Times a broken-off download was asked again for the rest. */
  resumes: number;
  /** Hex checksums that were checked, by name. */
  checksums?: Record<string, string>;
}

/** Failures after which asking again for the rest may help. */
function resumable(error: unknown): boolean {
  return error instanceof TransportError || (error instanceof TimeoutError && error.phase === 'body') || error instanceof ProtocolError;
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError('the download was aborted', { cause: signal.reason }));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(new AbortError('the download was aborted', { cause: signal!.reason }));
    };
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/**
 * Downloads to a file on disk (Node only), streaming: memory stays flat
 * whatever the size. When the connection breaks off, the rest is asked for
 * with `Range` from the byte the file has reached, on the same host and
 * then the next ones (`retries`); with `checksum` the result is checked
 * against the server's hashes; with `parallel` several ranges travel at
 * once. A partial file is removed when the download fails.
 */
export async function downloadToFile(
  source: LinkAnswer | string | readonly string[],
  path: string,
  options: DownloadToFileOptions = {},
): Promise<DownloadToFileResult> {
  const [{ open, rm }, { createHash }] = await Promise.all([import('node:fs/promises'), import('node:crypto')]);
  const urls = downloadUrls(source, options);
  if (urls.length === 0) throw new TypeError('download needs at least one URL or host');
  const retries = options.retries ?? 5;
  const retryDelay = options.retryDelay ?? 200;
  const parallel = options.parallel ?? 1;
  const partSize = options.partSize ?? 16 * 1024 * 1024;
  if (!Number.isInteger(retries) || retries < 0) throw new RangeError('downloadToFile: retries must be an integer >= 0');
  if (!Number.isInteger(parallel) || parallel < 1) throw new RangeError('downloadToFile: parallel must be an integer >= 1');
  if (!Number.isSafeInteger(partSize) || partSize < 1) throw new RangeError('downloadToFile: partSize must be a positive integer');
  const base = options.range?.start ?? 0;
  if (options.range) rangeHeader(options.range);
  const { signal } = options;
  const wanted = Object.entries(options.checksum ?? {}).filter(([, v]) => typeof v === 'string') as [string, string][];

  const file = await open(path, 'w');
  let written = 0;
  let total: number | undefined;
  let resumes = 0;
  let lastUrl = urls[0]!;
  // bytes received and not yet written (every range's batch together), for progress
  let buffered = 0;
  const report = () => {
    if (!options.onProgress) return;
    const loaded = written + buffered;
    try {
      options.onProgress(total === undefined ? { loaded } : { loaded, total });
    } catch {
      /* ignore listener errors */
    }
  };

  /**
   * Fetches file bytes [start, end] (to the end of the file without `end`)
   * into the file at the same place minus `base`, resuming after breaks.
   * `onFirst` sees the first answer. Hashes the bytes in order when `hash` is given.
   */
  async function fetchRange(
    start: number,
    end: number | undefined,
    hash?: Array<ReturnType<typeof createHash>>,
    onFirst?: (r: OpenedDownload) => void,
  ): Promise<void> {
    let at = start;
    let stop = end; // last byte, once known
    // chunks received and not yet handed to the file; they go at `at - base`
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    /** The write in flight, if any: the next batch gathers meanwhile, so reading and writing overlap. */
    let writing: Promise<void> | undefined;
    /** Waits for the write in flight, if any (a disk error throws). */
    const settle = async () => {
      const last = writing;
      if (!last) return;
      try {
        await last;
      } finally {
        if (writing === last) writing = undefined;
      }
    };
    /**
     * Once the write in flight is done, hands the gathered chunks to the file
     * at their place (at most one write in flight and one batch gathering:
     * memory stays at about two batches); `at` moves past them once written.
     */
    const startWrite = async () => {
      await settle();
      if (batchBytes === 0) return;
      const chunks = batch;
      const size = batchBytes;
      const position = at - base;
      batch = [];
      batchBytes = 0;
      const write = (async () => {
        // one gathering write, no copy; a short write (rare) is finished piece by piece
        let off = (await file.writev(chunks, position)).bytesWritten;
        if (off < size) {
          const bytes = Buffer.concat(chunks, size);
          while (off < size) off += (await file.write(bytes, off, size - off, position + off)).bytesWritten;
        }
        at += size;
        written += size;
        buffered -= size;
        report();
      })();
      // its failure is seen by whoever waits for it next, never unhandled
      write.catch(() => undefined);
      writing = write;
    };
    /** Writes what is gathered and waits until every byte received is in the file. */
    const flush = async () => {
      await startWrite();
      await settle();
    };
    let host = 0;
    let failures = 0;
    for (;;) {
      if (stop !== undefined && at > stop) return;
      const ordered = [...urls.slice(host), ...urls.slice(0, host)];
      const whole = at === 0 && stop === undefined;
      const progressBefore = at;
      try {
        const answer = await openDownload(ordered, { ...options, range: whole ? undefined : { start: at, end: stop } });
        lastUrl = answer.url;
        host = urls.indexOf(answer.url);
        if (answer.size !== undefined && (stop === undefined || stop > answer.size - 1)) stop = answer.size - 1;
        else if (stop === undefined && answer.length !== undefined) stop = at + answer.length - 1;
        onFirst?.(answer);
        onFirst = undefined;
        try {
          await readBody(answer, (chunk) => {
            if (hash) for (const h of hash) h.update(chunk);
            // chunks are gathered and written a batch at a time: far fewer file system calls than one per chunk
            batch.push(chunk);
            batchBytes += chunk.byteLength;
            buffered += chunk.byteLength;
            if (batchBytes >= WRITE_BATCH) return startWrite();
            report();
          });
        } finally {
          // what arrived before a break is in the file before the rest is asked for (a disk error wins)
          await flush();
        }
        if (stop === undefined || at > stop) return;
        throw new TransportError(`download from ${new URL(answer.url).host} ended at byte ${at}, before byte ${stop + 1}`, {
          host: answer.url,
          network: false,
        });
      } catch (error) {
        if (signal?.aborted) throw new AbortError('the download was aborted', { cause: signal.reason });
        if (!resumable(error)) throw error;
        // A break after some bytes is asked again from the same host; one that gave nothing moves on to the next.
        failures = at > progressBefore ? 0 : failures + 1;
        if (failures > retries) throw error;
        if (failures > 0) host = (host + 1) % urls.length;
        resumes++;
        await pause(Math.min(5000, retryDelay * 2 ** Math.max(0, failures - 1)), signal);
      }
    }
  }

  try {
    const end = options.range?.end;
    if (parallel > 1) {
      // The first part tells the size; the rest go `parallel` at a time.
      const firstEnd = end === undefined ? base + partSize - 1 : Math.min(end, base + partSize - 1);
      let size: number | undefined;
      await fetchRange(base, firstEnd, undefined, (r) => {
        size = r.size;
        if (size !== undefined) total = (end === undefined ? size - 1 : Math.min(end, size - 1)) - base + 1;
      });
      const last = end === undefined ? (size === undefined ? undefined : size - 1) : Math.min(end, (size ?? Infinity) - 1);
      if (last === undefined) {
        await fetchRange(firstEnd + 1, undefined);
      } else {
        let next = firstEnd + 1;
        const worker = async () => {
          while (next <= last) {
            const from = next;
            next = Math.min(last + 1, from + partSize);
            await fetchRange(from, next - 1);
          }
        };
        await Promise.all(Array.from({ length: parallel }, worker));
      }
    } else {
      const hashes = wanted.map(([name]) => createHash(name));
      await fetchRange(base, end, hashes, (r) => {
        if (r.length !== undefined) total = r.length;
      });
      if (wanted.length > 0)
        checkDigests(
          wanted,
          hashes.map((h) => h.digest('hex')),
        );
      await file.close();
      return { path, bytes: written, url: lastUrl, resumes, ...(wanted.length ? { checksums: Object.fromEntries(wanted) } : {}) };
    }
    await file.close();
    if (wanted.length > 0) {
      // The ranges came out of order: hash the file as written.
      const hashes = wanted.map(([name]) => createHash(name));
      const { createReadStream } = await import('node:fs');
      for await (const chunk of createReadStream(path)) for (const h of hashes) h.update(chunk as Buffer);
      checkDigests(
        wanted,
        hashes.map((h) => h.digest('hex')),
      );
    }
    return { path, bytes: written, url: lastUrl, resumes, ...(wanted.length ? { checksums: Object.fromEntries(wanted) } : {}) };
  } catch (error) {
    await file.close().catch(() => {});
    await rm(path, { force: true }).catch(() => {});
    if (signal?.aborted) throw new AbortError('the download was aborted', { cause: signal.reason });
    throw error;
  }
}

function checkDigests(wanted: [string, string][], local: string[]): void {
  wanted.forEach(([name, expected], i) => {
    if (expected.toLowerCase() !== local[i]) {
      throw new IntegrityError(`downloadToFile: the ${name} of the bytes received is ${local[i]}, the server's is ${expected}`, {
        algorithm: name,
        local: local[i]!,
        remote: expected.toLowerCase(),
      });
    }
  });
}
