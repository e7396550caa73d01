import { describe, expect, it } from 'vitest';
import { importedPackages, installedPackages, readmeExamples } from '../src/index.js';

describe('readmeExamples', () => {
  it('finds ts blocks with their mode and skips other languages', () => {
    const md = [
      '# Title', // 1
      '```sh', // 2
      'npm i x', // 3
      '```', // 4
      '```ts', // 5
      'const a = 1;', // 6
      '```', // 7
      '<!-- readme-check: typecheck-only -->', // 8
      '', // 9
      '```ts', // 10
      'await fetch(x);', // 11
      '```', // 12
      '<!-- readme-check: fragment -->', // 13
      'Some text in between.', // 14
      '```typescript', // 15
      'b();', // 16
      '```', // 17
    ].join('\n');
    expect(readmeExamples(md)).toEqual([
      { line: 5, code: 'const a = 1;\n', mode: 'run' },
      { line: 10, code: 'await fetch(x);\n', mode: 'typecheck-only' },
      { line: 15, code: 'b();\n', mode: 'run' },
    ]);
  });

  it('rejects unknown markers and unclosed blocks', () => {
    expect(() => readmeExamples('<!-- readme-check: skip -->\n```ts\nx\n```\n')).toThrow(/unknown readme-check marker "skip"/);
    expect(() => readmeExamples('```ts\nx\n')).toThrow(/never closed/);
  });

  it('reads the file name a fence gives in brackets, on ts blocks only', () => {
    const md = [
      '```ts [vitest.config.ts]', // 1
      'export default {};', // 2
      '```', // 3
      '<!-- readme-check: typecheck-only -->', // 4
      '```ts [test/app.test.ts]', // 5
      "it('x', () => {});", // 6
      '```', // 7
      '```sh [a terminal]', // 8
      'npx vitest', // 9
      '```', // 10
      '```ts {2}', // 11
      'const b = 2;', // 12
      '```', // 13
    ].join('\n');
    expect(readmeExamples(md)).toEqual([
      { line: 1, code: 'export default {};\n', mode: 'run', title: 'vitest.config.ts' },
      { line: 5, code: "it('x', () => {});\n", mode: 'typecheck-only', title: 'test/app.test.ts' },
      { line: 11, code: 'const b = 2;\n', mode: 'run' },
    ]);
    expect(readmeExamples('```ts\nconst a = 1;\n```\n')[0]).not.toHaveProperty('title');
  });

  it('refuses a file name that leaves the project', () => {
    expect(() => readmeExamples('```ts [../outside.ts]\nx\n```\n')).toThrow(/relative path/);
    expect(() => readmeExamples('```ts [/etc/passwd]\nx\n```\n')).toThrow(/relative path/);
  });

  it('keeps a longer fence open across a shorter one', () => {
    expect(readmeExamples('````ts\nconst s = `\n```\n`;\n````\n')).toEqual([{ line: 1, code: 'const s = `\n```\n`;\n', mode: 'run' }]);
  });
});

describe('installedPackages and importedPackages', () => {
  it('reads install lines, leaving flags and comments out', () => {
    const md = [
      '```sh',
      'npm install @pcloudkit/core @pcloudkit/transport-http',
      'npm install --save-dev @pcloudkit/emulator   # for the example',
      '```',
      'or `pnpm add left-pad@1.3.0`.',
    ].join('\n');
    expect([...installedPackages(md)]).toEqual(['@pcloudkit/core', '@pcloudkit/transport-http', '@pcloudkit/emulator', 'left-pad']);
  });

  it('names imported packages by package, without node: modules or relative paths', () => {
    const code = [
      "import { createHash } from 'node:crypto';",
      "import { signIn } from '@pcloudkit/methods-oauth2/node';",
      "import type { LinkAnswer } from '@pcloudkit/core';",
      "import 'reflect-metadata';",
      "import { x } from './local.js';",
      "const u = await import('undici');",
    ].join('\n');
    expect([...importedPackages(code)].sort()).toEqual(['@pcloudkit/core', '@pcloudkit/methods-oauth2', 'reflect-metadata', 'undici']);
  });
});
