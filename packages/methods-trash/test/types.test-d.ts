import { describe, expectTypeOf, test } from 'vitest';
import type { AnyMethod, CoreClient, FolderMetadata, Metadata, ParamsOf, ResultOf } from '@pcloudkit/core';
import { definitions, trash, trash_clear, trash_list, type trash_restore, trash_restorepath, type TrashFolder } from '../src/index.js';

declare const client: CoreClient;

describe('trash method types', () => {
  test('trash_list takes only optional params and answers a folder with contents', async () => {
    const r = await trash_list(client, {});
    expectTypeOf(r.metadata).toEqualTypeOf<TrashFolder>();
    expectTypeOf(r.metadata.contents).toEqualTypeOf<Metadata[]>();
    expectTypeOf(r.metadata.contents[0]!.origparentfolderid).toEqualTypeOf<number | undefined>();
    expectTypeOf(trash_list).toBeCallableWith(client, { folderid: 3, recursive: true, nofiles: false });
    // @ts-expect-error flags take booleans
    trash_list(client, { recursive: 1 });
  });

  test('restore, restorepath and clear need exactly one of fileid/folderid', async () => {
    expectTypeOf(trash_restorepath).toBeCallableWith(client, { fileid: 1 });
    expectTypeOf(trash_clear).toBeCallableWith(client, { folderid: 0 });
    // @ts-expect-error neither
    trash_clear(client, {});
    // @ts-expect-error both
    trash_restorepath(client, { fileid: 1, folderid: 2 });
    const p = await trash_restorepath(client, { folderid: 2 });
    expectTypeOf(p.destination).toEqualTypeOf<FolderMetadata>();
    expectTypeOf<ResultOf<typeof trash_restore>['restored']>().toEqualTypeOf<Metadata[] | undefined>();
    expectTypeOf<ParamsOf<typeof trash_restore>>().toMatchTypeOf<{ restoreto?: number | bigint | string; metadata?: boolean }>();
  });

  test('the plugin adds every method to a client', () => {
    const c = client.use(trash);
    expectTypeOf(c.trash_list).toBeCallableWith({ recursive: true });
    expectTypeOf(c.trash_clear).parameter(0).toEqualTypeOf<ParamsOf<typeof trash_clear>>();
    expectTypeOf(definitions).toMatchTypeOf<readonly AnyMethod[]>();
  });
});
