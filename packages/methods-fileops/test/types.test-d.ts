import { describe, expectTypeOf, test } from 'vitest';
import type { CoreClient, DataResponse } from '@pcloudkit/core';
import { type FileHandle, file_open, file_pread, file_size, fileops, type UploadLargeResult } from '../src/index.js';

declare const client: CoreClient;

describe('fileops types', () => {
  test('answers are typed', async () => {
    expectTypeOf((await file_open(client, { flags: 0, path: '/x' })).fd).toEqualTypeOf<number>();
    expectTypeOf(await file_pread(client, { fd: -1, count: 10, offset: 0 })).toEqualTypeOf<DataResponse>();
    expectTypeOf((await file_size(client, { fd: 1 })).size).toEqualTypeOf<number>();
  });

  test('file_open takes exactly one target', () => {
    // @ts-expect-error: a path and a fileid at once
    void file_open(client, { flags: 0, path: '/x', fileid: 1 });
    // @ts-expect-error: no target
    void file_open(client, { flags: 0 });
  });

  test('the plugin adds open and uploadLarge', async () => {
    const c = client.use(fileops);
    expectTypeOf(await c.open('/x')).toEqualTypeOf<FileHandle>();
    expectTypeOf(await c.uploadLarge(new Blob([]), { path: '/x' })).toEqualTypeOf<UploadLargeResult>();
    expectTypeOf<Parameters<FileHandle['seek']>[1]>().toEqualTypeOf<'start' | 'current' | 'end' | 0 | 1 | 2 | undefined>();
  });
});
