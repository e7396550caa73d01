/**
 * Checks of one answer against the catalogue (result code, message, output
 * fields and their types, the Metadata structure, data answers) and of the
 * HTTP answer against the binary answer of the same call.
 */
import { type CatalogMethod, methods as catalogMethods, errorMessages } from '@pcloudkit/catalog';
import { BinaryData } from '@pcloudkit/transport-binary';
import type { Case } from './cases.js';
import {
  CONDITIONAL_OUTPUT,
  GENERAL_CODES,
  NOTED_CODES,
  isIdKey,
  METADATA_CATEGORIES,
  METADATA_FIELDS,
  METADATA_ICONS,
  OUTPUT_ALSO_FALSE,
  RFC2822_UTC,
  STATE_LISTS,
  TIME_DEPENDENT,
  VARYING_FIELDS,
} from './facts.js';
import type { Answer } from './protocol.js';

/** Names of datetime fields: the Metadata structure's and every catalogue output typed `datetime`. */
const DATETIME_KEYS: ReadonlySet<string> = new Set([
  ...Object.entries(METADATA_FIELDS)
    .filter(([, f]) => f.type === 'datetime')
    .map(([name]) => name),
  ...catalogMethods.flatMap((m) => m.output.filter((o) => o.type === 'datetime').map((o) => o.name)),
]);

/** One problem found: `aspect` names what was checked (result, message, output <field>, ...). */
export interface Finding {
  aspect: string;
  detail: string;
}

/** The codes a method may answer: its own list plus the general codes that apply to it. */
export function documentedCodes(method: CatalogMethod): Set<number> {
  const codes = new Set(method.errors);
  for (const g of GENERAL_CODES) {
    const applies =
      g.applies === 'all' ||
      (g.applies === 'auth' && method.auth) ||
      (g.applies === 'datetime-param' && method.params.some((p) => p.type === 'datetime')) ||
      (g.applies === 'int-param' && method.params.some((p) => p.type === 'int' || p.type === 'int-list')) ||
      (typeof g.applies === 'object' &&
        method.params.some((p) => g.applies !== 'all' && typeof g.applies === 'object' && g.applies.params.includes(p.name)));
    if (applies) codes.add(g.code);
  }
  for (const code of Object.keys(NOTED_CODES[method.name] ?? {})) codes.add(Number(code));
  return codes;
}

const isInt = (v: unknown) => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof BinaryData);
/** An empty object may arrive as an empty array (binary protocol). */
const isObjectLike = (v: unknown) => isObject(v) || (Array.isArray(v) && v.length === 0);

function isDatetime(v: unknown): boolean {
  return (typeof v === 'string' && RFC2822_UTC.test(v)) || isInt(v);
}

/** Problems of a value against a catalogue output type (empty when fine). */
export function checkType(type: string, v: unknown, where: string, timestamps = false): string[] {
  switch (type) {
    case 'int':
      return isInt(v) ? [] : [`${where}: expected an integer, got ${show(v)}`];
    case 'string':
      return typeof v === 'string' ? [] : [`${where}: expected a string, got ${show(v)}`];
    case 'bool':
      return typeof v === 'boolean' ? [] : [`${where}: expected a boolean, got ${show(v)}`];
    case 'datetime':
      if (timestamps) return isInt(v) ? [] : [`${where}: expected a Unix timestamp (timeformat=timestamp), got ${show(v)}`];
      return typeof v === 'string' && RFC2822_UTC.test(v) ? [] : [`${where}: expected an RFC 2822 UTC datetime, got ${show(v)}`];
    case 'metadata':
      return checkMetadata(v, where, timestamps);
    case 'metadata[]':
      return Array.isArray(v)
        ? v.flatMap((x, i) => checkMetadata(x, `${where}[${i}]`, timestamps))
        : [`${where}: expected an array, got ${show(v)}`];
    case 'object':
      return isObjectLike(v) ? [] : [`${where}: expected an object, got ${show(v)}`];
    case 'object[]':
      return Array.isArray(v) && v.every(isObjectLike) ? [] : [`${where}: expected an array of objects, got ${show(v)}`];
    case 'string[]':
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? [] : [`${where}: expected an array of strings, got ${show(v)}`];
    case 'int[]':
      return Array.isArray(v) && v.every(isInt) ? [] : [`${where}: expected an array of integers, got ${show(v)}`];
    default:
      return [];
  }
}

/** Problems of a value against the Metadata structure. */
export function checkMetadata(v: unknown, where: string, timestamps = false): string[] {
  if (!isObject(v)) return [`${where}: expected a metadata object, got ${show(v)}`];
  const out: string[] = [];
  const folder = v.isfolder === true;
  const root = folder && v.folderid === 0;
  for (const [name, field] of Object.entries(METADATA_FIELDS)) {
    const value = v[name];
    if (value === undefined) {
      const needed =
        field.present === 'always' ||
        (field.present === 'folders' && folder) ||
        (field.present === 'files' && !folder) ||
        (field.present === 'non-root' && !root) ||
        (field.present === 'not-mine' && v.ismine === false);
      if (needed) out.push(`${where}.${name}: missing`);
      continue;
    }
    out.push(...checkType(field.type, value, `${where}.${name}`, timestamps));
  }
  if (typeof v.id === 'string') {
    const want = folder ? `d${String(v.folderid)}` : `f${String(v.fileid)}`;
    if (v.id !== want) out.push(`${where}.id: expected ${want}, got ${v.id}`);
  }
  if (typeof v.icon === 'string' && !METADATA_ICONS.has(v.icon)) out.push(`${where}.icon: unknown icon ${v.icon}`);
  if (isInt(v.category)) {
    const c = Number(v.category);
    if (c < METADATA_CATEGORIES.min || c > METADATA_CATEGORIES.max) out.push(`${where}.category: ${c} is outside 0-5`);
  }
  if (v.isdeleted !== undefined && v.isdeleted !== true) out.push(`${where}.isdeleted: only ever true, got ${show(v.isdeleted)}`);
  if (v.contents !== undefined && !folder) out.push(`${where}.contents: a file has no contents`);
  return out;
}

/**
 * Checks one answer of one call against the catalogue and the case's
 * expectation. `sentId` is the global `id` the call carried: every JSON
 * answer echoes it. HTTP error answers also carry the code in `X-Error`.
 */
export function checkAnswer(method: CatalogMethod, c: Case, answer: Answer, protocol: 'http' | 'binary', sentId?: string): Finding[] {
  if (answer.kind === 'dropped') return [{ aspect: 'answer', detail: `no answer: ${answer.reason}` }];
  const body = answer.body;
  const out: Finding[] = [];
  const result = body.result;
  if (!isInt(result)) return [{ aspect: 'result', detail: `result is ${show(result)}, not an integer` }];
  const code = Number(result);
  const httpData = protocol === 'http' && answer.data !== undefined;
  if (sentId !== undefined && !httpData && body.id !== sentId)
    out.push({ aspect: 'id echo', detail: `sent id ${sentId}, got ${show(body.id)}` });
  if (protocol === 'http' && code !== 0 && answer.xError !== String(code)) {
    out.push({ aspect: 'X-Error', detail: `expected header X-Error: ${code}, got ${show(answer.xError)}` });
  }
  if (code !== 0) {
    if (c.expect === 'ok') out.push({ aspect: 'result', detail: `expected success, got ${code} (${show(body.error)})` });
    else if (Array.isArray(c.expect) && !c.expect.includes(code)) {
      out.push({ aspect: 'result', detail: `expected ${c.expect.join(' or ')}, got ${code} (${show(body.error)})` });
    } else if (!Array.isArray(c.expect) && !documentedCodes(method).has(code)) {
      out.push({ aspect: 'result', detail: `code ${code} (${show(body.error)}) is not documented for ${method.name}` });
    }
    const message = errorMessages[code];
    if (message === undefined) out.push({ aspect: 'message', detail: `code ${code} has no message in the catalogue's error table` });
    else if (body.error !== message) out.push({ aspect: 'message', detail: `expected ${show(message)}, got ${show(body.error)}` });
    return out;
  }
  if (c.expect === 'error' || Array.isArray(c.expect)) {
    out.push({ aspect: 'result', detail: `expected ${Array.isArray(c.expect) ? c.expect.join(' or ') : 'an error'}, got success` });
  }
  if (method.data === 'download') {
    if (answer.data === undefined) out.push({ aspect: 'data', detail: 'expected a data answer (bytes), got a plain reply' });
    return out;
  }
  if (answer.data !== undefined) out.push({ aspect: 'data', detail: 'unexpected data answer' });
  const conditional = CONDITIONAL_OUTPUT[method.name] ?? {};
  const alsoFalse = OUTPUT_ALSO_FALSE[method.name] ?? [];
  for (const o of method.output) {
    if (o.type === 'data') continue;
    const v = body[o.name];
    if (v === undefined) {
      if (!(o.name in conditional)) out.push({ aspect: `output ${o.name}`, detail: 'missing' });
      continue;
    }
    if (v === false && alsoFalse.includes(o.name)) continue;
    for (const problem of checkType(o.type, v, o.name, c.timestamps)) out.push({ aspect: `output ${o.name}`, detail: problem });
  }
  return out;
}

/**
 * Differences between the HTTP and the binary answer to the same call:
 * result, message, field names, value kinds, and values except those that
 * differ by design (ids, datetimes, per-call secrets; see VARYING_FIELDS).
 * `roots` are the two calls' fixture folders, equal once normalised;
 * `method` names the call, for the parts that record fixture times.
 */
export function compareAnswers(http: Answer, binary: Answer, roots: { http: string; binary: string }, method = ''): Finding[] {
  const timed = TIME_DEPENDENT[method] ?? {};
  if (http.kind === 'dropped' || binary.kind === 'dropped') {
    return http.kind === binary.kind
      ? []
      : [{ aspect: 'parity', detail: `only ${http.kind === 'dropped' ? 'HTTP' : 'binary'} dropped the call` }];
  }
  const out: Finding[] = [];
  const norm = (v: unknown, proto: 'http' | 'binary') => (typeof v === 'string' ? v.split(roots[proto]).join('<root>') : v);
  const walk = (a: unknown, b: unknown, where: string, key: string) => {
    if (isObjectLike(a) && isObjectLike(b) && !(Array.isArray(a) && Array.isArray(b))) {
      const ao = isObject(a) ? a : {};
      const bo = isObject(b) ? b : {};
      const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
      for (const k of keys) {
        const here = where ? `${where}.${k}` : k;
        if (!(k in ao)) out.push({ aspect: `parity ${here}`, detail: 'only in the binary answer' });
        else if (!(k in bo)) out.push({ aspect: `parity ${here}`, detail: 'only in the HTTP answer' });
        else walk(ao[k], bo[k], here, k);
      }
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      if (STATE_LISTS.has(key)) return;
      if (a.length !== b.length) out.push({ aspect: `parity ${where}`, detail: `${a.length} items over HTTP, ${b.length} over binary` });
      for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], `${where}[${i}]`, key);
      return;
    }
    const kind = (v: unknown) =>
      v instanceof BinaryData ? 'data' : typeof v === 'bigint' ? 'number' : Array.isArray(v) ? 'array' : typeof v;
    if (kind(a) !== kind(b)) {
      out.push({ aspect: `parity ${where}`, detail: `${kind(a)} ${show(a)} over HTTP, ${kind(b)} ${show(b)} over binary` });
      return;
    }
    if (key in timed || VARYING_FIELDS.has(key) || isIdKey(key) || DATETIME_KEYS.has(key) || (isDatetime(a) && typeof a === 'string'))
      return;
    const x = norm(a, 'http');
    const y = norm(b, 'binary');
    const same = typeof x === 'number' || typeof x === 'bigint' ? BigInt(x as number) === BigInt(y as number) : x === y;
    if (!same) out.push({ aspect: `parity ${where}`, detail: `${show(a)} over HTTP, ${show(b)} over binary` });
  };
  // an HTTP data answer has no JSON body to compare, only its bytes
  if (http.data === undefined) walk(http.body, binaryBody(binary), '', '');
  else if (http.body.result !== binary.body.result) out.push({ aspect: 'parity result', detail: 'different results' });
  if ((http.data === undefined) !== (binary.data === undefined)) {
    out.push({ aspect: 'parity data', detail: `data answer only over ${http.data ? 'HTTP' : 'binary'}` });
  } else if (!('data' in timed) && http.data && binary.data && Buffer.compare(Buffer.from(http.data), Buffer.from(binary.data)) !== 0) {
    out.push({ aspect: 'parity data', detail: `${http.data.length} bytes over HTTP, ${binary.data.length} different bytes over binary` });
  }
  return out;
}

/** The binary answer's tree without the data marker (HTTP carries bytes instead of a field). */
function binaryBody(answer: Answer): Record<string, unknown> {
  if (answer.kind !== 'body') return {};
  return Object.fromEntries(Object.entries(answer.body).filter(([, v]) => !(v instanceof BinaryData)));
}

function show(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return JSON.stringify(v);
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
  } catch {
    return String(v);
  }
}
