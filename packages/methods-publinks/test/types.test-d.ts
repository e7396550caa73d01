import { describe, expectTypeOf, test } from 'vitest';
import type { CoreClient, DataResponse, Metadata } from '@pcloudkit/core';
import {
  copypubfile,
  getfilepublink,
  getpubzip,
  type PublicAudio,
  type PublicLink,
  type PublinkCreated,
  type PublinkInfo,
  publinks,
  showpublink,
} from '../src/index.js';
import { publicZipToFile } from '../src/node.js';

declare const client: CoreClient;

describe('publinks types', () => {
  test('answers', async () => {
    expectTypeOf(await getfilepublink(client, { fileid: 1 })).toEqualTypeOf<PublinkCreated>();
    expectTypeOf((await showpublink(client, { code: 'c' })).metadata).toEqualTypeOf<Metadata>();
    expectTypeOf(await getpubzip(client, { code: 'c' })).toEqualTypeOf<DataResponse>();
    expectTypeOf<PublinkInfo['created']>().toEqualTypeOf<Date>();
    expectTypeOf<PublinkInfo['expires']>().toEqualTypeOf<Date | undefined>();
  });

  test('params: one target, one destination, a code', () => {
    // @ts-expect-error no target
    getfilepublink(client, {});
    // @ts-expect-error fileid and path together
    getfilepublink(client, { fileid: 1, path: '/a' });
    // @ts-expect-error code is required
    showpublink(client, {});
    expectTypeOf(showpublink).toBeCallableWith(client, { code: 'c', linkpassword: 'p' });
    // @ts-expect-error a destination is required
    copypubfile(client, { code: 'c', fileid: 1 });
    expectTypeOf(copypubfile).toBeCallableWith(client, { code: 'c', fileid: 1, tofolderid: 0, toname: 'x' });
  });

  test('the plugin adds the methods and the helpers', async () => {
    const c = client.use(publinks);
    expectTypeOf(await c.publicFile({ code: 'c' })).toEqualTypeOf<PublicLink>();
    expectTypeOf(await c.publicAudio({ code: 'c', fileid: 1 })).toEqualTypeOf<PublicAudio>();
    expectTypeOf(await c.listpublinks()).toHaveProperty('publinks');
    expectTypeOf((await publicZipToFile(client, { code: 'c' }, '/tmp/x.zip')).bytes).toEqualTypeOf<number>();
  });
});
