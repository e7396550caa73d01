import { ApiError } from './errors.js';
import { parseDatetime } from './time.js';

/** A parameter value as a transport delivers it: HTTP gives strings, binary gives typed values. */
export type RawParam = string | number | bigint | boolean;

/** Error code for a malformed numeric parameter, by name. */
const INVALID_INT: Record<string, number> = {
  folderid: 1017,
  tofolderid: 1017,
  fileid: 1018,
  tofileid: 1018,
  tokenid: 1076,
};

/**
 * Typed readers over the raw parameters of one call. Every reader accepts
 * both the HTTP (string) and the binary (typed) representations.
 */
export class Params {
  constructor(readonly raw: Readonly<Record<string, RawParam>>) {}

  has(name: string): boolean {
    return Object.hasOwn(this.raw, name) && this.raw[name] !== undefined;
  }

  str(name: string): string | undefined {
    if (!this.has(name)) return undefined;
    const v = this.raw[name]!;
    if (typeof v === 'boolean') return v ? '1' : '0';
    return String(v);
  }

  /** A string parameter that must be present and non-empty, else `code`. */
  needStr(name: string, code: number): string {
    const v = this.str(name);
    if (v === undefined || v === '') throw new ApiError(code);
    return v;
  }

  /**
   * An integer parameter. Ids are checked strictly (malformed -> 1017/1018);
   * other numbers are read leniently like C's strtoll (leading digits, else 0).
   */
  int(name: string): number | undefined {
    if (!this.has(name)) return undefined;
    const v = this.raw[name]!;
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) return this.bad(name, Math.trunc(v));
      return v;
    }
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'boolean') return v ? 1 : 0;
    const s = v.trim();
    if (/^[+-]?\d+$/.test(s)) return Number(s);
    const m = /^[+-]?\d+/.exec(s);
    return this.bad(name, m ? Number(m[0]) : 0);
  }

  private bad(name: string, lenient: number): number {
    const code = INVALID_INT[name];
    if (code !== undefined) throw new ApiError(code);
    return lenient;
  }

  needInt(name: string, missingCode: number): number {
    const v = this.int(name);
    if (v === undefined) throw new ApiError(missingCode);
    return v;
  }

  /**
   * A presence flag: any value turns it on, except the explicit "off"
   * spellings `0`, `false` and the empty string (and binary false / 0).
   */
  flag(name: string): boolean {
    if (!this.has(name)) return false;
    const v = this.raw[name]!;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number' || typeof v === 'bigint') return Number(v) !== 0;
    const s = v.trim().toLowerCase();
    return !(s === '0' || s === 'false' || s === '');
  }

  /** A datetime parameter as unix seconds (1013 when not understood). */
  datetime(name: string): number | undefined {
    if (!this.has(name)) return undefined;
    return parseDatetime(this.raw[name]!);
  }

  /** Comma separated list of names. */
  list(name: string): string[] | undefined {
    const s = this.str(name);
    if (s === undefined) return undefined;
    return s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
  }
}
