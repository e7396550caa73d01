/**
 * pCloud archiving methods: ZIP archives of a tree of files and folders
 * (streamed, as a link, or saved into the account) and unpacking archives
 * stored in the account.
 *
 * Each method is a definition made with core's `defineMethod`. Use them as
 * standalone functions (`getziplink(client, { folderid: 0 })`) or add the
 * {@link archiving} plugin to a client (`client.use(archiving)`), which also
 * brings the helpers: `client.zipStream()` (a ZIP as a web stream, with
 * progress), `client.saveZip()` (savezip with progress from
 * savezipprogress) and `client.extract()` (extractarchive, followed to the
 * end). Writing a ZIP to a file lives in `@pcloudkit/methods-archiving/node`.
 */
import {
  AbortError,
  TransportError,
  type CallOptions,
  type CoreClient,
  definePlugin,
  methodList,
  type MethodList,
  type ParamsOf,
} from '@pcloudkit/core';
// The same module by its public path, for the types (see tsup.config.ts).
import type * as Methods from '@pcloudkit/methods-archiving/methods';
import * as methods from './methods.js';
import {
  type ExtractArchiveResult,
  extractarchive,
  extractarchiveprogress,
  getzip,
  getziplink,
  type SaveZipProgressResult,
  type SaveZipResult,
  savezip,
  savezipprogress,
} from './methods.js';

// The definitions live in methods.ts, one export per method under its wire name.
export * from './methods.js';

/** Every archiving method, sorted by name. */
export const definitions: MethodList<typeof Methods> = /* @__PURE__ */ methodList(methods);

// ---------------------------------------------------------------------------
// Helpers

/** Options of the helpers that follow a job. */
export interface JobOptions {
  /** Stops waiting (the helper rejects with `AbortError`); the job itself may go on on the server. */
  signal?: AbortSignal;
  /** Milliseconds between two progress calls (default 1000). */
  pollInterval?: number;
}

/** Options of {@link zipStream}. */
export interface ZipStreamOptions extends Pick<CallOptions, 'signal' | 'timeout' | 'bodyTimeout'> {
  /**
   * Where the bytes come from: `'api'` (default) answers `getzip` on the
   * API connection (either transport); `'link'` asks `getziplink` and
   * fetches the archive from the content servers over HTTP(S) with
   * `fetch`, trying each host in turn (the client's scheme).
   */
  via?: 'api' | 'link';
  /** Bytes of the archive received so far, and its length when the server said. */
  onProgress?: (progress: { loaded: number; total?: number }) => void;
}

/** A ZIP being received: the bytes as a web stream, and the archive's length when the server said. */
export interface ZipDownload {
  body: ReadableStream<Uint8Array>;
  length?: number;
}

/**
 * A ZIP of a tree as a web stream (`getzip`, or `getziplink` and the
 * content servers with `via: 'link'`), never held whole in memory:
 * `onProgress` sees the bytes as they are read.
 */
export async function zipStream(client: CoreClient, params: ParamsOf<typeof getzip>, options: ZipStreamOptions = {}): Promise<ZipDownload> {
  const { onProgress, via = 'api', ...call } = options;
  if (via !== 'api' && via !== 'link') throw new TypeError("zipStream: via must be 'api' or 'link'");
  const answer = via === 'link' ? await fromLink(client, params, call) : await client.request(getzip, params, call);
  if (!onProgress) return answer.length === undefined ? { body: answer.body } : { body: answer.body, length: answer.length };
  const total = answer.length;
  let loaded = 0;
  const counted = answer.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        loaded += chunk.byteLength;
        onProgress(total === undefined ? { loaded } : { loaded, total });
        controller.enqueue(chunk);
      },
    }),
  );
  return total === undefined ? { body: counted } : { body: counted, length: total };
}

/** `getziplink`, then the archive from the first content host that serves it. */
async function fromLink(
  client: CoreClient,
  params: ParamsOf<typeof getzip>,
  call: Pick<CallOptions, 'signal' | 'timeout'>,
): Promise<ZipDownload> {
  const link = await client.request(getziplink, params, call);
  let failure: unknown;
  for (const host of link.hosts) {
    const url = `${client.scheme}://${host}${link.path}`;
    try {
      const res = await fetch(url, call.signal ? { signal: call.signal } : {});
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        failure = new TransportError(`${url} answered HTTP ${res.status}`, { host, network: false });
        continue;
      }
      const length = Number(res.headers.get('content-length') ?? Number.NaN);
      return Number.isSafeInteger(length) ? { body: res.body, length } : { body: res.body };
    } catch (e) {
      if (call.signal?.aborted) throw new AbortError('the ZIP download was aborted', { cause: call.signal.reason });
      failure = new TransportError(`could not fetch ${url}`, { host, cause: e });
    }
  }
  throw failure ?? new TransportError('getziplink answered no content host', { network: false });
}

/** Options of {@link saveZip}. */
export interface SaveZipOptions extends JobOptions {
  /** The job's state, from `savezipprogress`, while the archive is being made. */
  onProgress?: (progress: SaveZipProgressResult) => void;
}

/** A fresh key for a job (savezip's progresshash). */
function freshKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function checkInterval(name: string, ms: number | undefined): number {
  if (ms === undefined) return 1000;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
    throw new TypeError(`${name}: pollInterval must be a number of milliseconds >= 0`);
  return ms;
}

/** Waits `ms`, or rejects with AbortError when the signal fires first. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError('stopped waiting for the job', { cause: signal.reason }));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError('stopped waiting for the job', { cause: signal!.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * `savezip` with progress: gives the job a progresshash (unless `params`
 * has one), and while the archive is being made asks `savezipprogress`
 * every `pollInterval` ms and hands each answer to `onProgress`, the
 * finished state last. Resolves with savezip's answer (the stored
 * archive's metadata).
 */
export async function saveZip(client: CoreClient, params: ParamsOf<typeof savezip>, options: SaveZipOptions = {}): Promise<SaveZipResult> {
  const interval = checkInterval('saveZip', options.pollInterval);
  const { signal, onProgress } = options;
  if (signal?.aborted) throw new AbortError('the call was aborted', { cause: signal.reason });
  const progresshash = params.progresshash ?? freshKey();
  let done = false;
  const job = client.request(savezip, { ...params, progresshash }, signal ? { signal } : {});
  const settled = job.then(
    () => undefined,
    () => undefined,
  );
  if (onProgress) {
    void (async () => {
      while (!done) {
        await Promise.race([pause(interval, undefined), settled]);
        if (done) return;
        // the job may not be known yet (1901) or the poll may fail: progress is a nicety, the answer is what counts
        const state = await client.request(savezipprogress, { progresshash }, { retries: 0 }).catch(() => undefined);
        if (state && !done) onProgress(state);
      }
    })();
  }
  try {
    const saved = await job;
    done = true;
    // the final state, so a caller always sees the job complete
    const last = onProgress && (await client.request(savezipprogress, { progresshash }, { retries: 0 }).catch(() => undefined));
    if (last) onProgress!(last);
    return saved;
  } finally {
    done = true;
  }
}

/**
 * The host to send a job's progress calls to: the `hostname` the job
 * named, on the scheme and port of the client's own host (pCloud names a
 * bare host; a name with a port or an origin is used as it is).
 */
export function jobHost(client: CoreClient, hostname: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(hostname) || /^\[[^\]]+\]:\d+$/.test(hostname) || /^[^:[\]]+:\d+$/.test(hostname)) return hostname;
  const host = hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname;
  const own = client.region[client.transport.hostKind]?.[0] ?? '';
  const origin = /^[a-z][a-z0-9+.-]*:\/\//i.test(own) ? new URL(own) : undefined;
  if (origin) return `${origin.protocol}//${host}${origin.port ? `:${origin.port}` : ''}`;
  const port = /:(\d+)$/.exec(own)?.[1];
  return port ? `${host}:${port}` : host;
}

/** Options of {@link extract}. */
export interface ExtractOptions extends JobOptions {
  /** Output lines as they come, and whether the job is done. */
  onProgress?: (progress: { lines: string[]; total: number; finished: boolean }) => void;
}

/** What {@link extract} resolves with once the archive is unpacked. */
export interface ExtractResult {
  /** Every output line of the job. */
  output: string[];
  /** Their number. */
  lines: number;
}

/**
 * `extractarchive`, followed to the end: when the job is not done within
 * the call, asks `extractarchiveprogress` on the server the job named
 * (`hostname`) every `pollInterval` ms, passing on new output lines, until
 * it is. `signal` stops the waiting (AbortError); the job goes on on the
 * server. Fails like extractarchive (7009 for an encrypted archive without
 * the right password).
 */
export async function extract(
  client: CoreClient,
  params: ParamsOf<typeof extractarchive>,
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  const interval = checkInterval('extract', options.pollInterval);
  const { signal, onProgress } = options;
  if (signal?.aborted) throw new AbortError('the call was aborted', { cause: signal.reason });
  // the helper collects the output itself, so it always asks for it
  const { nooutput: _ignored, ...rest } = params as ParamsOf<typeof extractarchive> & { nooutput?: boolean };
  const first: ExtractArchiveResult = await client.request(
    extractarchive,
    rest as ParamsOf<typeof extractarchive>,
    signal ? { signal } : {},
  );
  const output = [...(first.output ?? [])];
  onProgress?.({ lines: [...output], total: output.length, finished: first.finished });
  if (first.finished) return { output, lines: output.length };
  if (first.progresshash === undefined) throw new TypeError('extractarchive answered finished: false without a progresshash');
  const host = first.hostname ? jobHost(client, first.hostname) : undefined;
  let seen = first.lines ?? output.length;
  for (;;) {
    await pause(interval, signal);
    const state = await client.request(
      extractarchiveprogress,
      { progresshash: first.progresshash, lines: seen },
      { ...(host !== undefined ? { host } : {}), ...(signal ? { signal } : {}) },
    );
    output.push(...state.output);
    seen = state.lines;
    onProgress?.({ lines: state.output, total: output.length, finished: state.finished });
    if (state.finished) return { output, lines: output.length };
  }
}

/** What the {@link archiving} plugin adds to a client besides the methods. */
export interface ArchivingHelpers {
  /** {@link zipStream} on this client. */
  zipStream(params: ParamsOf<typeof getzip>, options?: ZipStreamOptions): Promise<ZipDownload>;
  /** {@link saveZip} on this client. */
  saveZip(params: ParamsOf<typeof savezip>, options?: SaveZipOptions): Promise<SaveZipResult>;
  /** {@link extract} on this client. */
  extract(params: ParamsOf<typeof extractarchive>, options?: ExtractOptions): Promise<ExtractResult>;
}

/** Adds the archiving methods and helpers to a client: `createClient(...).use(archiving)`. */
export const archiving = /* @__PURE__ */ definePlugin({
  name: 'archiving',
  methods: definitions,
  extend: (client: CoreClient): ArchivingHelpers => ({
    zipStream: (params, options) => zipStream(client, params, options),
    saveZip: (params, options) => saveZip(client, params, options),
    extract: (params, options) => extract(client, params, options),
  }),
});
