import { ValidationError, uploadSource } from './core.js';
import type { Progress, TransportRequest, TransportResponse, UploadFile } from './core.js';
import { toCoreError } from './errors.js';
import { type CallContext, decodeAnswer } from './transport.js';
import { hasXhr, xhrSend } from './xhr.js';

/** An upload file made ready for fetch: its bytes as one Blob. */
export interface PreparedFile {
  name: string;
  contentType: string;
  blob: Blob;
}

/**
 * Turns an upload file into a Blob. Bytes and Blobs are wrapped without a
 * copy; streams and async iterables are read to the end first (fetch cannot
 * stream a request body everywhere, and `FormData` holds only Blobs), and
 * must then deliver exactly their declared `size`, when one is given.
 * Throws `TypeError` (bad source) or `RangeError` (size mismatch).
 */
export async function prepareFile(file: UploadFile, anonymous = false): Promise<PreparedFile> {
  if (!file || typeof file !== 'object') throw new TypeError('every upload file must be an object with name and data');
  if (!anonymous && (typeof file.name !== 'string' || file.name === '')) throw new TypeError('every upload file needs a non-empty name');
  const name = typeof file.name === 'string' && file.name !== '' ? file.name : 'file';
  const source = await uploadSource(file.data, { size: file.size });
  const contentType = file.contentType ?? source.type ?? 'application/octet-stream';
  let blob: Blob;
  if (file.data instanceof Blob) blob = file.data;
  else if (file.data instanceof Uint8Array) blob = new Blob([file.data as Uint8Array<ArrayBuffer>], { type: contentType });
  else {
    const parts: Uint8Array<ArrayBuffer>[] = [];
    let read = 0;
    for await (const chunk of source.chunks()) {
      read += chunk.byteLength;
      if (source.size !== undefined && read > source.size)
        throw new RangeError(`upload file ${name} has more bytes than its declared size ${source.size}`);
      parts.push(chunk as Uint8Array<ArrayBuffer>);
    }
    if (source.size !== undefined && read !== source.size)
      throw new RangeError(`upload file ${name} ended after ${read} bytes, but its declared size is ${source.size}`);
    blob = new Blob(parts, { type: contentType });
  }
  return { name, contentType, blob };
}

/** Reports upload progress to a listener that must not break the upload by throwing. */
export function progressReporter(total: number, listener: ((progress: Progress) => void) | undefined): (loaded: number) => void {
  let last = -1;
  return (loaded) => {
    if (!listener) return;
    const value = Math.min(Math.max(0, loaded), total);
    if (value < last) return;
    last = value;
    try {
      listener({ loaded: value, total });
    } catch {
      // A throwing progress listener must not break the upload.
    }
  };
}

/** What an upload sends, once its files are read: the HTTP method, the query left in the URL, the body and its byte count. */
export interface UploadPlan {
  httpMethod: 'POST' | 'PUT';
  query: string;
  body: FormData | Blob;
  total: number;
}

/**
 * Prepares the request of an upload. `payloadUpload` methods and
 * `uploadMethod: 'put'` send one file as a PUT body (the latter with every
 * param in the query, `filename` added unless given; `headers` gets the
 * file's content type); otherwise a multipart `FormData` with the params
 * first and the files last, as pCloud reads params before the first file.
 * Bad files are a `ValidationError`.
 */
export async function planUpload(
  request: TransportRequest,
  pairs: Array<[string, string]>,
  headers: Record<string, string>,
  uploadMethod: 'multipart' | 'put',
): Promise<UploadPlan> {
  const { method } = request;
  const files = request.files ?? [];
  const payloadUpload = request.definition?.payloadUpload === true;
  if (payloadUpload && files.length !== 1)
    throw new ValidationError(method, 'files', `${method} carries exactly one payload, got ${files.length} files`);
  if (uploadMethod === 'put' && files.length !== 1)
    throw new ValidationError(method, 'files', `a PUT upload carries exactly one file, got ${files.length}`);
  let prepared: PreparedFile[];
  try {
    prepared = await Promise.all(files.map((f) => prepareFile(f, payloadUpload)));
  } catch (error) {
    throw new ValidationError(method, 'files', (error as Error).message);
  }
  const total = prepared.reduce((n, f) => n + f.blob.size, 0);
  if (uploadMethod === 'put' || payloadUpload) {
    const file = prepared[0]!;
    headers['content-type'] = file.contentType;
    const named = payloadUpload || pairs.some(([k]) => k === 'filename') ? pairs : [...pairs, ['filename', file.name] as [string, string]];
    return { httpMethod: 'PUT', query: new URLSearchParams(named).toString(), body: file.blob, total };
  }
  const form = new FormData();
  for (const [k, v] of pairs) form.append(k, v);
  for (const file of prepared) form.append('file', file.blob, file.name);
  return { httpMethod: 'POST', query: '', body: form, total };
}

/**
 * Sends an upload: reads the files, then posts them with fetch, or with
 * `XMLHttpRequest` when the caller wants progress and the runtime has it
 * (fetch cannot tell how much of a request body went out). Without XHR,
 * progress is reported at the start and once the answer arrives.
 */
export async function sendUpload(context: CallContext): Promise<TransportResponse> {
  const { request, origin, headers } = context;
  const { method, signal, onUploadProgress } = request;
  const { httpMethod, query, body, total } = await planUpload(request, context.pairs, headers, context.uploadMethod);
  if (signal?.aborted) throw toCoreError(signal.reason, origin, signal, method);
  const url = `${origin}/${method}${query ? `?${query}` : ''}`;
  const report = progressReporter(total, onUploadProgress);
  report(0);
  if (!onUploadProgress || !context.useXhr || !hasXhr() || request.responseType !== 'json')
    return context.send(url, httpMethod, body, () => report(total));
  let answer: Awaited<ReturnType<typeof xhrSend>>;
  try {
    answer = await xhrSend(url, httpMethod, headers, body, signal, (sent, size) =>
      report(size > 0 ? Math.round((sent / size) * total) : 0),
    );
  } catch (error) {
    throw toCoreError(error, origin, signal, method, true);
  }
  report(total);
  return { result: await decodeAnswer(answer.text, answer.status, answer.header('content-type'), request, origin), host: request.host };
}
