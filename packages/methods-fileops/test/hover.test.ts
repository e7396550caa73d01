/**
 * What an editor shows: TypeScript's language service over an in-memory file
 * that uses the fileops plugin (resolved to the TypeScript sources, like the
 * tests), reading the hover text of `client.file_pwrite` and of param keys.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hoverService } from '@pcloudkit/testkit';
import { describe, expect, it } from 'vitest';

const pkgDir = dirname(dirname(fileURLToPath(import.meta.url)));
const methodsFile = join(pkgDir, 'src', 'methods.ts');

const code = `
import { createClient, memoryTransport } from '@pcloudkit/core';
import { fileops } from '@pcloudkit/methods-fileops';
const client = createClient({ transport: memoryTransport() }).use(fileops);
export const a = client.file_pwrite({ fd: -1, offset: 0 }, { connectionKey: 'k' });
export const b = client.file_lock({ fd: 1, type: 2, noblock: true });
export const c = client.open('/x');
`;

describe('editor hover on plugin methods', () => {
  const { docAt, errors } = hoverService(pkgDir, code);

  it('compiles', () => {
    expect(errors()).toEqual([]);
  });

  it('shows the method JSDoc on client.<method>, the same as on the definition', () => {
    const own = docAt('file_pwrite = /* @__PURE__ */ defineMethod', 0, methodsFile);
    expect(own).toMatch(/^Writes the payload/);
    expect(docAt('file_pwrite', 0)).toBe(own);
    expect(docAt('file_lock', 0)).toBe(docAt('file_lock = /* @__PURE__ */ defineMethod', 0, methodsFile));
  });

  it('shows the JSDoc of a param on its key in the params object', () => {
    expect(docAt('fd', 0)).toMatch(/^Descriptor from `file_open`/);
    expect(docAt('noblock', 0)).toMatch(/^Answer at once/);
  });
});
