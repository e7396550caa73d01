// Checks every method definition of every packages/methods-* package against
// the catalogue: the method exists, and its group, login need, params (names,
// types, required and one-of membership, requires), at-most-one sets, data
// direction and traits agree. One test case per method, so a failure names
// the package, the method and the field.
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { defineMethod, isMethod, param, type AnyMethod } from '@pcloudkit/core';
import { findMethod, methods, sdkAllowances, type CatalogMethod } from '../src/index.js';

interface PluginLike {
  name: string;
  methods: Record<string, unknown>;
}

const packagesDir = new URL('../../', import.meta.url);
const dirs = readdirSync(packagesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name.startsWith('methods-') && existsSync(new URL(`${d.name}/src/index.ts`, packagesDir)))
  .map((d) => d.name)
  .sort();

const isPlugin = (v: unknown): v is PluginLike =>
  typeof v === 'object' && v !== null && typeof (v as PluginLike).name === 'string' && typeof (v as PluginLike).methods === 'object';

const packages = await Promise.all(
  dirs.map(async (dir) => {
    const mod = (await import(new URL(`${dir}/src/index.ts`, packagesDir).href)) as Record<string, unknown>;
    const values = Object.values(mod);
    return {
      dir,
      definitions: [...new Set(values.filter(isMethod))],
      plugins: values.filter(isPlugin),
    };
  }),
);

const show = (v: unknown) => (v === undefined ? 'none' : typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

/** A param's required state in the catalogue's notation: true, false or 'one-of:<set>'. */
const sdkRequired = (def: AnyMethod, name: string) => {
  const info = def.paramList.find((p) => p.name === name);
  return info?.oneOf ? `one-of:${info.oneOf}` : (info?.required ?? false);
};

/** Sets as sorted member lists, keeping only the given params. */
const normalise = (sets: Readonly<Record<string, readonly string[]>>, keep: (p: string) => boolean) =>
  Object.fromEntries(
    Object.entries(sets)
      .map(([k, members]) => [k, members.filter(keep).sort()] as const)
      .filter(([, members]) => members.length > 0)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

/** Every disagreement between an SDK definition and the catalogue entry, as readable lines. */
function compare(def: AnyMethod, cat: CatalogMethod): string[] {
  const out: string[] = [];
  const diff = (field: string, sdk: unknown, catalogue: unknown) => {
    if (JSON.stringify(sdk) !== JSON.stringify(catalogue)) out.push(`${def.name}.${field}: sdk ${show(sdk)}, catalogue ${show(catalogue)}`);
  };
  diff('group', def.group, cat.group);
  diff('auth', def.auth, cat.auth);

  const allow = sdkAllowances[def.name] ?? {};
  const sdkNames = Object.keys(def.params);
  const catParams = new Map(cat.params.map((p) => [p.name, p]));
  for (const name of sdkNames) {
    if (!catParams.has(name) && !allow.extra?.[name]) out.push(`${def.name}.params.${name}: sdk declares it, catalogue does not list it`);
  }
  for (const name of catParams.keys()) {
    if (!(name in def.params) && !allow.absent?.[name]) out.push(`${def.name}.params.${name}: catalogue lists it, sdk does not declare it`);
  }
  for (const name of Object.keys(allow.extra ?? {})) {
    if (catParams.has(name) || !(name in def.params)) out.push(`${def.name}.params.${name}: stale allowance 'extra' in sdk-allowances.ts`);
  }
  for (const name of Object.keys(allow.required ?? {})) {
    if (!catParams.has(name) || !(name in def.params))
      out.push(`${def.name}.params.${name}: stale allowance 'required' in sdk-allowances.ts`);
  }
  for (const name of Object.keys(allow.absent ?? {})) {
    if (!catParams.has(name) || name in def.params) out.push(`${def.name}.params.${name}: stale allowance 'absent' in sdk-allowances.ts`);
  }

  for (const [name, spec] of Object.entries(def.params)) {
    const c = catParams.get(name);
    if (!c) continue;
    const typeOk = spec.type === c.type || (spec.type === 'flag' && (c.type === 'int' || c.type === 'bool'));
    if (!typeOk) out.push(`${def.name}.params.${name}.type: sdk ${show(spec.type)}, catalogue ${show(c.type)}`);
    if (!allow.required?.[name]) diff(`params.${name}.required`, sdkRequired(def, name), c.required);
    else if (JSON.stringify(sdkRequired(def, name)) === JSON.stringify(c.required)) {
      out.push(`${def.name}.params.${name}: stale allowance 'required' in sdk-allowances.ts`);
    }
    diff(`params.${name}.requires`, spec.requires, c.requires);
  }
  const both = (p: string) => p in def.params && catParams.has(p);
  diff('atMostOne', normalise(def.atMostOne, both), normalise(cat.atMostOne, both));

  diff('data', def.data, cat.data);
  diff('connectionBound', def.connectionBound ?? false, cat.connectionBound ?? false);
  diff('longPoll', def.longPoll, cat.longPoll);
  diff('payloadUpload', def.payloadUpload ?? false, cat.payloadUpload ?? false);
  return out;
}

test('the checker reports each kind of disagreement', () => {
  const wrong = defineMethod({
    name: 'diff',
    group: 'folder',
    auth: false,
    params: {
      diffid: param.string(),
      after: param.datetime({ required: true }),
      last: param.flag(),
      block: param.flag(),
      bogus: param.int(),
    },
    atMostOne: { since: ['diffid', 'last'] },
    data: 'download',
  });
  expect(compare(wrong, findMethod('diff')!)).toEqual([
    "diff.group: sdk 'folder', catalogue 'general'",
    'diff.auth: sdk false, catalogue true',
    'diff.params.bogus: sdk declares it, catalogue does not list it',
    'diff.params.limit: catalogue lists it, sdk does not declare it',
    "diff.params.diffid.type: sdk 'string', catalogue 'int'",
    'diff.params.after.required: sdk true, catalogue false',
    "diff.params.block.requires: sdk none, catalogue 'diffid'",
    'diff.atMostOne: sdk {"since":["diffid","last"]}, catalogue {"since":["after","diffid","last"]}',
    "diff.data: sdk 'download', catalogue none",
    "diff.longPoll: sdk none, catalogue 'block'",
  ]);
});

test('finds the method packages and their definitions', () => {
  expect(dirs.length).toBeGreaterThan(0);
  for (const p of packages) {
    expect(p.definitions.length, `${p.dir}: no method definitions exported`).toBeGreaterThan(0);
    expect(p.plugins.length, `${p.dir}: no plugin exported`).toBeGreaterThan(0);
  }
});

test('every entry of sdk-allowances.ts is a method some package defines', () => {
  const defined = new Set(packages.flatMap((p) => p.definitions.map((d) => d.name)));
  expect(Object.keys(sdkAllowances).filter((name) => !defined.has(name))).toEqual([]);
});

const rows = packages.flatMap((p) => p.definitions.map((def) => [`${p.dir}: ${def.name}`, p.dir, def] as const));

describe.each(packages.map((p) => [p.dir, p] as const))('%s', (dir, pkg) => {
  test('every plugin method is a definition, listed under its wire name', () => {
    const problems: string[] = [];
    for (const plugin of pkg.plugins) {
      for (const [key, m] of Object.entries(plugin.methods)) {
        if (!isMethod(m)) problems.push(`${dir}: plugin ${plugin.name}.methods.${key} is not a method definition`);
        else if (m.name !== key) problems.push(`${dir}: plugin ${plugin.name}.methods.${key} holds '${m.name}'`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('covers every catalogue method of the groups it serves', () => {
    const defined = new Set(pkg.definitions.map((d) => d.name));
    const served = new Set(pkg.definitions.map((d) => findMethod(d.name)?.group));
    const missing = methods
      .filter((m) => served.has(m.group) && !defined.has(m.name))
      .map((m) => `${dir}: ${m.group} method ${m.name} is not defined`);
    expect(missing).toEqual([]);
  });

  test('every exported definition is in the package plugin', () => {
    const inPlugins = new Set(pkg.plugins.flatMap((p) => Object.values(p.methods)));
    const outside = (d: AnyMethod) => sdkAllowances[d.name]?.outsidePlugin !== undefined;
    const missing = pkg.definitions
      .filter((d) => !inPlugins.has(d) && !outside(d))
      .map((d) => `${dir}: ${d.name} is exported but in no plugin`);
    const stale = pkg.definitions
      .filter((d) => inPlugins.has(d) && outside(d))
      .map((d) => `${dir}: ${d.name}: stale allowance 'outsidePlugin' in sdk-allowances.ts`);
    expect([...missing, ...stale]).toEqual([]);
  });
});

test.each(rows)('%s agrees with the catalogue', (_label, dir, def) => {
  const cat = findMethod(def.name);
  const problems = cat ? compare(def, cat).map((line) => `${dir}: ${line}`) : [`${dir}: ${def.name}: not in the catalogue`];
  expect(problems).toEqual([]);
});
