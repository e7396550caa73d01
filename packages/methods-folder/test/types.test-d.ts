import { describe, expectTypeOf, test } from 'vitest';
import type { AnyMethod, CoreClient, ParamsOf, ResultOf } from '@pcloudkit/core';
import {
  copyfolder,
  type createfolder,
  type createfolderifnotexists,
  definitions,
  type deletefolderrecursive,
  folder,
  listfolder,
  type renamefolder,
  type FileMetadata,
  type FolderMetadata,
  type Metadata,
} from '../src/index.js';

declare const client: CoreClient;

describe('folder method types', () => {
  test('listfolder result carries typed contents', async () => {
    const r = await listfolder(client, { folderid: 0 });
    expectTypeOf(r.metadata.contents).toEqualTypeOf<Metadata[]>();
    expectTypeOf(r.metadata.folderid).toEqualTypeOf<number>();
    expectTypeOf(r.metadata.created).toEqualTypeOf<Date>();
    const child = r.metadata.contents[0]!;
    if (child.isfolder) {
      expectTypeOf(child).toEqualTypeOf<FolderMetadata>();
      expectTypeOf(child.contents).toEqualTypeOf<Metadata[] | undefined>();
    } else {
      expectTypeOf(child).toEqualTypeOf<FileMetadata>();
      expectTypeOf(child.hash).toEqualTypeOf<bigint>();
      expectTypeOf(child.modified).toEqualTypeOf<Date>();
    }
  });

  test('listfolder needs exactly one of path/folderid; flags are booleans', () => {
    expectTypeOf(listfolder).toBeCallableWith(client, { path: '/', recursive: true, nofiles: true, showdeleted: false });
    // @ts-expect-error neither path nor folderid
    listfolder(client, { recursive: true });
    // @ts-expect-error both members of the set
    listfolder(client, { path: '/', folderid: 0 });
    // @ts-expect-error flags take booleans
    listfolder(client, { folderid: 0, recursive: 'yes' });
  });

  test('copyfolder needs one source and one destination', () => {
    expectTypeOf(copyfolder).toBeCallableWith(client, { folderid: 1, tofolderid: 2, noover: true });
    expectTypeOf(copyfolder).toBeCallableWith(client, { path: '/a', topath: '/b', copycontentonly: true, skipexisting: true });
    // @ts-expect-error destination missing
    copyfolder(client, { folderid: 1 });
    // @ts-expect-error two destinations
    copyfolder(client, { folderid: 1, tofolderid: 2, topath: '/b' });
  });

  test('other results', () => {
    expectTypeOf<ResultOf<typeof createfolder>['metadata']>().toEqualTypeOf<FolderMetadata>();
    expectTypeOf<ResultOf<typeof createfolderifnotexists>['created']>().toEqualTypeOf<boolean>();
    expectTypeOf<ResultOf<typeof deletefolderrecursive>>().toEqualTypeOf<{ deletedfiles: number; deletedfolders: number }>();
    expectTypeOf<ParamsOf<typeof renamefolder>>().toMatchTypeOf<{
      toname?: string;
      tofolderid?: number | bigint | string;
      topath?: string;
    }>();
  });

  test('the plugin adds every method to a client', () => {
    const c = client.use(folder);
    expectTypeOf(c.listfolder).parameter(0).toEqualTypeOf<ParamsOf<typeof listfolder>>();
    expectTypeOf(c.createfolderifnotexists).returns.resolves.toEqualTypeOf<ResultOf<typeof createfolderifnotexists>>();
    expectTypeOf(definitions).toMatchTypeOf<readonly AnyMethod[]>();
  });
});
