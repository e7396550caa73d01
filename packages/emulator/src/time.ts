import { ApiError } from './errors.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** The last second a four-digit year can show: 9999-12-31 23:59:59 UTC. */
export const MAX_DATETIME = 253_402_300_799;

/**
 * Unix seconds -> pCloud's 31-byte RFC 2822 UTC text, e.g. `Thu, 21 Mar 2013 18:31:45 +0000`.
 * A value outside 1970..9999 (or not a number at all, say from an old data
 * directory) is shown as the nearest end of that range: never `NaN`, so one
 * bad date cannot break the listing of a whole folder.
 */
export function formatRfc2822(seconds: number): string {
  const safe = Number.isFinite(seconds) ? Math.min(Math.max(Math.floor(seconds), 0), MAX_DATETIME) : 0;
  const d = new Date(safe * 1000);
  return (
    `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCFullYear(), 4)} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  );
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === '') return 0;
  const z = zone.trim().toUpperCase();
  if (z === 'Z' || z === 'UTC' || z === 'GMT' || z === 'UT') return 0;
  const named: Record<string, number> = {
    EET: 120,
    EEST: 180,
    CET: 60,
    CEST: 120,
    EST: -300,
    EDT: -240,
    CST: -360,
    CDT: -300,
    MST: -420,
    MDT: -360,
    PST: -480,
    PDT: -420,
    BST: 60,
  };
  if (z in named) return named[z];
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(z);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  return sign * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

/**
 * Reads a datetime parameter in any of the forms pCloud accepts (RFC 2822,
 * ISO 8601, unix timestamp, YYYYMMDDhhmmss, each with an optional zone) and
 * returns unix seconds. Throws 1013 when the text is not understood.
 */
export function parseDatetime(input: string | number | bigint | boolean): number {
  const t = readDatetime(input);
  // 1970..9999: what a date can show (see formatRfc2822)
  if (!Number.isSafeInteger(t) || t < 0 || t > MAX_DATETIME) throw new ApiError(1013);
  return t;
}

function readDatetime(input: string | number | bigint | boolean): number {
  if (typeof input === 'number' || typeof input === 'bigint') return Number(input);
  if (typeof input === 'boolean') throw new ApiError(1013);
  const s = input.trim();
  let m = /^(\d{1,12})(?:\s*([+-]\d{2}:?\d{2}|[A-Za-z]{1,5}))?$/.exec(s);
  if (m && m[1]!.length !== 4) {
    const off = zoneOffsetMinutes(m[2]);
    if (off === undefined) throw new ApiError(1013);
    return Number(m[1]) - off * 60;
  }
  m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\s*(\S+))?$/.exec(s);
  if (m) return fromParts(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7]);
  m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:\.\d+)?)?)?)?)?)?\s*(Z|[+-]\d{2}:?\d{2}|[A-Za-z]{1,5})?$/.exec(
    s,
  );
  if (m) return fromParts(+m[1]!, +(m[2] ?? 1), +(m[3] ?? 1), +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7]);
  m = /^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s*(\S+)?$/.exec(s);
  if (m) {
    const month = MONTHS.findIndex((x) => x.toLowerCase() === m![2]!.toLowerCase());
    if (month < 0) throw new ApiError(1013);
    return fromParts(+m[3]!, month + 1, +m[1]!, +m[4]!, +m[5]!, +(m[6] ?? 0), m[7]);
  }
  throw new ApiError(1013);
}

function fromParts(y: number, mo: number, d: number, h: number, mi: number, se: number, zone: string | undefined): number {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || se > 60) throw new ApiError(1013);
  const off = zoneOffsetMinutes(zone);
  if (off === undefined) throw new ApiError(1013);
  return Math.floor(Date.UTC(y, mo - 1, d, h, mi, se) / 1000) - off * 60;
}
