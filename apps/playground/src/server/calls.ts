/**
 * Runs one binary-protocol call for the page (browsers cannot open the TCP
 * connection that protocol needs; HTTP calls go from the page itself) and
 * describes what happened: the request as the transport saw it (credentials
 * redacted), the answer as lossless JSON text, timing, errors and the raw
 * frames.
 */
import { createClient, stringifyJson, type AuthOptions, type DataResponse, type Region, type UploadFile } from '@pcloudkit/core';
import { binaryTransport } from '@pcloudkit/transport-binary';
import {
  dataFilenameOf,
  looksLikeText,
  newOutput,
  recordAnswer,
  recordFailure,
  recording,
  scrub,
  type CallOutput,
  type Frame,
  type TargetName,
} from '../shared/output.js';
import type { Entry } from './registry.js';

export interface CallInput {
  method: string;
  params: Record<string, unknown>;
  target: TargetName;
}

/** Where calls go and with which credentials. */
export interface Target {
  region: 'us' | 'eu' | Region;
  auth?: AuthOptions;
  /** Secret strings to scrub from everything sent back to the browser. */
  secrets: string[];
  /** Whether the binary transport must use TLS (pCloud) or plain TCP (the emulator). */
  tls: boolean;
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

function scrubBytes(bytes: Uint8Array, secrets: readonly string[]): Buffer {
  const out = Buffer.from(bytes);
  for (const s of secrets) {
    if (s.length < 4) continue;
    const needle = Buffer.from(s);
    for (let i = out.indexOf(needle); i >= 0; i = out.indexOf(needle, i + needle.length)) out.fill(0x2a, i, i + needle.length);
  }
  return out;
}

async function readAll(data: DataResponse, signal?: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = data.body.getReader();
  try {
    for (;;) {
      signal?.throwIfAborted();
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

export interface RunOptions {
  files?: UploadFile[];
  data: DataStore;
  /** Aborts the call: the page cancelled it or went away. */
  signal?: AbortSignal;
}

/** Runs one call over the binary protocol. Never throws: every failure is described in the output. */
export async function runBinaryCall(entry: Entry, input: CallInput, target: Target, options: RunOptions): Promise<CallOutput> {
  const { definition } = entry;
  const secrets = target.secrets;
  const frames: Frame[] = [];
  let frameBytes = 0;
  const output = newOutput(definition, input.params, 'binary', input.target);
  const transport = binaryTransport({
    tls: target.tls,
    onFrame(dir, bytes) {
      if (frameBytes >= FRAME_LIMIT) return;
      const part = bytes.subarray(0, FRAME_LIMIT - frameBytes);
      frameBytes += part.byteLength;
      const hex = scrubBytes(part, secrets).toString('hex') + (part.byteLength < bytes.byteLength ? '…' : '');
      frames.push({ dir, hex });
    },
  });
  const client = createClient({ transport: recording(transport, output), auth: target.auth, region: target.region, retries: 0 });
  const started = performance.now();
  try {
    const result: unknown = await client.request(definition, input.params as never, { files: options.files, signal: options.signal });
    if (definition.data === 'download') {
      const data = result as DataResponse;
      const bytes = await readAll(data, options.signal);
      output.timing = performance.now() - started;
      // A client of its own asks for the file's name: the frames and request shown stay the call's.
      const lookup = createClient({
        transport: binaryTransport({ tls: target.tls }),
        auth: target.auth,
        region: target.region,
        retries: 0,
      });
      const filename = await dataFilenameOf(definition, input.params, lookup, options.signal).finally(() => lookup.close().catch(() => {}));
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
      recordAnswer(output, result, started, secrets, entry.info.media, client.scheme);
    }
  } catch (error) {
    recordFailure(output, error, started, secrets);
  } finally {
    await client.close().catch(() => {});
  }
  output.timing = Math.round(output.timing * 10) / 10;
  output.frames = frames;
  return output;
}
