import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import iconv from 'iconv-lite';

/** gettextfile converts in memory, up to this many bytes. */
export const MAX_CONVERT_BYTES = 64 * 1024 * 1024;

/** Whether iconv-lite knows `name` (case, dashes and underscores do not matter). */
export function knownEncoding(name: string): boolean {
  return iconv.encodingExists(name);
}

/** Whether `name` is one of the spellings of UTF-8. */
export function isUtf8Name(name: string): boolean {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '') === 'utf8';
}

/** Whether the bytes are UTF-8; with `partial`, a sequence cut at the end still counts. */
function utf8(bytes: Buffer, partial: boolean): boolean {
  if (!partial) return isUtf8(bytes);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Guesses the encoding of a text: a byte order mark names it (UTF-8,
 * UTF-16 or UTF-32, either byte order); without one, bytes that are valid
 * UTF-8 are UTF-8; anything else is taken as windows-1252, the single-byte
 * superset of Latin-1 that files called "Latin-1" mostly are. `partial`
 * says `bytes` is only the start of the file.
 */
export function guessEncoding(bytes: Buffer, partial = false): string {
  const b = bytes;
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 'utf-8';
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) return 'utf-32le';
  if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return 'utf-32be';
  if (b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  return utf8(b, partial) ? 'utf-8' : 'windows-1252';
}

/** Decodes `bytes` from `from` (a leading byte order mark is dropped) and encodes the text in `to`. */
export function convertText(bytes: Buffer, from: string, to: string): Buffer {
  return iconv.encode(iconv.decode(bytes, from), to);
}
