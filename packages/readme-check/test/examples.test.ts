import { describe, expect, it } from 'vitest';
import { readmeExamples } from '../src/index.js';

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

  it('keeps a longer fence open across a shorter one', () => {
    expect(readmeExamples('````ts\nconst s = `\n```\n`;\n````\n')).toEqual([{ line: 1, code: 'const s = `\n```\n`;\n', mode: 'run' }]);
  });
});
