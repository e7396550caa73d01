/**
 * Runs one playground call through a real pcloudkit client and describes
 * what happened: the request as the transport saw it (credentials
 * redacted), the answer as lossless JSON text, timing, errors and, for the
 * binary transport, the raw frames.
 */
import {
  ApiError,
  PcloudError,
  ValidationError,
  TransportError,
  createClient,
  linkUrls,
  redactParams,
  stringifyJson,
  type AuthOptions,
  type DataResponse,
  type Region,
  type Transport,
  type TransportRequest,
  type UploadFile,
} from '@pcloudkit/core';
import { findMethod } from '@pcloudkit/catalog';
import { httpTransport } from '@pcloudkit/transport-http';
import { binaryTransport } from '@pcloudkit/transport-binary';
import type { Entry } from './registry.js';

export type TransportName = 'http' | 'binary';
export type TargetName = 'emulator' | 'pcloud';

export interface CallInput {
  method: string;
  params: Record<string, unknown>;
  transport: TransportName;
  target: TargetName;
}

/** Where calls go and with which credentials. */
export interface Target {
  region: 'us' | 'eu' | Region;
  auth?: AuthOptions;
  /** Secret strings to scrub from everything sent back to the browser. */
  secrets: string[];
  /** Whether the binary transport must use TLS (pCloud) or plain TCP (the emulator). */
  binaryTls: boolean;
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
  id: string;
  url: string;
  length: number;
  contentType?: string;
  filename: string;
  /** First bytes as text, when the answer looks like text. */
  preview?: string;
}

export interface CallOutput {
  request: {
    method: string;
    params: Record<string, unknown>;
    transport: TransportName;
    target: TargetName;
    host?: string;
    bearer?: string;
    files?: { name: string; size?: number; contentType?: string }[];
  };
  /** The answer as JSON text, 64-bit integers written exactly. */
  response: string | null;
  timing: number;
  error: ErrorInfo | null;
  links?: LinkInfo[];
  data?: DataInfo;
  /** Binary transport only: the frames as hex, `…` at the end when cut. */
  frames?: Frame[];
}

export interface Frame {
  dir: 'out' | 'in';
  hex: string;
}

const DATA_LIMIT = 64 * 1024 * 1024;
const FRAME_LIMIT = 64 * 1024;

/** Data answers kept for download, newest last. */
export class DataStore {
  private readonly items = new Map<string, { bytes: Buffer; contentType?: string; filename: string }>();
  private seq = 0;
  constructor(private readonly keep = 20) {}

  put(bytes: Buffer, contentType: string | undefined, filename: string): string {
    const id = `${Date.now().toString(36)}${(++this.seq).toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    this.items.set(id, { bytes, contentType, filename });
    while (this.items.size > this.keep) this.items.delete(this.items.keys().next().value!);
    return id;
  }

  get(id: string) {
    return this.items.get(id);
  }
}

/** Makes params JSON-safe for the envelope: bigints become exact decimal strings. */
function plain(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) out[k] = typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : v;
  return out;
}

function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

function scrubBytes(bytes: Uint8Array, secrets: readonly string[]): Buffer {
  const out = Buffer.from(bytes);
  for (const s of secrets) {
    if (s.length < 4) continue;
    const needle = Buffer.from(s);
    for (let i = out.indexOf(needle); i >= 0; i = out.indexOf(needle, i + needle.length)) out.fill(0x2a, i, i + needle.length);
  }
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

function kindFor(method: string, path: string): LinkInfo['kind'] {
  const media = findMethod(method)?.media;
  if (media) return media;
  const ext = /\.([a-z0-9]+)(?:$|[?#])/i.exec(path)?.[1]?.toLowerCase() ?? '';
  if (['mp3', 'wav', 'ogg', 'oga', 'flac', 'm4a', 'aac', 'opus'].includes(ext)) return 'audio';
  if (['mp4', 'webm', 'ogv', 'mov', 'm4v'].includes(ext)) return 'video';
  if (['png', 'jpg', 'jpeg', 'gif', 'webp', 'svg', 'bmp', 'avif'].includes(ext)) return 'image';
  return 'file';
}

/** Finds every `{ hosts, path }` pair in an answer and turns it into URLs. */
function findLinks(method: string, value: unknown, scheme: 'http' | 'https', at = '', out: LinkInfo[] = []): LinkInfo[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      findLinks(method, v, scheme, at ? `${at}.${i}` : String(i), out);
    });
  } else if (value && typeof value === 'object' && !(value instanceof Date)) {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.hosts) && v.hosts.length && v.hosts.every((h) => typeof h === 'string') && typeof v.path === 'string') {
      try {
        out.push({ at, urls: linkUrls(v as { hosts: string[]; path: string }, { scheme }), kind: kindFor(method, v.path) });
      } catch {
        // not a usable link after all
      }
    }
    for (const [k, child] of Object.entries(v))
      if (child && typeof child === 'object') findLinks(method, child, scheme, at ? `${at}.${k}` : k, out);
  }
  return out;
}

async function readAll(data: DataResponse): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = data.body.getReader();
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      size += next.value.byteLength;
      if (size > DATA_LIMIT) throw new Error(`the data answer is larger than ${DATA_LIMIT} bytes; the playground keeps at most that much`);
      chunks.push(Buffer.from(next.value));
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks);
}

function looksLikeText(bytes: Buffer, contentType: string | undefined): boolean {
  if (contentType && /^(text\/|application\/(json|xml|javascript))/i.test(contentType)) return true;
  const head = bytes.subarray(0, 512);
  return !head.includes(0) && head.toString('utf8').indexOf('\uFFFD') < 0;
}

export interface RunOptions {
  files?: UploadFile[];
  data: DataStore;
}

/** Runs one call. Never throws: every failure is described in the output. */
export async function runCall(entry: Entry, input: CallInput, target: Target, options: RunOptions): Promise<CallOutput> {
  const { definition } = entry;
  const secrets = target.secrets;
  const frames: Frame[] = [];
  let frameBytes = 0;
  const output: CallOutput = {
    request: { method: definition.name, params: plain(redactParams(input.params ?? {})), transport: input.transport, target: input.target },
    response: null,
    timing: 0,
    error: null,
  };

  const inner: Transport =
    input.transport === 'binary'
      ? binaryTransport({
          tls: target.binaryTls,
          onFrame(dir, bytes) {
            if (frameBytes >= FRAME_LIMIT) return;
            const part = bytes.subarray(0, FRAME_LIMIT - frameBytes);
            frameBytes += part.byteLength;
            const hex = scrubBytes(part, secrets).toString('hex') + (part.byteLength < bytes.byteLength ? '…' : '');
            frames.push({ dir, hex });
          },
        })
      : httpTransport();

  // Records what actually reaches the transport: host, encoded params, files.
  const recording: Transport = {
    name: inner.name,
    hostKind: inner.hostKind,
    call(request: TransportRequest) {
      output.request.host = request.host;
      output.request.params = plain(redactParams(request.params));
      if (request.bearer) output.request.bearer = '[redacted]';
      if (request.files?.length)
        output.request.files = request.files.map((f) => ({ name: f.name, size: f.size, contentType: f.contentType }));
      return inner.call(request);
    },
    close: () => inner.close(),
  };

  const client = createClient({ transport: recording, auth: target.auth, region: target.region, retries: 0 });
  const started = performance.now();
  try {
    const result: unknown = await client.request(definition, input.params as never, options.files ? { files: options.files } : undefined);
    if (definition.data === 'download') {
      const data = result as DataResponse;
      const bytes = await readAll(data);
      output.timing = performance.now() - started;
      const filename =
        String(input.params.path ?? '')
          .split('/')
          .pop() || `${definition.name}.bin`;
      const id = options.data.put(bytes, data.contentType, filename);
      output.data = { id, url: `/api/data/${id}`, length: bytes.length, contentType: data.contentType, filename };
      if (looksLikeText(bytes, data.contentType)) output.data.preview = scrub(bytes.subarray(0, 4096).toString('utf8'), secrets);
      output.response = stringifyJson(
        {
          length: data.length ?? bytes.length,
          contentType: data.contentType,
          body: `[${bytes.length} bytes: download from ${output.data.url}]`,
        },
        2,
      );
    } else {
      output.timing = performance.now() - started;
      output.response = scrub(stringifyJson(result, 2), secrets);
      const links = findLinks(definition.name, result, client.scheme);
      if (links.length) output.links = links;
    }
  } catch (error) {
    output.timing = performance.now() - started;
    output.error = describeError(error, secrets);
    if (error instanceof ApiError) output.response = scrub(stringifyJson(error.body, 2), secrets);
  } finally {
    await client.close().catch(() => {});
  }
  output.timing = Math.round(output.timing * 10) / 10;
  if (input.transport === 'binary') output.frames = frames;
  return output;
}
