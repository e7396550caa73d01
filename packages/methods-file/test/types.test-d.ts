import { describe, expectTypeOf, test } from 'vitest';
import type { CoreClient, ParamsOf, ResultOf, UploadFile } from '@pcloudkit/core';
import {
  checksumfile,
  copyfile,
  file,
  renamefile,
  stat,
  uploadfile,
  uploadprogress,
  type FileMetadata,
  type Metadata,
  type UploadFileResult,
} from '../src/index.js';

declare const client: CoreClient;

describe('file method types', () => {
  test('copyfile needs exactly one of fileid/path and exactly one of tofolderid/topath', () => {
    expectTypeOf(copyfile).toBeCallableWith(client, { fileid: 1, tofolderid: 0 });
    expectTypeOf(copyfile).toBeCallableWith(client, { path: '/a.txt', topath: '/b.txt', noover: true });
    expectTypeOf(copyfile).toBeCallableWith(client, { fileid: 1, tofolderid: 0, toname: 'c.txt' });
    // @ts-expect-error no source
    copyfile(client, { tofolderid: 0 });
    // @ts-expect-error no destination
    copyfile(client, { fileid: 1 });
    // @ts-expect-error two sources
    copyfile(client, { fileid: 1, path: '/a.txt', tofolderid: 0 });
    // @ts-expect-error two destinations
    copyfile(client, { fileid: 1, tofolderid: 0, topath: '/b.txt' });
    // @ts-expect-error nothing at all
    copyfile(client, {});
  });

  test('hash is a bigint and datetimes are Dates', async () => {
    const r = await checksumfile(client, { fileid: 1 });
    expectTypeOf(r.metadata.hash).toEqualTypeOf<bigint>();
    expectTypeOf(r.metadata.created).toEqualTypeOf<Date>();
    expectTypeOf(r.sha1).toEqualTypeOf<string>();
    expectTypeOf(r.md5).toEqualTypeOf<string | undefined>();
    expectTypeOf(r.sha256).toEqualTypeOf<string | undefined>();
    const u = await uploadfile(client, { folderid: 0 });
    expectTypeOf(u.metadata).toEqualTypeOf<FileMetadata[]>();
    expectTypeOf(u.metadata[0]!.hash).toEqualTypeOf<bigint>();
    expectTypeOf(u.fileids).toEqualTypeOf<number[]>();
  });

  test('stat returns file or folder metadata', async () => {
    const r = await stat(client, { path: '/x' });
    expectTypeOf(r.metadata).toEqualTypeOf<Metadata>();
    // @ts-expect-error stat needs a target
    stat(client, {});
  });

  test('uploadfile: filename optional, flags boolean, progresshash required for uploadprogress', () => {
    expectTypeOf<ParamsOf<typeof uploadfile>>().toMatchTypeOf<{ filename?: string; renameifexists?: boolean; nopartial?: boolean }>();
    expectTypeOf(uploadfile).toBeCallableWith(client);
    // @ts-expect-error progresshash is required
    uploadprogress(client, {});
    // @ts-expect-error renamefile needs a source
    renamefile(client, { toname: 'x' });
  });

  test('the plugin adds the methods and the upload helper', () => {
    const c = client.use(file);
    expectTypeOf(c.copyfile).returns.resolves.toEqualTypeOf<ResultOf<typeof copyfile>>();
    expectTypeOf(c.upload).parameter(0).toEqualTypeOf<UploadFile | readonly UploadFile[]>();
    expectTypeOf(c.upload).returns.resolves.toEqualTypeOf<UploadFileResult>();
    expectTypeOf(c.upload).toBeCallableWith(
      { name: 'a', data: new Uint8Array() },
      { folderid: 0, renameifexists: true, mtime: new Date() },
    );
    // @ts-expect-error folderid and path together
    c.upload({ name: 'a', data: new Uint8Array() }, { folderid: 0, path: '/' });
  });
});
