import { AnswerTooLargeError, ProtocolError, concatBytes, errorAnswer, readHead } from './core.js';
import type { TransportRequest, TransportResponse } from './core.js';
import { bodyTimeoutError, snippet, toCoreError } from './errors.js';
import { guardStream } from './streams.js';

const JSON_TYPE = /^(application|text)\/(json|javascript)|\+json/i;
/**
 * The answer of a data method that came without `X-Error`: its body as a web
 * stream (read failures mapped, `bodyTimeout` enforced), or the pCloud error
 * a small JSON body turns out to be. A failed HTTP status without a JSON body
 * is a `ProtocolError`.
 */
export async function dataAnswer(
  response: Response,
  request: TransportRequest,
  origin: string,
  contentType: string | undefined,
): Promise<TransportResponse> {
  const { method, signal } = request;
  const jsonType = contentType !== undefined && JSON_TYPE.test(contentType);
  const status = response.status;
  if (status >= 400 && !jsonType) {
    const text = await response.text().catch(() => '');
    throw new ProtocolError(
      `${method} on ${origin} (HTTP ${status}${contentType ? `, ${contentType}` : ''}): data answer failed without a JSON error: ${snippet(text, request.params, request.bearer)}`,
    );
  }
  if (!response.body) {
    return {
      result: { result: 0 },
      data: { body: new Blob([]).stream(), length: 0, ...(contentType ? { contentType } : {}) },
      host: request.host,
    };
  }
  const reader = response.body.getReader();
  const mapError = (error: unknown) => toCoreError(error, origin, signal, `reading the data of ${method}`);
  let head: Uint8Array[] = [];
  if (jsonType) {
    // A stored .json file is served as JSON too: only a small body with pCloud's error shape is an error answer.
    const read = await readHead(() => reader.read()).catch((error: unknown) => {
      throw mapError(error);
    });
    head = read.head;
    const answer = read.ended ? errorAnswer(concatBytes(head)) : undefined;
    if (answer) return { result: answer, host: request.host };
  }
  const lengthText = response.headers.get('content-length');
  const length = lengthText !== null && /^\d+$/.test(lengthText) ? Number(lengthText) : undefined;
  const ms = request.bodyTimeout;
  const stream = guardStream(reader, {
    mapError,
    head,
    ...(ms !== undefined ? { idle: { ms, error: () => bodyTimeoutError(ms, method) } } : {}),
  });
  return {
    result: { result: 0 },
    data: { body: stream, ...(length !== undefined ? { length } : {}), ...(contentType ? { contentType } : {}) },
    host: request.host,
  };
}

/**
 * A JSON answer's text when it did not announce a length within `limit`:
 * read chunk by chunk, and refused with `AnswerTooLargeError` (the body
 * cancelled) as soon as it passes the limit. Read failures are mapped by the
 * caller.
 */
export async function cappedText(response: Response, limit: number, method: string, origin: string): Promise<string> {
  const reader = response.body?.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (let r = await reader?.read(); r && !r.done; r = await reader!.read()) {
    size += r.value.byteLength;
    if (size > limit) {
      void reader!.cancel().catch(() => undefined);
      throw new AnswerTooLargeError(`${method} on ${origin}`, limit);
    }
    parts.push(r.value);
  }
  return new TextDecoder().decode(concatBytes(parts));
}
