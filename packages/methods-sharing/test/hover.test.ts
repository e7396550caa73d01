/**
 * What an editor shows: drives TypeScript's language service over an
 * in-memory file that uses the sharing plugin (resolved to the TypeScript
 * sources, like the tests), and reads the hover text ("quick info") of
 * `client.sharefolder`, of `client.shares.offer` and of param keys.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hoverService } from '@pcloudkit/testkit';
import { describe, expect, it } from 'vitest';

const pkgDir = dirname(dirname(fileURLToPath(import.meta.url)));
const methodsFile = join(pkgDir, 'src', 'methods.ts');

const code = `
import { createClient, memoryTransport } from '@pcloudkit/core';
import { sharing } from '@pcloudkit/methods-sharing';
const client = createClient({ transport: memoryTransport() }).use(sharing);
export const a = client.sharefolder({ folderid: 1, mail: 'bob@example.com', permissions: 3 });
export const b = client.acceptshare({ code: 'x', always: true });
export const c = client.shares.offer({ folderid: 1, mail: 'bob@example.com', permissions: { create: true } });
`;

describe('editor hover on plugin methods', () => {
  const { docAt, errors } = hoverService(pkgDir, code);

  it('compiles', () => {
    expect(errors()).toEqual([]);
  });

  it('shows the method JSDoc on client.<method>, the same as on the definition', () => {
    const own = docAt('sharefolder = /* @__PURE__ */ defineMethod', 0, methodsFile);
    expect(own).toMatch(/^Offers one of the caller's own folders/);
    expect(docAt('sharefolder', 0)).toBe(own);
    expect(docAt('acceptshare', 0)).toBe(docAt('acceptshare = /* @__PURE__ */ defineMethod', 0, methodsFile));
  });

  it('shows the JSDoc of a param on its key, and of the helpers', () => {
    expect(docAt('permissions', 0)).toMatch(/^0 read only; add 1 to create/);
    expect(docAt('always', 0)).toMatch(/^From now on, take every offer/);
    expect(docAt('offer', 0)).toMatch(/^`sharefolder` with the rights by name/);
    expect(docAt('create: true', 0)).toMatch(/^Add files and folders/);
  });
});
