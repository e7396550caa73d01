import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const NODE_ONLY =
  /(?:from\s*|import\s*\(\s*|require\s*\(\s*)['"](?:node:[^'"]*|undici|fs|path|net|tls|http|https|stream|crypto|buffer)['"]/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(join(dir, d.name)) : /\.(ts|js|cjs|mjs)$/.test(d.name) ? [join(dir, d.name)] : [],
  );
}

describe('portability', () => {
  it('imports no Node module and no undici anywhere in src (and dist, when built)', () => {
    const files = [...sources(join(root, 'src'))];
    try {
      files.push(...sources(join(root, 'dist')));
    } catch {
      // not built: src is enough
    }
    expect(files.length).toBeGreaterThan(3);
    const found = files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(NODE_ONLY)].map((m) => `${f}: ${m[0]}`));
    expect(found).toEqual([]);
  });

  it('the pattern catches the imports it is meant to catch', () => {
    const bad = ["import { x } from 'node:fs';", 'const u = await import("undici");', "const b = require('node:buffer');"];
    for (const line of bad) expect(line.match(NODE_ONLY)).not.toBeNull();
  });

  it('declares no dependency beyond core, and no side effects', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(['@pcloudkit/core']);
    expect(pkg.sideEffects).toBe(false);
  });
});
