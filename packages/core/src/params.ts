/**
 * Checks params against a method definition and turns them into wire values.
 * Everything here runs before a byte is sent.
 */
import { ValidationError } from './errors.js';
import type { AnyMethod, GlobalParams, ParamSpec, WireValue } from './types.js';

const INT = /^-?\d+$/;

function fail(method: string, param: string, message: string): never {
  throw new ValidationError(method, param, message);
}

function encodeInt(method: string, name: string, value: unknown, spec?: ParamSpec): number | bigint {
  let n: number | bigint;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) fail(method, name, `'${name}' must be an integer, got ${value}`);
    n = value;
  } else if (typeof value === 'bigint') {
    n = value;
  } else if (typeof value === 'string' && INT.test(value)) {
    const big = BigInt(value);
    n = big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  } else {
    return fail(method, name, `'${name}' must be an integer, got ${describe(value)}`);
  }
  if (spec?.min !== undefined && n < spec.min) fail(method, name, `'${name}' must be at least ${spec.min}, got ${n}`);
  if (spec?.max !== undefined && n > spec.max) fail(method, name, `'${name}' must be at most ${spec.max}, got ${n}`);
  return n;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Encodes one param value by its spec; `undefined` means "leave it out". */
export function encodeParam(method: string, name: string, spec: ParamSpec, value: unknown): WireValue | undefined {
  switch (spec.type) {
    case 'int':
      return encodeInt(method, name, value, spec);
    case 'string':
      if (typeof value !== 'string') return fail(method, name, `'${name}' must be a string, got ${describe(value)}`);
      if (spec.enum && !spec.enum.includes(value)) fail(method, name, `'${name}' must be one of ${spec.enum.join(', ')}`);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') return fail(method, name, `'${name}' must be a boolean, got ${describe(value)}`);
      return value;
    case 'flag':
      if (value === true || value === 1) return 1;
      if (value === false || value === 0) return undefined;
      return fail(method, name, `'${name}' is a flag: pass true or false, got ${describe(value)}`);
    case 'datetime':
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) fail(method, name, `'${name}' is an invalid Date`);
        return Math.floor(value.getTime() / 1000);
      }
      if (typeof value === 'number') return encodeInt(method, name, value);
      if (typeof value === 'string' && value.trim() !== '') return value;
      return fail(method, name, `'${name}' must be a Date, a Unix timestamp or a date string, got ${describe(value)}`);
    case 'int-list': {
      const items =
        typeof value === 'string'
          ? value.split(',')
          : Array.isArray(value)
            ? value
            : fail(method, name, `'${name}' must be a list of integers, got ${describe(value)}`);
      return items.map((v) => encodeInt(method, name, typeof v === 'string' ? v.trim() : v).toString()).join(',');
    }
    case 'string-list': {
      if (typeof value === 'string') return value;
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
        return fail(method, name, `'${name}' must be a list of strings, got ${describe(value)}`);
      return value.join(',');
    }
  }
}

/** Validates `params` against `definition` and returns wire params in definition order. */
export function encodeParams(definition: AnyMethod, params: Record<string, unknown> | undefined): Record<string, WireValue> {
  const method = definition.name;
  const given = params ?? {};
  if (typeof given !== 'object' || Array.isArray(given)) fail(method, '*', 'params must be an object');
  const specs = definition.params;
  for (const name in given) {
    if (Object.hasOwn(given, name) && !(name in specs) && given[name] !== undefined) {
      fail(method, name, `unknown param '${name}' (known: ${Object.keys(specs).join(', ') || 'none'}; global params go in options.global)`);
    }
  }
  for (const set in definition.oneOf) {
    const members = definition.oneOf[set]!;
    // null would pass as "given" here and then be left out of the request: the server would see none of the set.
    for (const m of members)
      if (given[m] === null)
        fail(
          method,
          m,
          `'${m}' is null; give it a value, or leave it out and give another of ${members.map((x) => `'${x}'`).join(', ')} (${set})`,
        );
    const present = members.filter((m) => given[m] !== undefined);
    if (present.length === 0) fail(method, members.join('|'), `one of ${members.map((m) => `'${m}'`).join(' or ')} is required (${set})`);
    if (present.length > 1) fail(method, present.join('|'), `give only one of ${present.map((m) => `'${m}'`).join(' and ')} (${set})`);
  }
  const atMostOne = definition.atMostOne;
  for (const set in atMostOne) {
    const present = atMostOne[set]!.filter((m) => given[m] !== undefined);
    if (present.length > 1) fail(method, present.join('|'), `give at most one of ${present.map((m) => `'${m}'`).join(' and ')} (${set})`);
  }
  const out: Record<string, WireValue> = {};
  for (const name in specs) {
    const spec = specs[name]!;
    const value = given[name];
    if (value === undefined || value === null) {
      if (spec.required) fail(method, name, `'${name}' is required`);
      continue;
    }
    if (spec.requires !== undefined && (given[spec.requires] === undefined || given[spec.requires] === null))
      fail(method, name, `'${spec.requires}' is required when '${name}' is given`);
    const wire = encodeParam(method, name, spec, value);
    if (wire !== undefined) out[name] = wire;
  }
  return out;
}

/** Encodes global params (id, filtermeta, revisionid, ...). */
export function encodeGlobals(method: string, global: GlobalParams | undefined): Record<string, WireValue> {
  const out: Record<string, WireValue> = {};
  if (!global) return out;
  for (const [name, value] of Object.entries(global)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) out[name] = value.join(',');
    else if (name === 'revisionid') out[name] = encodeInt(method, name, value);
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
      out[name] = value;
    else fail(method, name, `global param '${name}' has an unsupported value`);
  }
  return out;
}
