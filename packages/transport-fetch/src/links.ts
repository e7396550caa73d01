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
import type { LinkAnswer, LinkUrlOptions, Progress } from './core.js';
import { bodyTimeoutError, snippet, toCoreError } from './errors.js';
import { guardStream, sliceStream } from './streams.js';

/** Options of {@link download}. */
export interface DownloadOptions extends Omit<LinkUrlOptions, 'start'> {
  signal?: AbortSignal;
  /** Bytes to fetch, inclusive on both ends (`Range: bytes=start-end`); no `end` means to the end of the file. */
  range?: { start: number; end?: number };
  /** Called as bytes are read from the returned stream; `total` when the length is known. */
  onProgress?: (progress: Progress) => void;
  /** The `fetch` to use. Default: `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Milliseconds to wait for an answer, every host tried included (`TimeoutError`). Default 30000. */
  timeout?: number;
  /** Milliseconds the body may go without a byte while it is read (`TimeoutError`). Default 30000. */
  bodyTimeout?: number;
}

/** What {@link download} resolves with. */
export interface DownloadResult {
  /** The bytes. Read it to the end or cancel it. */
  body: ReadableStream<Uint8Array>;
  /** Number of bytes the stream will deliver, when the server said. */
  length?: number;
  contentType?: string;
  /** The URL that answered. */
  url: string;
  /** HTTP status: 200, or 206 for a range the server honoured. */
  status: number;
}

const DEFAULT_TIMEOUT = 30_000;

/**
 * Downloads a file through `fetch` from a link answer (`getfilelink`, ...), a
 * URL or a list of URLs. Hosts are tried in order: a network failure or a 5xx
 * answer moves on to the next host, anything else stops there (`ApiError` for
 * a pCloud JSON error, `ProtocolError` for another failed answer). When every
 * host fails, the last error is thrown. A range the server ignored (200) is
 * cut out here, so the bytes are right either way.
 */
export async function download(source: LinkAnswer | string | readonly string[], options: DownloadOptions = {}): Promise<DownloadResult> {
  const urls = downloadUrls(source, options);
  if (urls.length === 0) throw new TypeError('download needs at least one URL or host');
  const { range, signal } = options;
  const rangeValue = range ? rangeHeader(range) : undefined;
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  const bodyTimeout = options.bodyTimeout ?? DEFAULT_TIMEOUT;
  checkDuration(timeout, 'download: options.timeout');
  checkDuration(bodyTimeout, 'download: options.bodyTimeout');
  if (signal?.aborted) throw new AbortError('the download was aborted', { cause: signal.reason });
  const doFetch = options.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = {};
  if (rangeValue) headers.range = rangeValue;

  let tried = 0;
  let current = '';
  const wait = timerSignal(
    timeout,
    () => new TimeoutError(timeout, { attempts: Math.max(1, tried), method: `download (waiting for an answer from ${current})` }),
  );
  // The wait signal must not end the body once it is handed back, so the body gets its own controller.
  const bodyAbort = new AbortController();
  const onWait = () => bodyAbort.abort(wait.signal.reason);
  const onCaller = () => bodyAbort.abort(signal?.reason);
  wait.signal.addEventListener('abort', onWait, { once: true });
  signal?.addEventListener('abort', onCaller, { once: true });
  const waitSignal = signal ? AbortSignal.any([signal, wait.signal]) : wait.signal;
  try {
    return await tryHosts();
  } catch (error) {
    signal?.removeEventListener('abort', onCaller);
    throw error;
  } finally {
    wait.clear();
    wait.signal.removeEventListener('abort', onWait);
  }

  async function tryHosts(): Promise<DownloadResult> {
    let lastError: Error | undefined;
    for (const url of urls) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new TypeError(`not a URL: ${url}`);
      }
      tried++;
      current = parsed.host;
      let response: Response;
      try {
        response = await doFetch(url, { headers, signal: bodyAbort.signal });
      } catch (error) {
        const mapped = toCoreError(error, parsed.origin, waitSignal, `download from ${parsed.host}`, true);
        if (!(mapped instanceof TransportError)) throw mapped;
        lastError = mapped;
        continue;
      }
      const status = response.status;
      if (status >= 500) {
        await response.body?.cancel().catch(() => {});
        lastError = new TransportError(`download from ${parsed.host} failed with HTTP ${status}`, { host: parsed.origin, network: false });
        continue;
      }
      const contentType = response.headers.get('content-type') ?? undefined;
      if (status >= 300 || (response.headers.get('x-error') !== null && /json/i.test(contentType ?? ''))) {
        const text = await response.text().catch(() => '');
        let answer: unknown;
        try {
          answer = parseJson(text);
        } catch {
          /* not JSON */
        }
        const a = answer as { result?: unknown; error?: unknown } | undefined;
        if (a && typeof a === 'object' && typeof a.result === 'number' && a.result !== 0) {
          throw new ApiError({
            result: a.result,
            message: typeof a.error === 'string' ? a.error : 'download failed',
            method: 'download',
            body: a as Record<string, unknown>,
          });
        }
        throw new ProtocolError(`download from ${parsed.host} failed with HTTP ${status}: ${snippet(text, undefined, undefined)}`);
      }
      const lengthText = response.headers.get('content-length');
      let length = lengthText !== null && /^\d+$/.test(lengthText) ? Number(lengthText) : undefined;
      let bytes: ReadableStream<Uint8Array> = response.body ?? new Blob([]).stream();
      if (range && status === 200) {
        const want = range.end === undefined ? undefined : range.end - range.start + 1;
        if (length !== undefined) length = Math.max(0, Math.min(want ?? Number.POSITIVE_INFINITY, length - range.start));
        bytes = sliceStream(bytes, range.start, want);
      }
      let loaded = 0;
      const total = length;
      const onProgress = options.onProgress;
      const body = guardStream(bytes.getReader(), {
        mapError: (error) => toCoreError(error, parsed.origin, bodyAbort.signal, `download from ${parsed.host}`),
        idle: { ms: bodyTimeout, error: () => bodyTimeoutError(bodyTimeout, `download from ${parsed.host}`) },
        onChunk: onProgress
          ? (chunk) => {
              loaded += chunk.byteLength;
              try {
                onProgress(total === undefined ? { loaded } : { loaded, total });
              } catch {
                /* a listener's error must not break the download */
              }
            }
          : undefined,
        onEnd: () => signal?.removeEventListener('abort', onCaller),
      });
      return { body, url, status, ...(length !== undefined ? { length } : {}), ...(contentType ? { contentType } : {}) };
    }
    throw lastError ?? new TransportError('download failed on every host', { network: true });
  }
}
