import { describe, expectTypeOf, test } from 'vitest';
import type { CoreClient, FolderMetadata } from '@pcloudkit/core';
import { changeuploadlink, copytolink, createuploadlink, listuploadlinks, type UploadLink, uploadlinks } from '../src/index.js';

declare const client: CoreClient;

describe('upload link method types', () => {
  test('answers: the link fields, dates as Date, the folder as metadata', async () => {
    const made = await createuploadlink(client, { folderid: 1, comment: 'c' });
    expectTypeOf(made.code).toEqualTypeOf<string>();
    expectTypeOf(made.uploadlinkid).toEqualTypeOf<number>();
    const { uploadlinks: list } = await listuploadlinks(client);
    expectTypeOf(list).toEqualTypeOf<UploadLink[]>();
    expectTypeOf<UploadLink['created']>().toEqualTypeOf<Date>();
    expectTypeOf<UploadLink['metadata']>().toEqualTypeOf<FolderMetadata | undefined>();
  });

  test('params: exactly one target, expiry set or removed', () => {
    // @ts-expect-error comment is required
    createuploadlink(client, { folderid: 1 });
    // @ts-expect-error folderid and path together
    createuploadlink(client, { folderid: 1, path: '/x', comment: 'c' });
    expectTypeOf(changeuploadlink).toBeCallableWith(client, { uploadlinkid: 1, expire: new Date() });
    // @ts-expect-error expire and deleteexpire together
    changeuploadlink(client, { uploadlinkid: 1, expire: new Date(), deleteexpire: true });
    // @ts-expect-error no file named
    copytolink(client, { code: 'c' });
  });

  test('the plugin adds the methods and the upload helper', async () => {
    const c = client.use(uploadlinks);
    expectTypeOf(await c.uploadLinks.upload('code', { name: 'a', data: new Uint8Array(1) })).toEqualTypeOf<{ files: number }>();
    expectTypeOf(await c.showuploadlink({ code: 'x' })).toEqualTypeOf<{ comment: string; mail: string }>();
  });
});
