import { describe, expectTypeOf, test } from 'vitest';
import type { CoreClient, DataResponse, FileMetadata } from '@pcloudkit/core';
import { archiving, extractarchive, getzip, getziplink, savezip, savezipprogress, type ExtractResult } from '../src/index.js';
import { zipToFile } from '../src/node.js';

declare const client: CoreClient;

describe('archiving method types', () => {
  test('results are typed', async () => {
    expectTypeOf(await getzip(client, { folderid: 0 })).toEqualTypeOf<DataResponse>();
    expectTypeOf((await getziplink(client, { fileids: [1, 2] })).expires).toEqualTypeOf<Date>();
    expectTypeOf((await savezip(client, { folderid: 0, tofolderid: 0 })).metadata).toEqualTypeOf<FileMetadata>();
    expectTypeOf((await savezipprogress(client, { progresshash: 'x' })).totalbytes).toEqualTypeOf<number>();
    expectTypeOf((await extractarchive(client, { fileid: 1, topath: '/x' })).finished).toEqualTypeOf<boolean>();
  });

  test('one-of sets and required params are enforced', () => {
    // @ts-expect-error savezip needs a destination
    savezip(client, { folderid: 0 });
    // @ts-expect-error both members of the destination set
    savezip(client, { folderid: 0, tofolderid: 0, topath: '/a.zip' });
    // @ts-expect-error extractarchive needs a source
    extractarchive(client, { tofolderid: 0 });
    // @ts-expect-error savezipprogress needs its key
    savezipprogress(client, {});
  });

  test('the plugin adds the methods and the helpers', async () => {
    const c = client.use(archiving);
    expectTypeOf(await c.extract({ fileid: 1, tofolderid: 0 })).toEqualTypeOf<ExtractResult>();
    expectTypeOf((await c.zipStream({ folderid: 0 })).body).toEqualTypeOf<ReadableStream<Uint8Array>>();
    expectTypeOf((await c.saveZip({ folderid: 0, topath: '/a.zip' })).metadata).toEqualTypeOf<FileMetadata>();
    expectTypeOf((await zipToFile(c, { folderid: 0 }, '/tmp/a.zip')).bytes).toEqualTypeOf<number>();
  });
});
