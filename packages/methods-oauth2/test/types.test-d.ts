import type { CoreClient, Region } from '@pcloudkit/core';
import { describe, expectTypeOf, it } from 'vitest';
import { authorizeUrl, exchangeCode, oauth2, parseRedirect, type ExchangedToken, type OAuth2TokenResult } from '../src/index.js';
import { signIn, type SignInResult } from '../src/node.js';

declare const client: CoreClient;
const c = client.use(oauth2);

describe('oauth2 types', () => {
  it('oauth2_token needs id, secret and code', () => {
    expectTypeOf(c.oauth2_token).toBeCallableWith({ client_id: 'a', client_secret: 'b', code: 'c' });
    // @ts-expect-error code is missing
    void c.oauth2_token({ client_id: 'a', client_secret: 'b' });
    expectTypeOf(c.oauth2_token({ client_id: 'a', client_secret: 'b', code: 'c' })).resolves.toEqualTypeOf<OAuth2TokenResult>();
  });

  it('helpers', () => {
    expectTypeOf(authorizeUrl).returns.toEqualTypeOf<string>();
    // @ts-expect-error responseType is 'code' or 'token'
    authorizeUrl({ clientId: 'a', responseType: 'poll' });
    expectTypeOf(parseRedirect('x').region).toEqualTypeOf<Region>();
    expectTypeOf(parseRedirect('x').code).toEqualTypeOf<string | undefined>();
    expectTypeOf(exchangeCode(client, { clientId: 'a', clientSecret: 'b', code: 'c' })).resolves.toEqualTypeOf<ExchangedToken>();
    expectTypeOf(signIn).returns.resolves.toEqualTypeOf<SignInResult>();
    expectTypeOf<SignInResult['client']>().toEqualTypeOf<CoreClient>();
  });
});
