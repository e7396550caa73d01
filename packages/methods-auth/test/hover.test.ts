/**
 * What an editor shows: drives TypeScript's language service over an
 * in-memory file that uses the account plugin (resolved to the TypeScript
 * sources, like the tests), and reads the hover text ("quick info") of
 * plugin methods and of param keys. The plugin leaves `logout` out, which
 * must not cost the other methods their JSDoc.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { hoverService } from '@pcloudkit/testkit';
import { describe, expect, it } from 'vitest';

const pkgDir = dirname(dirname(fileURLToPath(import.meta.url)));
const methodsFile = join(pkgDir, 'src', 'methods.ts');

const code = `
import { createClient, memoryTransport } from '@pcloudkit/core';
import { account } from '@pcloudkit/methods-auth';
const client = createClient({ transport: memoryTransport() }).use(account);
export const a = client.changemail({ password: 'p', code: 'c' });
export const b = client.deactivateuser;
export const c = client.sendchangemail({ newmail: 'n@b.test', code: 'c' });
`;

describe('editor hover on plugin methods', () => {
  const { docAt, errors } = hoverService(pkgDir, code);

  it('compiles', () => {
    expect(errors()).toEqual([]);
  });

  it('shows the method JSDoc on client.<method>, the same as on the definition', () => {
    const own = docAt(' changemail = /* @__PURE__ */ defineMethod', 0, methodsFile);
    expect(own).toMatch(/^Last step of an address change/);
    expect(docAt('changemail', 0)).toBe(own);
    expect(docAt('deactivateuser', 0)).toBe(docAt('deactivateuser = /* @__PURE__ */ defineMethod', 0, methodsFile));
  });

  it('shows the JSDoc of a param on its key in the params object', () => {
    expect(docAt('password', 0)).toMatch(/^The user's current password/);
    expect(docAt('newmail', 0)).toMatch(/^Second step: the address to move to/);
  });
});
