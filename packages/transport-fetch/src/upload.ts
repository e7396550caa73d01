import { uploadSource } from './core.js';
import type { Progress, UploadFile } from './core.js';

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
