import { type CatalogMethod, errorMessages } from '@pcloudkit/catalog';
import { ApiError } from './errors.js';
import { MAX_DATETIME, parseDatetime } from './time.js';

/** A parameter value as a transport delivers it: HTTP gives strings, binary gives typed values. */
export type RawParam = string | number | bigint | boolean;

/** Path-valued members of the catalogue's one-of sets (`path`, `topath`). */
const isPathParam = (name: string) => name === 'path' || name === 'topath';

/**
 * pCloud prefers ids over paths: when a call names the same thing both ways
 * (`fileid` and `path`, `tofolderid` and `topath`, any one-of set of the
 * catalogue that has a path member), the path is not looked at. Dropping it
 * here gives every method that rule, whatever order its handler reads them.
 */
function preferIds(raw: Readonly<Record<string, RawParam>>, method: CatalogMethod | undefined): Readonly<Record<string, RawParam>> {
  if (!method) return raw;
  let out = raw;
  for (const members of Object.values(method.oneOf)) {
    const given = members.filter((m) => Object.hasOwn(raw, m) && raw[m] !== undefined);
    if (!given.some(isPathParam) || given.every(isPathParam)) continue;
    if (out === raw) out = { ...raw };
    for (const m of given) if (isPathParam(m)) delete (out as Record<string, RawParam>)[m];
  }
  return out;
}

const INVALID_PROVIDED = /^Invalid '([a-z_]+)' provided\.$/;

/** Error code -> name quoted in an "Invalid 'name' provided." message (1017 folderid, 1018 fileid). */
const INVALID_BY_NAME = new Map<string, number>(
  Object.entries(errorMessages).flatMap(([code, text]) => {
    const m = INVALID_PROVIDED.exec(text);
    return m ? [[m[1]!, Number(code)] as [string, number]] : [];
  }),
);

/** Date/time format not understood: pCloud's code for a value it cannot read. */
const UNREADABLE = 1013;

/**
 * The code pCloud answers when a numeric parameter is not a number:
 * the "Invalid 'name' provided." code of that parameter (the method's own,
 * else the general one; `tofolderid` counts as `folderid`), else a code the
 * method documents that names the parameter (`tokenid` 1076, `linkid` 1030,
 * `offset` 1009 ...), else 1013, the one code pCloud has for a value it
 * could not read.
 */
export function invalidNumberCode(name: string, method: CatalogMethod | undefined): number {
  const base = name.startsWith('to') ? name.slice(2) : name;
  const documented = method?.errors ?? [];
  const invalid = [name, base].map((n) => INVALID_BY_NAME.get(n)).filter((c) => c !== undefined);
  const own = invalid.find((c) => documented.includes(c));
  if (own !== undefined) return own;
  if (invalid[0] !== undefined) return invalid[0];
  const named = documented.filter((c) => [name, base].some((n) => errorMessages[c]?.includes(`'${n}'`))).sort((a, b) => a - b);
  return named[0] ?? UNREADABLE;
}

/**
 * Numeric parameters that are never negative: ids (pCloud's are unsigned),
 * counts, sizes and pages. `offset` is not among them: file_seek
 * takes a negative one from the end or the current position.
 */
const NON_NEGATIVE =
  /(?:id|ids)$|^(?:count|length|pagesize|page|lines|last|position|maxspeed|maxtraffic|maxdownloads|maxspace|maxfiles|permissions|flags|type|whence|item)$/;

/** Unix-seconds parameters: 1970 up to the last second of year 9999, like the dates pCloud shows. */
const SECONDS = new Set(['mtime', 'ctime']);

/**
 * Typed readers over the raw parameters of one call. Every reader accepts
 * both the HTTP (string) and the binary (typed) representations. Given the
 * method's catalogue entry, path members of its one-of sets yield to the id
 * members (see `preferIds`) and malformed numbers answer the method's codes.
 */
export class Params {
  readonly raw: Readonly<Record<string, RawParam>>;

  constructor(
    raw: Readonly<Record<string, RawParam>>,
    private readonly method?: CatalogMethod,
  ) {
    this.raw = preferIds(raw, method);
  }

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
   * An integer parameter: decimal digits with an optional sign (binary
   * numbers as they come). Anything else is refused with the code pCloud
   * uses for that parameter (`invalidNumberCode`), never read as 0.
   */
  int(name: string): number | undefined {
    if (!this.has(name)) return undefined;
    const n = this.readInt(name);
    // out of range is as invalid as not a number: beyond 2^53 no id or size is exact (none is issued),
    // negative ids, counts and sizes do not exist, dates stay within what can be shown
    if (!Number.isSafeInteger(n)) throw this.bad(name);
    if (n < 0 && (NON_NEGATIVE.test(name) || SECONDS.has(name))) throw this.bad(name);
    if (SECONDS.has(name) && n > MAX_DATETIME) throw this.bad(name);
    return n;
  }

  private readInt(name: string): number {
    const v = this.raw[name]!;
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) throw this.bad(name);
      return v;
    }
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'boolean') return v ? 1 : 0;
    const s = v.trim();
    if (/^[+-]?\d+$/.test(s)) return Number(s);
    throw this.bad(name);
  }

  private bad(name: string): ApiError {
    const code = invalidNumberCode(name, this.method);
    // 1013 speaks of dates: say what was wrong
    return new ApiError(code, code === UNREADABLE ? { emulator: `'${name}' must be an integer` } : undefined);
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
