import type { CoreClient } from '@pcloudkit/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type definitions,
  diff,
  general,
  getapiserver,
  type DiffEntry,
  type GetApiServerResult,
  type Metadata,
  type UserInfoResult,
} from '../src/index.js';

declare const client: CoreClient;
const c = client.use(general);

describe('general types', () => {
  it('getapiserver takes no params and returns host lists', () => {
    expectTypeOf(c.getapiserver).toBeCallableWith();
    expectTypeOf(c.getapiserver()).resolves.toEqualTypeOf<GetApiServerResult>();
    expectTypeOf(getapiserver).toBeCallableWith(client);
    expectTypeOf<GetApiServerResult['api']>().toEqualTypeOf<string[]>();
  });

  it('userinfo dates are Date and quotas numbers', () => {
    expectTypeOf(c.userinfo()).resolves.toEqualTypeOf<UserInfoResult>();
    expectTypeOf<UserInfoResult['registered']>().toEqualTypeOf<Date>();
    expectTypeOf<UserInfoResult['premiumexpires']>().toEqualTypeOf<Date | undefined>();
    expectTypeOf<UserInfoResult['quota']>().toEqualTypeOf<number>();
  });

  it('required params are required', () => {
    // @ts-expect-error language is required
    void c.setlanguage({});
    // @ts-expect-error language must be a string
    void c.setlanguage({ language: 1 });
    expectTypeOf(c.setlanguage).toBeCallableWith({ language: 'en' });
    // @ts-expect-error fileid is required
    void c.getfilehistory({});
    expectTypeOf(c.getfilehistory).toBeCallableWith({ fileid: 12 });
    expectTypeOf(c.getfilehistory).toBeCallableWith({ fileid: 12n });
    // @ts-expect-error mail, reason and message are required
    void c.feedback({ mail: 'a@b.c' });
    expectTypeOf(c.feedback).toBeCallableWith({ mail: 'a@b.c', reason: 'r', message: 'm' });
  });

  it('diff params are optional; block is a flag; after takes a Date', () => {
    expectTypeOf(c.diff).toBeCallableWith();
    expectTypeOf(c.diff).toBeCallableWith({ diffid: 5, block: true, limit: 10 });
    expectTypeOf(c.diff).toBeCallableWith({ after: new Date() });
    // @ts-expect-error block is a boolean flag
    void c.diff({ diffid: 1, block: 'yes' });
    // @ts-expect-error unknown param
    void diff(client, { since: 1 });
  });

  it('getip country may be false', () => {
    expectTypeOf(c.getip()).resolves.toHaveProperty('country').toEqualTypeOf<string | false>();
  });

  it('diff entries narrow on event, metadata on isfolder', () => {
    const narrow = (e: DiffEntry) => {
      if (e.event === 'createfile') {
        expectTypeOf(e.metadata.hash).toEqualTypeOf<bigint>();
        expectTypeOf(e.metadata.fileid).toEqualTypeOf<number>();
      }
      if (e.event === 'modifyuserinfo') expectTypeOf(e.userinfo.quota).toEqualTypeOf<number>();
      expectTypeOf(e.time).toEqualTypeOf<Date>();
    };
    void narrow;
    const m = (x: Metadata) => (x.isfolder ? x.folderid : x.fileid);
    expectTypeOf(m).returns.toEqualTypeOf<number>();
  });

  it('definitions keep wire names', () => {
    expectTypeOf<(typeof definitions)[number]['name']>().toEqualTypeOf<
      | 'getdigest'
      | 'userinfo'
      | 'supportedlanguages'
      | 'setlanguage'
      | 'feedback'
      | 'currentserver'
      | 'diff'
      | 'getfilehistory'
      | 'getip'
      | 'getapiserver'
    >();
  });
});
