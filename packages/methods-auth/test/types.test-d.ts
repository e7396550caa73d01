import { describe, expectTypeOf, test } from 'vitest';
import type { AnyMethod, CoreClient, ParamsOf } from '@pcloudkit/core';
import {
  account,
  type AuthTokenInfo,
  changemail,
  definitions,
  deletetoken,
  listtokens,
  logout,
  register,
  sendchangemail,
  verifyemail,
} from '../src/index.js';

declare const client: CoreClient;

describe('account method types', () => {
  test('answers are typed', async () => {
    expectTypeOf((await listtokens(client)).tokens).toEqualTypeOf<AuthTokenInfo[]>();
    expectTypeOf((await listtokens(client)).tokens[0]!.expires).toEqualTypeOf<Date>();
    expectTypeOf((await verifyemail(client, { code: 'c' })).userid).toEqualTypeOf<number>();
    expectTypeOf((await logout(client)).auth_deleted).toEqualTypeOf<boolean>();
  });

  test('required params are required', () => {
    // @ts-expect-error the password is missing
    register(client, { termsaccepted: 'yes', mail: 'a@b.test' });
    // @ts-expect-error the code is missing
    changemail(client, { password: 'p' });
    // @ts-expect-error tokenid is a number
    deletetoken(client, { tokenid: [1] });
    expectTypeOf(sendchangemail).toBeCallableWith(client);
    expectTypeOf(sendchangemail).toBeCallableWith(client, { newmail: 'n@b.test', code: 'c' });
  });

  test('the plugin adds the methods and client.tokens, and leaves core’s logout()', () => {
    const c = client.use(account);
    expectTypeOf(c.listtokens).toBeCallableWith();
    expectTypeOf(c.changemail).parameter(0).toEqualTypeOf<ParamsOf<typeof changemail>>();
    expectTypeOf(c.tokens.revokeOthers).returns.resolves.toEqualTypeOf<AuthTokenInfo[]>();
    expectTypeOf(c.logout).returns.resolves.toEqualTypeOf<void>();
    expectTypeOf(definitions).toMatchTypeOf<readonly AnyMethod[]>();
  });
});
