/**
 * What an editor shows: drives TypeScript's language service over an
 * in-memory file that uses the collection plugin (resolved to the TypeScript
 * sources, like the tests), and reads the hover text ("quick info") of
 * `client.collection_details` and of param keys.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { hoverService } from '@pcloudkit/testkit';
import { describe, expect, it } from 'vitest';

const pkgDir = dirname(dirname(fileURLToPath(import.meta.url)));
const methodsFile = join(pkgDir, 'src', 'methods.ts');

const code = `
import { createClient, memoryTransport } from '@pcloudkit/core';
import { collection } from '@pcloudkit/methods-collection';
const client = createClient({ transport: memoryTransport() }).use(collection);
export const a = client.collection_details({ collectionid: 1, page: 2 });
export const b = client.collection_move;
export const c = client.collection_unlinkfiles({ collectionid: 1, positions: [1] });
`;

describe('editor hover on plugin methods', () => {
  const { docAt, errors } = hoverService(pkgDir, code);

  it('compiles', () => {
    expect(errors()).toEqual([]);
  });

  it('shows the method JSDoc on client.<method>, the same as on the definition', () => {
    const own = docAt('collection_details = /* @__PURE__ */ defineMethod', 0, methodsFile);
    expect(own).toMatch(/^One collection with its items/);
    expect(docAt('collection_details', 0)).toBe(own);
    expect(docAt('collection_move', 0)).toBe(docAt('collection_move = /* @__PURE__ */ defineMethod', 0, methodsFile));
  });

  it('shows the JSDoc of a param on its key in the params object', () => {
    expect(docAt('collectionid', 0)).toMatch(/^Id of one of the user's collections/);
    expect(docAt('page', 0)).toMatch(/^Page to return, from 1/);
    // a member of a one-of set
    expect(docAt('positions', 0)).toMatch(/^Positions \(from 1\)/);
  });
});
