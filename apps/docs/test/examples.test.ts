/**
 * The examples of the method reference compile: every method's HTTP and
 * binary example, exactly as the generator writes it into the site, is
 * type-checked with the repository's strict settings against the packages'
 * sources. A sample value of the wrong type, a param the SDK does not
 * accept, a missing required one or a wrong member name fails here.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { example, loadPackages } from '../scripts/methods.js';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(docs, '.vitepress', 'cache', 'examples-check');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function typecheck(): Promise<{ code: number; out: string }> {
  return new Promise((done) =>
    execFile(
      process.execPath,
      [tsc, '-p', join(dir, 'tsconfig.json')],
      { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

it('type-checks the example of every method on both transports', { timeout: 240_000 }, async () => {
  const packages = await loadPackages();
  const methods = packages.flatMap((p) => p.methods);
  expect(methods).toHaveLength(129);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const m of methods) {
    for (const transport of ['http', 'binary'] as const) {
      const code = example(m, transport)
        .replace(/^```ts\n/, '')
        .replace(/\n```$/, '');
      writeFileSync(join(dir, `${m.wire}.${transport}.ts`), `${code}\nexport {};\n`);
    }
  }
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../../../../tsconfig.base.json',
      compilerOptions: { noEmit: true, noUnusedLocals: false },
      include: ['*.ts'],
    }),
  );
  // A planted mistake, to show tsc did check these files.
  writeFileSync(join(dir, 'planted.ts'), "import { createClient } from '@pcloudkit/core';\nexport const n: number = createClient;\n");
  const result = await typecheck();
  expect(result.out).toMatch(/^planted\.ts\(2,14\): error TS2322/m);
  // Errors inside the packages themselves are their own typecheck's business (their tsconfig may differ); here only the examples count.
  const exampleErrors = result.out.split('\n').filter((line) => /^[\w-]+\.(http|binary)\.ts\(/.test(line));
  expect(exampleErrors).toEqual([]);
});
