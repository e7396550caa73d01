/**
 * What one playground call shows, and the helpers that build it. Browser-safe
 * (no Node modules): the page runs HTTP calls itself with these, the server
 * runs binary calls with the same ones.
 */
import {
  ApiError,
  PcloudError,
  TransportError,
  ValidationError,
  linkUrls,
  redactParams,
  stringifyJson,
  type AnyMethod,
  type Transport,
  type TransportRequest,
  type WireValue,
} from '@pcloudkit/core';

export type TransportName = 'http' | 'binary';
export type TargetName = 'emulator' | 'pcloud';

/** Credentials a call runs with: a session auth token or an OAuth2 access token. */
export interface Credentials {
  kind: 'access_token' | 'auth';
  token: string;
}

export interface ErrorInfo {
  name: string;
  code?: string;
  result?: number;
  errorClass?: string;
  message: string;
  param?: string;
  host?: string;
}

export interface LinkInfo {
  /** Where in the answer the link was found (`""` for the top level, `variants.0`...). */
  at: string;
  urls: string[];
  /** What the browser can try to show it as. */
  kind: 'audio' | 'video' | 'hls' | 'image' | 'file';
}

export interface DataInfo {
  /** Server-side id of a data answer the binary bridge kept (absent for HTTP calls made by the page). */
  id?: string;
  url: string;
  length: number;
  contentType?: string;
  filename: string;
  /** First bytes as text, when the answer looks like text. */
  preview?: string;
}

export interface Frame {
  dir: 'out' | 'in';
  hex: string;
}

export interface CallOutput {
  request: {
    method: string;
    params: Record<string, unknown>;
    transport: TransportName;
    target: TargetName;
    host?: string;
    /** HTTP calls: the request line as the page sent it, credentials masked. */
    line?: string;
    bearer?: string;
    files?: { name: string; size?: number; contentType?: string }[];
  };
  /** The answer as JSON text, 64-bit integers written exactly. */
  response: string | null;
  /** The answer as the transport received it, before the SDK decoded it (datetimes as pCloud sent them), written exactly. */
  raw?: string;
  timing: number;
  error: ErrorInfo | null;
  links?: LinkInfo[];
  data?: DataInfo;
  /** Binary transport only: the frames as hex, `…` at the end when cut. */
  frames?: Frame[];
}

/** Makes params JSON-safe for display: bigints become exact decimal strings. */
export function plain(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) out[k] = typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : v;
  return out;
}

/** Replaces every secret (4 characters or more) in a text by `[redacted]`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

export function describeError(error: unknown, secrets: readonly string[]): ErrorInfo {
  const e = error as Error & Record<string, unknown>;
  const info: ErrorInfo = {
    // Bundlers may rename classes (`_ApiError`); show the name users import.
    name: typeof e?.name === 'string' ? e.name.replace(/^_+/, '') : 'Error',
    message: scrub(typeof e?.message === 'string' ? e.message : String(error), secrets),
  };
  if (error instanceof PcloudError) info.code = error.code;
  if (error instanceof ApiError) {
    info.result = error.result;
    info.errorClass = error.errorClass;
  }
  if (error instanceof ValidationError) info.param = error.param;
  if (error instanceof TransportError && error.host) info.host = error.host;
  return info;
}

function kindFor(media: LinkInfo['kind'] | undefined, path: string): LinkInfo['kind'] {
  if (media) return media;
  const ext = /\.([a-z0-9]+)(?:$|[?#])/i.exec(path)?.[1]?.toLowerCase() ?? '';
  if (['mp3', 'wav', 'ogg', 'oga', 'flac', 'm4a', 'aac', 'opus'].includes(ext)) return 'audio';
  if (['mp4', 'webm', 'ogv', 'mov', 'm4v'].includes(ext)) return 'video';
  if (['png', 'jpg', 'jpeg', 'gif', 'webp', 'svg', 'bmp', 'avif'].includes(ext)) return 'image';
  return 'file';
}

/**
 * Finds every `{ hosts, path }` pair in an answer and turns it into URLs.
 * `media` is what the catalogue says the method links to, if anything.
 */
export function findLinks(
  media: LinkInfo['kind'] | undefined,
  value: unknown,
  scheme: 'http' | 'https',
  at = '',
  out: LinkInfo[] = [],
): LinkInfo[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      findLinks(media, v, scheme, at ? `${at}.${i}` : String(i), out);
    });
  } else if (value && typeof value === 'object' && !(value instanceof Date)) {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.hosts) && v.hosts.length && v.hosts.every((h) => typeof h === 'string') && typeof v.path === 'string') {
      try {
        out.push({ at, urls: linkUrls(v as { hosts: string[]; path: string }, { scheme }), kind: kindFor(media, v.path) });
      } catch {
        // not a usable link after all
      }
    }
    for (const [k, child] of Object.entries(v))
      if (child && typeof child === 'object') findLinks(media, child, scheme, at ? `${at}.${k}` : k, out);
  }
  return out;
}

/**
 * Fills `output` with a JSON answer: the time since `started`, the answer as
 * lossless JSON text with `secrets` scrubbed, and the links found in it.
 */
export function recordAnswer(
  output: CallOutput,
  result: unknown,
  started: number,
  secrets: readonly string[],
  media: LinkInfo['kind'] | undefined,
  scheme: 'http' | 'https',
): void {
  output.timing = performance.now() - started;
  output.response = scrub(stringifyJson(result, 2), secrets);
  if (output.raw !== undefined) output.raw = scrub(output.raw, secrets);
  const links = findLinks(media, result, scheme);
  if (links.length) output.links = links;
}

/** Fills `output` with a failure: the time since `started`, the error described and, for an API error, the server's answer. */
export function recordFailure(output: CallOutput, error: unknown, started: number, secrets: readonly string[]): void {
  output.timing = performance.now() - started;
  output.error = describeError(error, secrets);
  if (error instanceof ApiError) output.response = scrub(stringifyJson(error.body, 2), secrets);
  if (output.raw !== undefined) output.raw = scrub(output.raw, secrets);
}

/** Whether the first bytes of a data answer look like text worth previewing. */
export function looksLikeText(bytes: Uint8Array, contentType: string | undefined): boolean {
  if (contentType && /^(text\/|application\/(json|xml|javascript))/i.test(contentType)) return true;
  const head = bytes.subarray(0, 512);
  return !head.includes(0) && new TextDecoder().decode(head).indexOf('\uFFFD') < 0;
}

/** The file name a data answer is offered under, from the params alone (the path's last part, or `<method>.bin`). */
export function dataFilename(definition: AnyMethod, params: Record<string, unknown>): string {
  return (
    String(params.path ?? '')
      .split('/')
      .pop() || `${definition.name}.bin`
  );
}

/**
 * The file name a data answer is offered under: the path's last part, the
 * `filename` param, or, for a call by `fileid`, the file's own name asked
 * with `stat` on `lookup` (a client that records nothing); `<method>.bin`
 * when none says.
 */
export async function dataFilenameOf(
  definition: AnyMethod,
  params: Record<string, unknown>,
  lookup: { call<T>(method: string, params?: Record<string, WireValue>, options?: { signal?: AbortSignal }): Promise<T> },
  signal?: AbortSignal,
): Promise<string> {
  const fromPath = String(params.path ?? '')
    .split('/')
    .pop();
  if (fromPath) return fromPath;
  if (typeof params.filename === 'string' && params.filename) return params.filename;
  if (params.fileid !== undefined && params.fileid !== '') {
    try {
      const answer = await lookup.call<{ metadata?: { name?: unknown } }>('stat', { fileid: String(params.fileid) }, { signal });
      const name = answer.metadata?.name;
      if (typeof name === 'string' && name) return name;
    } catch {
      // no name: the method's
    }
  }
  return `${definition.name}.bin`;
}

/** A fresh output for a call, before anything is sent. */
export function newOutput(
  definition: AnyMethod,
  params: Record<string, unknown>,
  transport: TransportName,
  target: TargetName,
): CallOutput {
  return {
    request: { method: definition.name, params: plain(redactParams(params)), transport, target },
    response: null,
    timing: 0,
    error: null,
  };
}

/** Wraps a transport so that what reaches it (host, encoded params, files) lands in `output.request`. */
export function recording(inner: Transport, output: CallOutput): Transport {
  return {
    name: inner.name,
    hostKind: inner.hostKind,
    call(request: TransportRequest) {
      output.request.host = request.host;
      output.request.params = plain(redactParams(request.params));
      if (request.bearer) output.request.bearer = '[redacted]';
      if (request.files?.length)
        output.request.files = request.files.map((f) => ({ name: f.name, size: f.size, contentType: f.contentType }));
      return inner.call(request).then((answer) => {
        output.raw = stringifyJson(answer.result, 2);
        return answer;
      });
    },
    close: () => inner.close(),
  };
}
