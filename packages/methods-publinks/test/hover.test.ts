/**
 * What an editor shows: drives TypeScript's language service over an
 * in-memory file that uses the publinks plugin (resolved to the TypeScript
 * sources, like the tests), and reads the hover text of `client.<method>`
 * and of param keys.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hoverService } from '@pcloudkit/testkit';
import { describe, expect, it } from 'vitest';

const pkgDir = dirname(dirname(fileURLToPath(import.meta.url)));
const methodsFile = join(pkgDir, 'src', 'methods.ts');

const code = `
import { createClient, memoryTransport } from '@pcloudkit/core';
import { publinks } from '@pcloudkit/methods-publinks';
const client = createClient({ transport: memoryTransport() }).use(publinks);
export const a = client.changepublink({ linkid: 1, deleteexpire: true });
export const b = client.copypubfile;
`;

describe('editor hover on plugin methods', () => {
  const { docAt, errors } = hoverService(pkgDir, code);

  it('compiles', () => {
    expect(errors()).toEqual([]);
  });

  it('shows the method JSDoc on client.<method>, the same as on the definition', () => {
    const own = docAt('changepublink = /* @__PURE__ */ defineMethod', 0, methodsFile);
    expect(own).toMatch(/^Changes a link's limits/);
    expect(docAt('changepublink', 0)).toBe(own);
    expect(docAt('copypubfile', 0)).toBe(docAt('copypubfile = /* @__PURE__ */ defineMethod', 0, methodsFile));
  });

  it('shows the JSDoc of a param on its key in the params object', () => {
    expect(docAt('deleteexpire', 0)).toMatch(/^Let the link never expire/);
  });
});
