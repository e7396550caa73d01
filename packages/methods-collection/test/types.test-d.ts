import { describe, expectTypeOf, test } from 'vitest';
import type { AnyMethod, CoreClient, ParamsOf, ResultOf } from '@pcloudkit/core';
import {
  type Collection,
  type CollectionItem,
  type collection_create,
  collection_details,
  type collection_linkfiles,
  collection_move,
  collection_unlinkfiles,
  collection,
  definitions,
  type LinkedFile,
  type LinkResult,
} from '../src/index.js';

declare const client: CoreClient;

describe('collection method types', () => {
  test('raw answers carry both documented shapes', async () => {
    const r = await collection_details(client, { collectionid: 1, page: 1, pagesize: 10 });
    expectTypeOf(r.collection).toEqualTypeOf<Collection | Collection[]>();
    expectTypeOf<ResultOf<typeof collection_create>['linkresult']>().toEqualTypeOf<LinkResult[] | false | undefined>();
    expectTypeOf<ResultOf<typeof collection_linkfiles>['linkresult']>().toEqualTypeOf<LinkResult[]>();
  });

  test('items are file metadata with a position and a Date', () => {
    expectTypeOf<Collection['contents']>().toEqualTypeOf<CollectionItem[]>();
    expectTypeOf<CollectionItem['position']>().toEqualTypeOf<number>();
    expectTypeOf<CollectionItem['added']>().toEqualTypeOf<Date>();
    expectTypeOf<CollectionItem['hash']>().toEqualTypeOf<bigint>();
    expectTypeOf<CollectionItem['isfolder']>().toEqualTypeOf<false>();
  });

  test('params: required ids, exactly one selector / item', () => {
    // @ts-expect-error collectionid is required
    collection_details(client, { page: 1 });
    expectTypeOf(collection_unlinkfiles).toBeCallableWith(client, { collectionid: 1, positions: [1, 2] });
    expectTypeOf(collection_unlinkfiles).toBeCallableWith(client, { collectionid: 1, all: true });
    // @ts-expect-error no selector
    collection_unlinkfiles(client, { collectionid: 1 });
    // @ts-expect-error two selectors
    collection_unlinkfiles(client, { collectionid: 1, all: true, fileids: [3] });
    expectTypeOf(collection_move).toBeCallableWith(client, { collectionid: 1, fileid: 5, position: 2 });
    // @ts-expect-error item and fileid together
    collection_move(client, { collectionid: 1, item: 1, fileid: 5, position: 2 });
    // @ts-expect-error position is required
    collection_move(client, { collectionid: 1, item: 1 });
  });

  test('the plugin adds the methods and the normalised helpers', async () => {
    const c = client.use(collection);
    expectTypeOf(c.collection_list).parameter(0).toEqualTypeOf<ParamsOf<typeof import('../src/index.js').collection_list> | undefined>();
    expectTypeOf(await c.collections.details({ collectionid: 1 })).toEqualTypeOf<Collection>();
    expectTypeOf(await c.collections.list()).toEqualTypeOf<Collection[]>();
    const made = await c.collections.create({ name: 'n', fileids: [1, 2] });
    expectTypeOf(made.linkresult).toEqualTypeOf<LinkedFile[]>();
    expectTypeOf<LinkedFile['fileid']>().toEqualTypeOf<number>();
    expectTypeOf(await c.collections.move({ collectionid: 1, item: 1, position: 2 })).toEqualTypeOf<void>();
    expectTypeOf(definitions).toMatchTypeOf<readonly AnyMethod[]>();
  });
});
