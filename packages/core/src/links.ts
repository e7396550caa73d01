/**
 * Link answers (`getfilelink`, `getaudiolink`, ...) carry `hosts` and a
 * `path`; these helpers turn them into ready URLs.
 */
import { hostOrigin } from './regions.js';

/** The part of a link answer needed to build URLs. */
export interface LinkAnswer {
  /** Content hosts, best first: bare names (`c123.pcloud.com`) or full origins. */
  readonly hosts: readonly string[];
  /** Path to append to each host. */
  readonly path: string;
}

export interface LinkUrlOptions {
  /**
   * Scheme for bare host names. Default `https`, what pCloud's content
   * servers speak; a client pointed at an `http://` API (the emulator) passes
   * `http` (`client.scheme` holds the right value). Hosts that already carry
   * a scheme keep it.
   */
  scheme?: 'https' | 'http';
  /** Seconds to skip, sent as the `start` query param (audio and video links). */
  start?: number;
}

/** Ready URLs for a link answer, one per host, in the server's order of preference. */
export function linkUrls(link: LinkAnswer, options: LinkUrlOptions = {}): string[] {
  const l = link as Partial<LinkAnswer> | null;
  if (!l || !Array.isArray(l.hosts) || l.hosts.some((h) => typeof h !== 'string' || h === '') || typeof l.path !== 'string') {
    throw new TypeError('linkUrls expects a link answer with hosts (non-empty strings) and path');
  }
  const { start } = options;
  if (start !== undefined && (typeof start !== 'number' || !Number.isFinite(start) || start < 0)) {
    throw new RangeError(`start must be a number of seconds >= 0, got ${String(start)}`);
  }
  const path = l.path.startsWith('/') ? l.path : `/${l.path}`;
  return l.hosts.map((host) => {
    const url = new URL(hostOrigin(host, options.scheme ?? 'https') + path);
    if (start !== undefined) url.searchParams.set('start', String(Math.floor(start)));
    return url.toString();
  });
}

/** A part of a file to download: bytes `start` to `end` inclusive (to the end of the file without `end`). */
export interface ByteRange {
  start: number;
  end?: number;
}

/** The URLs to try for a download: a link answer's URLs (best host first), one URL, or a list of URLs. */
export function downloadUrls(source: LinkAnswer | string | readonly string[], options: LinkUrlOptions = {}): string[] {
  if (typeof source === 'string') return [source];
  if (Array.isArray(source)) return [...(source as readonly string[])];
  return linkUrls(source as LinkAnswer, options);
}

/** Checks a byte range and gives its `Range` header value (`bytes=start-end`). Throws `RangeError` for a bad range. */
export function rangeHeader(range: ByteRange): string {
  const okStart = Number.isSafeInteger(range.start) && range.start >= 0;
  const okEnd = range.end === undefined || (Number.isSafeInteger(range.end) && range.end >= range.start);
  if (!okStart || !okEnd) throw new RangeError(`invalid range ${JSON.stringify(range)}`);
  return `bytes=${range.start}-${range.end ?? ''}`;
}
