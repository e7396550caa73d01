/** What {@link xhrSend} resolves with: enough of an answer to decode JSON. */
export interface XhrAnswer {
  status: number;
  header(name: string): string | undefined;
  text: string;
}

/** Whether this runtime has `XMLHttpRequest` (browsers and their workers do; Node, Deno and edge runtimes do not). */
export function hasXhr(): boolean {
  return typeof (globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest === 'function';
}

/** Marks a failure of the XHR itself (no answer came), as opposed to an abort. */
export class XhrFailure extends Error {
  override name = 'XhrFailure';
}

/**
 * Sends one request with `XMLHttpRequest`, the only browser API that reports
 * how much of a request body has gone out. Used for uploads that ask for
 * progress; `onProgress(sent, total)` counts body bytes, multipart framing
 * included. Rejects with the signal's reason on abort, `XhrFailure` otherwise.
 */
export function xhrSend(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: FormData | Blob,
  signal: AbortSignal | undefined,
  onProgress: (sent: number, total: number) => void,
): Promise<XhrAnswer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.responseType = 'text';
    const onAbort = () => xhr.abort();
    const done = () => signal?.removeEventListener('abort', onAbort);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    };
    xhr.onload = () => {
      done();
      resolve({
        status: xhr.status,
        header: (name) => xhr.getResponseHeader(name) ?? undefined,
        text: typeof xhr.responseText === 'string' ? xhr.responseText : '',
      });
    };
    xhr.onerror = () => {
      done();
      reject(new XhrFailure('XMLHttpRequest failed (network error or a blocked cross-origin request)'));
    };
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => {
      done();
      reject(signal?.reason ?? new XhrFailure('XMLHttpRequest was aborted'));
    };
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
    xhr.send(body);
  });
}
