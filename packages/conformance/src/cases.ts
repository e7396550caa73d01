/**
 * The case generator: from one catalogue entry (params with types and
 * required/one-of, at-most-one sets, requires, login need) and the names of
 * the params a fixture can fill, the list of calls to make and what kind of
 * answer each may get. Fixture values are only plugged in when a call is
 * made, because most calls need fresh objects.
 */
import { type CatalogMethod, type CatalogParam, errorMessages } from '@pcloudkit/catalog';

/** A parameter value as both protocols can carry it. */
export type Value = string | number | boolean;
export type Values = Readonly<Record<string, Value>>;

export type CaseKind =
  | 'correct'
  | 'missing-required'
  | 'one-of-empty'
  | 'one-of-doubled'
  | 'at-most-one-doubled'
  | 'requires-missing'
  | 'wrong-type'
  | 'out-of-range'
  | 'unknown-ref'
  | 'no-login'
  | 'bad-login';

/**
 * What the answer may be: `ok` result 0; `error` any documented error;
 * `either` result 0 or a documented error (pCloud's choice is not known, so
 * only the answer's shape is checked); a list: exactly one of these codes.
 */
export type Expect = 'ok' | 'error' | 'either' | readonly number[];

export interface Case {
  kind: CaseKind;
  /** Short description, unique within the method (used in deviation keys). */
  label: string;
  /** `user`: the fixture's login; `none`: no credentials; `bad`: a token that does not exist. */
  login: 'user' | 'none' | 'bad';
  expect: Expect;
  /** Upload methods: over HTTP, send the bytes as a multipart POST rather than a PUT. */
  multipart?: boolean;
  /** The call asks for `timeformat=timestamp`: datetimes come back as numbers. */
  timestamps?: boolean;
  /** Params whose fixture values the call uses. */
  uses: readonly string[];
  /** The call's method params, built from the values a fixture made for this call. */
  params(values: Values): Record<string, Value>;
}

export interface CasePlan {
  /** Required params and one-of sets the fixture cannot fill (empty when covered). */
  missing: string[];
  cases: Case[];
}

export interface PlanOptions {
  /** Param -> params sent along whenever it is used (createfolder: folderid needs name). */
  companions?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Values no object has: ids, paths and codes that exist nowhere. A path is
 * missing either as a whole (`path`: its parent, the root, exists) or from
 * its parent on (`deepPath`); methods that document 2002 ("A component of
 * parent directory does not exist.") get the deep one, which is the only
 * kind of missing path a method that creates things refuses.
 */
export const UNKNOWN = {
  id: 9_876_543_210,
  path: '/pcloudkit-conformance-missing',
  deepPath: '/pcloudkit-conformance-missing/none',
  code: 'pcloudkitconformancenosuchcode',
} as const;

/** Values of the wrong type, per catalogue param type. */
export const WRONG_TYPE: Partial<Record<CatalogParam['type'], { value: string; label: string }>> = {
  int: { value: 'x1', label: 'not a number' },
  datetime: { value: 'not a date', label: 'not a date' },
  'int-list': { value: 'x,y', label: 'not a list of numbers' },
};

/** Params whose malformed value pCloud's parser refuses before the method runs (see GENERAL_CODES). */
const STRICT_IDS = new Set(['folderid', 'tofolderid', 'fileid', 'tofileid']);

/** Params that name an existing object: `*id` ints, paths and link codes. */
export function isReference(p: CatalogParam): boolean {
  if (p.type === 'int') return /id$/.test(p.name);
  if (p.type === 'string') return p.name === 'path' || p.name === 'code';
  return false;
}

/**
 * Values outside the range a param's catalogue summary states: "16-320" or
 * "16 to 320" for numbers, "between 64x64 and 1280x960" or "width 16-2048,
 * height 16-1024" for WIDTHxHEIGHT strings.
 */
export function outOfRange(p: CatalogParam): Value[] {
  const s = p.summary;
  if (p.type === 'int') {
    const m = /(\d+)\s*(?:-|–|to)\s*(\d+)/.exec(s);
    if (!m) return [];
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    return [...(lo > 0 ? [lo - 1] : []), hi + 1];
  }
  if (p.type === 'string') {
    const between = /between (\d+)x(\d+) and (\d+)x(\d+)/.exec(s);
    if (between) {
      const [w0, h0, w1, h1] = between.slice(1).map(Number) as [number, number, number, number];
      return [`${w0 - 1}x${h0 - 1}`, `${w1 + 1}x${h1 + 1}`];
    }
    const wh = /width (\d+)\s*-\s*(\d+), height (\d+)\s*-\s*(\d+)/.exec(s);
    if (wh) {
      const [w0, w1, h0, h1] = wh.slice(1).map(Number) as [number, number, number, number];
      return [`${w0 - 1}x${h0 - 1}`, `${w1 + 1}x${h1 + 1}`];
    }
  }
  return [];
}

/**
 * The method's documented request errors (1xxx) whose message names one of
 * these params ("Please provide 'mail'.", "No fileid or path provided."):
 * when a call leaves those params out, the answer must be one of them.
 */
export function codesNaming(method: CatalogMethod, names: readonly string[]): number[] {
  return method.errors.filter(
    (code) => code >= 1000 && code < 2000 && names.some((n) => new RegExp(`\\b${n}\\b`).test(errorMessages[code] ?? '')),
  );
}

const pick = (values: Values, names: readonly string[]): Record<string, Value> => {
  const out: Record<string, Value> = {};
  for (const n of names) {
    const v = values[n];
    if (v !== undefined) out[n] = v;
  }
  return out;
};

/**
 * Plans the calls for one method. `provided` names the params a fixture can
 * give a valid value for. The correct call sends every required param, the
 * first provided member of each one-of set (with its companions), the first
 * provided member of each at-most-one set and every other provided param.
 */
export function planCases(method: CatalogMethod, provided: ReadonlySet<string>, options: PlanOptions = {}): CasePlan {
  const companions = options.companions ?? {};
  const companionOnly = new Set(Object.values(companions).flat());
  const inSet = new Map<string, string>();
  for (const [set, members] of Object.entries(method.oneOf)) for (const m of members) inSet.set(m, set);
  const inAtMostOne = new Map<string, string>();
  for (const [set, members] of Object.entries(method.atMostOne)) for (const m of members) inAtMostOne.set(m, set);

  const missing: string[] = [];
  const base: string[] = [];
  const withCompanions = (name: string) => [name, ...(companions[name] ?? []).filter((c) => provided.has(c))];
  for (const p of method.params) {
    if (p.required === true) {
      if (provided.has(p.name)) base.push(p.name);
      else missing.push(p.name);
    }
  }
  const chosen: Record<string, string> = {};
  for (const [set, members] of Object.entries(method.oneOf)) {
    const first = members.find((m) => provided.has(m));
    if (first === undefined) missing.push(`${set} (${members.join('|')})`);
    else {
      chosen[set] = first;
      base.push(...withCompanions(first));
    }
  }
  const atMostOneUsed = new Set<string>();
  for (const p of method.params) {
    if (p.required === true || inSet.has(p.name) || companionOnly.has(p.name) || !provided.has(p.name)) continue;
    const set = inAtMostOne.get(p.name);
    if (set !== undefined) {
      if (atMostOneUsed.has(set)) continue;
      atMostOneUsed.add(set);
    }
    if (p.requires !== undefined && !provided.has(p.requires)) continue;
    base.push(p.name);
  }
  if (missing.length > 0) return { missing, cases: [] };

  const login: Case['login'] = method.auth ? 'user' : 'none';
  const cases: Case[] = [];
  const add = (
    kind: CaseKind,
    label: string,
    names: readonly string[],
    expect: Expect,
    extra: Record<string, Value> = {},
    caseLogin: Case['login'] = login,
  ) => cases.push({ kind, label, login: caseLogin, expect, uses: names, params: (values) => ({ ...pick(values, names), ...extra }) });
  const without = (...drop: string[]) => base.filter((n) => !drop.includes(n));
  /** The base call with `name` in the place of its one-of set's chosen member (or just without `name`). */
  const swapIn = (name: string) => {
    const set = inSet.get(name);
    if (set === undefined) return without(name);
    const members = method.oneOf[set]!;
    const rest = without(...members, ...members.flatMap((m) => companions[m] ?? []));
    return [...rest, ...withCompanions(name).filter((n) => n !== name)];
  };

  add('correct', 'correct', base, 'ok');
  if (method.output.some((o) => o.type === 'datetime' || o.type.startsWith('metadata'))) {
    cases.push({
      ...cases[0]!,
      label: 'correct, timeformat=timestamp',
      timestamps: true,
      params: (values) => ({ ...pick(values, base), timeformat: 'timestamp' }),
    });
  }
  if (method.data === 'upload' && method.params.some((p) => p.name === 'filename')) {
    cases.push({ ...cases[0]!, label: 'correct, multipart', multipart: true });
  }
  for (const [set, members] of Object.entries(method.oneOf)) {
    const current = chosen[set]!;
    const currentGroup = withCompanions(current);
    for (const m of members) {
      if (m === current || !provided.has(m)) continue;
      add('correct', `correct, ${set} by ${m}`, [...without(...currentGroup), ...withCompanions(m)], 'ok');
    }
  }
  for (const p of method.params) {
    if (p.required === true) {
      const named = codesNaming(method, [p.name]);
      add('missing-required', `missing ${p.name}`, without(p.name), named.length > 0 ? named : 'error');
    }
  }
  for (const [set, members] of Object.entries(method.oneOf)) {
    const named = codesNaming(method, members);
    add(
      'one-of-empty',
      `none of ${set}`,
      without(...members, ...members.flatMap((m) => companions[m] ?? [])),
      named.length > 0 ? named : 'error',
    );
    const given = members.filter((m) => provided.has(m));
    if (given.length >= 2) add('one-of-doubled', `all of ${set}`, [...without(...given), ...given.flatMap(withCompanions)], 'either');
  }
  for (const [set, members] of Object.entries(method.atMostOne)) {
    const given = members.filter((m) => provided.has(m));
    if (given.length >= 2) add('at-most-one-doubled', `two of ${set}`, [...without(...given), ...given.slice(0, 2)], 'either');
  }
  for (const p of method.params) {
    if (p.requires !== undefined && provided.has(p.name)) {
      add('requires-missing', `${p.name} without ${p.requires}`, [...without(p.requires, p.name), p.name], 'either');
    }
  }
  for (const p of method.params) {
    const wrong = WRONG_TYPE[p.type];
    if (!wrong) continue;
    // a malformed id the call relies on, or an unreadable date, must be refused
    const relied = base.includes(p.name) || inSet.has(p.name);
    const strict = (STRICT_IDS.has(p.name) && relied) || p.type === 'datetime';
    add('wrong-type', `${p.name} ${wrong.label}`, swapIn(p.name), strict ? 'error' : 'either', { [p.name]: wrong.value });
  }
  for (const p of method.params) {
    for (const v of outOfRange(p)) add('out-of-range', `${p.name}=${v}`, without(p.name), 'either', { [p.name]: v });
  }
  for (const p of method.params) {
    const sent = base.includes(p.name) || (inSet.has(p.name) && provided.has(p.name));
    if (!sent || !isReference(p)) continue;
    const path = method.errors.includes(2002) ? UNKNOWN.deepPath : UNKNOWN.path;
    const v = p.type === 'int' ? UNKNOWN.id : p.name === 'code' ? UNKNOWN.code : path;
    add('unknown-ref', `unknown ${p.name}`, swapIn(p.name), 'error', { [p.name]: v });
  }
  if (method.auth) add('no-login', 'no login', base, [1000], {}, 'none');
  if (method.auth || method.errors.includes(2000)) add('bad-login', 'bad login', base, [2000], {}, 'bad');
  return { missing, cases };
}
