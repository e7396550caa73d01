/**
 * What an editor shows: drives TypeScript's language service over an
 * in-memory file that uses the folder plugin (resolved to the TypeScript
 * sources, like the tests), and reads the hover text ("quick info") of
 * `client.listfolder` and of param keys.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { hoverService } from '@pcloudkit/testkit';
import { describe, expect, it } from 'vitest';

const pkgDir = dirname(dirname(fileURLToPath(import.meta.url)));
const methodsFile = join(pkgDir, 'src', 'methods.ts');

const code = `
import { createClient, memoryTransport } from '@pcloudkit/core';
import { folder } from '@pcloudkit/methods-folder';
const client = createClient({ transport: memoryTransport() }).use(folder);
export const a = client.listfolder({ folderid: 0, recursive: true });
export const b = client.listfolder;
export const c = client.copyfolder({ path: '/a', topath: '/b', noover: true });
`;

describe('editor hover on plugin methods', () => {
  const { docAt, errors } = hoverService(pkgDir, code);

  it('compiles', () => {
    expect(errors()).toEqual([]);
  });

  it('shows the method JSDoc on client.<method>, the same as on the definition', () => {
    const own = docAt('listfolder = /* @__PURE__ */ defineMethod', 0, methodsFile);
    expect(own).toMatch(/^Lists a folder/);
    expect(docAt('listfolder', 0)).toBe(own); // in a call
    expect(docAt('listfolder', 1)).toBe(own); // a plain property access
    expect(docAt('copyfolder', 0)).toBe(docAt('copyfolder = /* @__PURE__ */ defineMethod', 0, methodsFile));
  });

  it('shows the JSDoc of a param on its key in the params object', () => {
    expect(docAt('folderid', 0)).toMatch(/^Numeric id of the folder/);
    expect(docAt('recursive', 0)).toMatch(/^List the full subtree/);
    // members of one-of sets (a union of object types) and plain optional flags alike
    expect(docAt('path', 0)).toMatch(/^Absolute path of the folder/);
    expect(docAt('topath', 0)).toMatch(/^Path of the destination folder/);
    expect(docAt('noover', 0)).toMatch(/^Fail with 2004/);
  });
});
