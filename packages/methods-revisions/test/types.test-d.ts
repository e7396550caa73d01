import { describe, expectTypeOf, test } from 'vitest';
import type { AnyMethod, CoreClient, FileMetadata, ParamsOf } from '@pcloudkit/core';
import { definitions, listrevisions, revertrevision, revisions, type Revision } from '../src/index.js';

declare const client: CoreClient;

describe('revision method types', () => {
  test('listrevisions answers typed revisions with a bigint hash', async () => {
    const r = await listrevisions(client, { fileid: 1 });
    expectTypeOf(r.revisions).toEqualTypeOf<Revision[]>();
    expectTypeOf(r.revisions[0]!.hash).toEqualTypeOf<bigint>();
    expectTypeOf(r.revisions[0]!.created).toEqualTypeOf<Date>();
    expectTypeOf(r.metadata).toEqualTypeOf<FileMetadata>();
    // @ts-expect-error one of fileid/path
    listrevisions(client, {});
  });

  test('revertrevision needs a revisionid', async () => {
    const r = await revertrevision(client, { path: '/a.txt', revisionid: 5 });
    expectTypeOf(r.metadata).toEqualTypeOf<FileMetadata>();
    // @ts-expect-error revisionid missing
    revertrevision(client, { fileid: 1 });
  });

  test('the plugin adds every method to a client', () => {
    const c = client.use(revisions);
    expectTypeOf(c.listrevisions).parameter(0).toEqualTypeOf<ParamsOf<typeof listrevisions>>();
    expectTypeOf(definitions).toMatchTypeOf<readonly AnyMethod[]>();
  });
});
