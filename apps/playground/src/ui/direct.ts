/**
 * HTTP calls made by the page itself: a pcloudkit client with
 * `@pcloudkit/transport-fetch` talks to the target (the emulator or pCloud)
 * straight from the browser, with no server in between. What the page shows
 * (request line, answer, timing, links, data) is built here the same way the
 * server's binary bridge builds it.
 */
import {
  SECRET_PARAMS,
  createClient,
  hostOrigin,
  stringifyJson,
  type AnyMethod,
  type AuthOptions,
  type DataResponse,
  type Progress,
  type Region,
} from '@pcloudkit/core';
import { fetchTransport } from '@pcloudkit/transport-fetch';
import {
  dataFilenameOf,
  looksLikeText,
  newOutput,
  recordAnswer,
  recordFailure,
  recording,
  scrub,
  type CallOutput,
  type Credentials,
  type LinkInfo,
  type TargetName,
} from '../shared/output.js';

export interface DirectCall {
  definition: AnyMethod;
  /** What the catalogue says the method links to. */
  media?: LinkInfo['kind'];
  params: Record<string, unknown>;
  target: TargetName;
  /** `'us'`, `'eu'`, or the emulator's API origin. */
  region: 'us' | 'eu' | Region;
  credentials?: Credentials;
  file?: File;
  onUploadProgress?: (loaded: number, total: number) => void;
  /** Bytes of a data answer received so far (`total` when the server said). */
  onDataProgress?: (loaded: number, total: number | undefined) => void;
  /** Aborts the call (the Cancel button). */
  signal?: AbortSignal;
}

/** The URL with every credential param's value masked. */
function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    for (const key of [...u.searchParams.keys()]) if (SECRET_PARAMS.has(key)) u.searchParams.set(key, '***');
    return decodeURIComponent(u.toString()).replace(/\+/g, ' ');
  } catch {
    return url;
  }
}

async function readAll(data: DataResponse, onProgress: DirectCall['onDataProgress'], signal?: AbortSignal): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = data.body.getReader();
  onProgress?.(0, data.length);
  for (;;) {
    signal?.throwIfAborted();
    const next = await reader.read();
    if (next.done) break;
    chunks.push(next.value);
    loaded += next.value.byteLength;
    onProgress?.(loaded, data.length);
  }
  return chunks;
}

/** Runs one HTTP call from the browser. Never throws: every failure is described in the output. */
export async function runHttpCall(call: DirectCall): Promise<CallOutput> {
  const { definition, params } = call;
  const secrets = call.credentials ? [call.credentials.token] : [];
  const output = newOutput(definition, params, 'http', call.target);
  // Records the request line the page actually sends (uploads with progress go through XHR instead).
  const recordingFetch: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    output.request.line = `${init?.method ?? 'GET'} ${maskUrl(url)}`;
    return fetch(input, init);
  };
  const auth: AuthOptions | undefined = call.credentials
    ? call.credentials.kind === 'auth'
      ? { authToken: call.credentials.token }
      : { accessToken: call.credentials.token }
    : undefined;
  const client = createClient({
    transport: recording(fetchTransport({ fetch: recordingFetch }), output),
    auth,
    region: call.region,
    retries: 0,
  });
  const started = performance.now();
  try {
    const options = call.file
      ? {
          signal: call.signal,
          files: [{ name: call.file.name, data: call.file, size: call.file.size, contentType: call.file.type || undefined }],
          onUploadProgress:
            call.onUploadProgress && (({ loaded, total }: Progress) => call.onUploadProgress!(loaded, total ?? call.file!.size)),
        }
      : { signal: call.signal };
    const result: unknown = await client.request(definition, params as never, options);
    if (!output.request.line && output.request.host)
      output.request.line = `POST ${hostOrigin(output.request.host, client.scheme)}/${definition.name} (multipart, XMLHttpRequest)`;
    if (definition.data === 'download') {
      const data = result as DataResponse;
      const chunks = await readAll(data, call.onDataProgress, call.signal);
      output.timing = performance.now() - started;
      const blob = new Blob(chunks as BlobPart[], data.contentType ? { type: data.contentType } : {});
      // A client of its own asks for the file's name, so the request shown stays the call's.
      const lookup = createClient({ transport: fetchTransport(), auth, region: call.region, retries: 0 });
      const filename = await dataFilenameOf(definition, params, lookup, call.signal).finally(() => lookup.close().catch(() => {}));
      output.data = { url: URL.createObjectURL(blob), length: blob.size, contentType: data.contentType, filename };
      const head = new Uint8Array(await blob.slice(0, 4096).arrayBuffer());
      if (looksLikeText(head, data.contentType)) output.data.preview = scrub(new TextDecoder().decode(head), secrets);
      output.response = stringifyJson(
        { length: data.length ?? blob.size, contentType: data.contentType, body: `[${blob.size} bytes, received by the page]` },
        2,
      );
    } else {
      recordAnswer(output, result, started, secrets, call.media, client.scheme);
    }
  } catch (error) {
    recordFailure(output, error, started, secrets);
  } finally {
    await client.close().catch(() => {});
  }
  output.timing = Math.round(output.timing * 10) / 10;
  return output;
}
