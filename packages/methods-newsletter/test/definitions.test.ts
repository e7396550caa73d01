// Catalogue facts are checked by packages/catalog/test/sdk-definitions.test.ts;
// this file keeps the choices the SDK makes on its own.
import { createClient, memoryTransport, ValidationError } from '@pcloudkit/core';
import { describe, expect, test } from 'vitest';
import * as pkg from '../src/index.js';

describe('newsletter definitions', () => {
  test('only newsletter_check is safe to repeat, and only it needs a signed-in user', () => {
    expect(pkg.definitions.filter((d) => d.idempotent).map((d) => d.name)).toEqual(['newsletter_check']);
    expect(pkg.definitions.filter((d) => d.auth).map((d) => d.name)).toEqual(['newsletter_check']);
  });

  test("the wire name keeps pCloud's spelling", () => {
    expect(pkg.newsletter_unsibscribemail.name).toBe('newsletter_unsibscribemail');
    expect(Object.keys(pkg.newsletter.methods)).toContain('newsletter_unsibscribemail');
  });

  test('anonymous methods go without credentials; a missing address fails before sending', async () => {
    const transport = memoryTransport({ answer: () => ({ result: 0, verifymail: true }) });
    const client = createClient({ transport, auth: { accessToken: 'x' }, retries: 0 }).use(pkg.newsletter);
    await client.newsletter_subscribe({ mail: 'reader@pcloudkit.test' });
    expect(transport.requests[0]!.bearer).toBeUndefined();
    await client.newsletter_check();
    expect(transport.requests[1]!.bearer).toBe('x');
    // @ts-expect-error mail is required
    const err = await client.newsletter_unsibscribemail({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(transport.requests).toHaveLength(2);
  });
});
