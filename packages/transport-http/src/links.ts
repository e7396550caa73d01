import { Agent, getGlobalDispatcher, type Dispatcher } from 'undici';
import {
  AbortError,
  ApiError,
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
import { bodyIdleLimit, sliceStream, toWebStream } from './streams.js';
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

  async function tryHosts(): Promise<DownloadResult> {
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
      let loaded = 0;
      const total = length;
      const report = (p: Progress) => {
        try {
          options.onProgress?.(p);
        } catch {
          /* ignore listener errors */
        }
      };
      const body = toWebStream(bytes, {
        mapError: (error) => toCoreError(error, parsed.origin, signal, `download from ${parsed.host}`),
        onChunk: options.onProgress
          ? (chunk) => {
              loaded += chunk.byteLength;
              report(total === undefined ? { loaded } : { loaded, total });
            }
          : undefined,
        onEnd: release,
        idle: bodyIdleLimit(bodyTimeout, `download from ${parsed.host}`, response.body),
      });
      return { body, url, status: statusCode, ...(length !== undefined ? { length } : {}), ...(contentType ? { contentType } : {}) };
    }
    release();
    throw lastError ?? new TransportError('download failed on every host', { network: true });
  }
}

/**
 * Downloads to a file on disk (Node only), streaming: memory stays flat
 * whatever the size. A partial file is removed when the download fails.
 * Resolves with the number of bytes written and the URL that served them.
 */
export async function downloadToFile(
  source: LinkAnswer | string | readonly string[],
  path: string,
  options: DownloadOptions = {},
): Promise<{ path: string; bytes: number; url: string }> {
  const [{ createWriteStream }, { rm }, { Readable, Transform }, { pipeline }] = await Promise.all([
    import('node:fs'),
    import('node:fs/promises'),
    import('node:stream'),
    import('node:stream/promises'),
  ]);
  const result = await download(source, options);
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.byteLength;
      done(null, chunk);
    },
  });
  try {
    await pipeline(
      Readable.fromWeb(result.body as unknown as import('node:stream/web').ReadableStream<Uint8Array>),
      count,
      createWriteStream(path),
      ...(options.signal ? ([{ signal: options.signal }] as const) : []),
    );
  } catch (error) {
    await rm(path, { force: true }).catch(() => {});
    if (options.signal?.aborted) throw new AbortError('the download was aborted', { cause: options.signal.reason });
    throw error;
  }
  return { path, bytes, url: result.url };
}
