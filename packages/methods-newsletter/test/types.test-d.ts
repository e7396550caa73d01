import { describe, expectTypeOf, test } from 'vitest';
import type { CoreClient } from '@pcloudkit/core';
import { newsletter, newsletter_check, newsletter_subscribe, newsletter_verifyemail } from '../src/index.js';

declare const client: CoreClient;

describe('newsletter method types', () => {
  test('answers are typed', async () => {
    expectTypeOf((await newsletter_subscribe(client, { mail: 'a@b.test' })).verifymail).toEqualTypeOf<boolean>();
    expectTypeOf(await newsletter_check(client)).toEqualTypeOf<{ subscribed: boolean; verified: boolean }>();
    expectTypeOf((await newsletter_verifyemail(client, { code: 'c' })).email).toEqualTypeOf<string>();
  });

  test('the plugin adds every method', () => {
    const c = client.use(newsletter);
    expectTypeOf(c.newsletter_unsubscribe).toBeCallableWith({ code: 'c' });
    // @ts-expect-error the address is required
    c.newsletter_subscribe({});
  });
});
