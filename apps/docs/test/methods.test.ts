/**
 * The method reference says what the SDK and the catalogue say: for every
 * method, its section lists each param the SDK definition accepts with its
 * rule, each answer field of the catalogue, each error code with pCloud's
 * message and advice, and the plugin member it is called by.
 */
import { errorMessages, methods as catalogue } from '@pcloudkit/catalog';
import { describe, expect, it } from 'vitest';
import { errorHint } from '../scripts/hints.js';
import { loadPackages, methodSection, text } from '../scripts/methods.js';

const packages = await loadPackages();
const entries = packages.flatMap((p) => p.methods);

describe('the method reference', () => {
  it('covers every catalogue method once, from the 17 method packages', () => {
    expect(packages).toHaveLength(17);
    expect(entries.map((m) => m.wire).sort()).toEqual(catalogue.map((m) => m.name).sort());
  });

  it.each(entries.map((m) => [m.wire, m] as const))('%s: params, rules, result fields, errors and the member name', (_, m) => {
    const section = methodSection(m);
    const rows = (heading: string) => {
      const start = section.indexOf(`### ${heading} {#`);
      const end = section.indexOf('\n### ', start + 1);
      return section
        .slice(start, end === -1 ? undefined : end)
        .split('\n')
        .filter((l) => l.startsWith('| ') && !l.startsWith('| ---'));
    };
    const params = rows('Params').slice(1);
    expect(params.map((r) => /^\| <code>([^<]+)<\/code>/.exec(r)?.[1])).toEqual(m.definition.paramList.map((p) => p.name));
    for (const p of m.definition.paramList) {
      const row = params.find((r) => r.startsWith(`| <code>${p.name}</code>`))!;
      if (p.oneOf) expect(row).toContain('exactly one of');
      else if (p.required) expect(row).toContain('**required**');
      if (p.requires) expect(row).toContain(`needs <code>${p.requires}</code>`);
    }
    if (m.catalog.data !== 'download') {
      expect(
        rows('Result')
          .slice(1)
          .map((r) => /^\| <code>([^<]+)<\/code>/.exec(r)?.[1]),
      ).toEqual(m.catalog.output.map((o) => o.name));
    }
    const errors = rows('Errors').slice(1);
    expect(errors).toEqual(
      m.catalog.errors.map((e) => `| ${e} | ${text(errorMessages[e] ?? '(no message known)')} | ${text(errorHint(e))} |`),
    );
    expect(section).toContain(m.definition.auth ? '**Login:** needed' : '**Login:** not needed');
    if (m.member) expect(section).toContain(`client.${m.member}(`);
  });

  it('gives specific advice for sign-in, rate limit and server errors', () => {
    expect(errorHint(1000)).toMatch(/^Sign in/);
    expect(errorHint(4000)).toMatch(/wait/);
    expect(errorHint(5000)).toMatch(/retry/);
    expect(errorHint(2019)).toMatch(/^Fix the input/);
    expect(errorHint(1033)).toMatch(/^Fix the input/);
  });
});
