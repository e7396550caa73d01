import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiError, ValidationError, type Middleware } from '@pcloudkit/core';
import { startTestEnv, transportNames, type TestEnv } from '@pcloudkit/testkit';
import { folder, listfolder, type FolderMetadata, type Metadata } from '../src/index.js';

/** Runs `fn`, expecting an ApiError with the given code; returns it. */
async function apiError(promise: Promise<unknown>, code: number): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  const api = error as ApiError;
  expect(api.result).toBe(code);
  return api;
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe.each(transportNames)('folder methods over %s', (kind) => {
  let env: TestEnv;
  let client: ReturnType<typeof makeClient>;
  /** Wire method names that reached the client's middleware chain. */
  const sent: string[] = [];
  const record: Middleware = (next) => (request) => {
    sent.push(request.method);
    return next(request);
  };
  const makeClient = () => env.client(kind, undefined, { middleware: [record] }).use(folder);

  beforeAll(async () => {
    env = await startTestEnv();
    client = makeClient();
  });
  afterAll(() => env.close());

  /** Uploads through a raw call, so this package stays free of methods-file. */
  const put = async (folderid: number, name: string, content: string) => {
    const r = await client.call<{ metadata: Array<{ fileid: number; hash: bigint }> }>(
      'uploadfile',
      { folderid },
      {
        files: [{ name, data: bytes(content) }],
      },
    );
    return r.metadata[0]!;
  };
  const names = (items: Metadata[]) => items.map((i) => i.name).sort();

  test('createfolder by path and by parent id + name; 2004 when the name is taken', async () => {
    const a = await client.createfolder({ path: '/create-a' });
    expect(a.metadata).toMatchObject({ isfolder: true, name: 'create-a', parentfolderid: 0 });
    expect(a.metadata.folderid).toBeGreaterThan(0);
    expect(a.metadata.id).toBe(`d${a.metadata.folderid}`);
    expect(a.metadata.created).toBeInstanceOf(Date);
    expect(a.metadata.modified).toBeInstanceOf(Date);

    const b = await client.createfolder({ folderid: a.metadata.folderid, name: 'inner' });
    expect(b.metadata).toMatchObject({ isfolder: true, name: 'inner', parentfolderid: a.metadata.folderid });

    const listed = await client.listfolder({ path: '/create-a' });
    expect(names(listed.metadata.contents)).toEqual(['inner']);

    const err = await apiError(client.createfolder({ path: '/create-a' }), 2004);
    expect(err.errorClass).toBe('state');
    expect(err.method).toBe('createfolder');
    await apiError(client.createfolder({ path: '/no-such-parent/x' }), 2002);
  });

  test('createfolderifnotexists reports whether it made the folder', async () => {
    const first = await client.createfolderifnotexists({ folderid: 0, name: 'maybe' });
    expect(first.created).toBe(true);
    expect(first.metadata.name).toBe('maybe');
    const second = await client.createfolderifnotexists({ path: '/maybe' });
    expect(second.created).toBe(false);
    expect(second.metadata.folderid).toBe(first.metadata.folderid);
    // A missing parent is 2002 for the create methods (their documented codes have no 2005).
    const err = await apiError(client.createfolderifnotexists({ folderid: 987654321, name: 'x' }), 2002);
    expect(err.errorClass).toBe('state');
  });

  test('listfolder: plain, recursive, nofiles, showdeleted; 2005 for a missing folder', async () => {
    const top = (await client.createfolder({ path: '/list' })).metadata;
    const sub = (await client.createfolder({ path: '/list/sub' })).metadata;
    await client.createfolder({ path: '/list/sub/deep' });
    const f1 = await put(top.folderid, 'one.txt', 'first file');
    await put(sub.folderid, 'two.txt', 'second file');

    const plain = await client.listfolder({ folderid: top.folderid });
    expect(plain.metadata.folderid).toBe(top.folderid);
    expect(names(plain.metadata.contents)).toEqual(['one.txt', 'sub']);
    const subPlain = plain.metadata.contents.find((i): i is FolderMetadata => i.isfolder)!;
    expect(subPlain.contents).toBeUndefined();
    const filePlain = plain.metadata.contents.find((i) => !i.isfolder)!;
    expect(filePlain.isfolder).toBe(false);
    if (!filePlain.isfolder) {
      expect(filePlain.fileid).toBe(f1.fileid);
      expect(filePlain.size).toBe('first file'.length);
      expect(typeof filePlain.hash).toBe('bigint');
      expect(filePlain.hash).toBe(f1.hash);
    }

    // Standalone function form, recursive.
    const rec = await listfolder(client, { path: '/list', recursive: true });
    const recSub = rec.metadata.contents.find((i): i is FolderMetadata => i.isfolder)!;
    expect(names(recSub.contents!)).toEqual(['deep', 'two.txt']);
    const deep = recSub.contents!.find((i): i is FolderMetadata => i.isfolder)!;
    expect(deep.contents).toEqual([]);

    const nofiles = await client.listfolder({ folderid: top.folderid, recursive: true, nofiles: true });
    expect(names(nofiles.metadata.contents)).toEqual(['sub']);
    const nfSub = nofiles.metadata.contents[0] as FolderMetadata;
    expect(names(nfSub.contents!)).toEqual(['deep']);

    await client.call('deletefile', { fileid: f1.fileid });
    const without = await client.listfolder({ folderid: top.folderid });
    expect(names(without.metadata.contents)).toEqual(['sub']);
    const withDeleted = await client.listfolder({ folderid: top.folderid, showdeleted: true });
    const gone = withDeleted.metadata.contents.find((i) => i.name === 'one.txt');
    expect(gone).toMatchObject({ isdeleted: true, isfolder: false });

    const err = await apiError(client.listfolder({ folderid: 987654321 }), 2005);
    expect(err.errorClass).toBe('state');
    await apiError(client.listfolder({ path: '/no-such-folder' }), 2005);
  });

  test('renamefolder renames, moves by id and by path ending in "/"; its errors', async () => {
    const src = (await client.createfolder({ path: '/ren' })).metadata;
    const dest = (await client.createfolder({ path: '/ren-dest' })).metadata;

    const renamed = await client.renamefolder({ folderid: src.folderid, toname: 'ren2' });
    expect(renamed.metadata).toMatchObject({ folderid: src.folderid, name: 'ren2', parentfolderid: 0 });

    const moved = await client.renamefolder({ path: '/ren2', tofolderid: dest.folderid });
    expect(moved.metadata).toMatchObject({ folderid: src.folderid, name: 'ren2', parentfolderid: dest.folderid });

    const back = await client.renamefolder({ folderid: src.folderid, topath: '/' });
    expect(back.metadata).toMatchObject({ folderid: src.folderid, name: 'ren2', parentfolderid: 0 });

    const both = await client.renamefolder({ folderid: src.folderid, tofolderid: dest.folderid, toname: 'ren3' });
    expect(both.metadata).toMatchObject({ name: 'ren3', parentfolderid: dest.folderid });
    const listed = await client.listfolder({ folderid: dest.folderid });
    expect(names(listed.metadata.contents)).toEqual(['ren3']);

    const noTarget = await apiError(client.renamefolder({ folderid: src.folderid }), 1037);
    expect(noTarget.errorClass).toBe('bad-request');
    await apiError(client.renamefolder({ folderid: dest.folderid, tofolderid: src.folderid }), 2043);
    await apiError(client.renamefolder({ folderid: 987654321, toname: 'x' }), 2005);
  });

  test('copyfolder: whole folder, noover, skipexisting, copycontentonly', async () => {
    const src = (await client.createfolder({ path: '/cp-src' })).metadata;
    await client.createfolder({ path: '/cp-src/child' });
    const original = await put(src.folderid, 'a.txt', 'source content');
    const dest = (await client.createfolder({ path: '/cp-dest' })).metadata;

    const copy = await client.copyfolder({ folderid: src.folderid, tofolderid: dest.folderid });
    expect(copy.metadata.isfolder).toBe(true);
    expect(copy.metadata.folderid).not.toBe(src.folderid);
    const copied = await client.listfolder({ path: '/cp-dest', recursive: true });
    expect(names(copied.metadata.contents)).toEqual(['cp-src']);
    const inner = copied.metadata.contents[0] as FolderMetadata;
    expect(names(inner.contents!)).toEqual(['a.txt', 'child']);
    const copiedFile = inner.contents!.find((i) => i.name === 'a.txt')!;
    expect(!copiedFile.isfolder && copiedFile.hash).toBe(original.hash);
    expect(!copiedFile.isfolder && copiedFile.fileid).not.toBe(original.fileid);

    // Contents only, into a folder that already holds a different a.txt.
    const only = (await client.createfolder({ path: '/cp-only' })).metadata;
    const existing = await put(only.folderid, 'a.txt', 'already here, longer');
    const err = await apiError(client.copyfolder({ path: '/cp-src', topath: '/cp-only', copycontentonly: true, noover: true }), 2004);
    expect(err.errorClass).toBe('state');

    await client.copyfolder({ path: '/cp-src', topath: '/cp-only', copycontentonly: true, skipexisting: true });
    const skipped = await client.listfolder({ folderid: only.folderid });
    expect(names(skipped.metadata.contents)).toEqual(['a.txt', 'child']);
    const kept = skipped.metadata.contents.find((i) => i.name === 'a.txt')!;
    expect(!kept.isfolder && kept.hash).toBe(existing.hash);

    // Default: overwrite, same file id (the old content becomes a revision).
    await client.copyfolder({ folderid: src.folderid, tofolderid: only.folderid, copycontentonly: true });
    const over = await client.listfolder({ folderid: only.folderid });
    const replaced = over.metadata.contents.find((i) => i.name === 'a.txt')!;
    expect(!replaced.isfolder && replaced.hash).toBe(original.hash);
    expect(!replaced.isfolder && replaced.fileid).toBe(existing.fileid);

    await apiError(client.copyfolder({ folderid: 987654321, tofolderid: 0 }), 2005);
  });

  test('deletefolder: empty folder goes, non-empty fails with 2006', async () => {
    const empty = (await client.createfolder({ path: '/del-empty' })).metadata;
    const deleted = await client.deletefolder({ folderid: empty.folderid });
    expect(deleted.metadata).toMatchObject({ folderid: empty.folderid, isdeleted: true });
    await apiError(client.listfolder({ folderid: empty.folderid }), 2005);

    const full = (await client.createfolder({ path: '/del-full' })).metadata;
    await client.createfolder({ path: '/del-full/x' });
    const err = await apiError(client.deletefolder({ path: '/del-full' }), 2006);
    expect(err.errorClass).toBe('state');
    expect((await client.listfolder({ folderid: full.folderid })).metadata.contents).toHaveLength(1);
    await apiError(client.deletefolder({ folderid: 987654321 }), 2005);
  });

  test('deletefolderrecursive counts what it removed', async () => {
    const root = (await client.createfolder({ path: '/rm' })).metadata;
    const a = (await client.createfolder({ path: '/rm/a' })).metadata;
    await client.createfolder({ path: '/rm/a/b' });
    await put(root.folderid, '1.txt', '1');
    await put(a.folderid, '2.txt', '22');
    await put(a.folderid, '3.txt', '333');

    const r = await client.deletefolderrecursive({ folderid: root.folderid });
    expect(r).toMatchObject({ deletedfiles: 3, deletedfolders: 3 });
    await apiError(client.listfolder({ path: '/rm' }), 2005);
    await apiError(client.deletefolderrecursive({ path: '/rm' }), 2005);
  });

  describe('validation happens before sending', () => {
    const rejects = async (promise: Promise<unknown>, param: string) => {
      const before = sent.length;
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).param).toBe(param);
      expect(sent.length).toBe(before);
    };

    test('a one-of set with no member', async () => {
      await rejects(client.listfolder({} as never), 'path|folderid');
      await rejects(client.copyfolder({ folderid: 1 } as never), 'tofolderid|topath');
    });

    test('null for a member of a one-of set (the server would see none of the set)', async () => {
      await rejects(client.listfolder({ folderid: null } as never), 'folderid');
      await rejects(client.createfolder({ path: null, folderid: 0, name: 'n' } as never), 'path');
    });

    test('folderid without name', async () => {
      await rejects(client.createfolder({ folderid: 0 }), 'folderid');
      await rejects(client.createfolderifnotexists({ folderid: 0 }), 'folderid');
      const error = await client.createfolder({ folderid: 0 }).catch((e: unknown) => e);
      expect((error as Error).message).toBe("createfolder: 'name' is required when 'folderid' is given");
      // with the name it goes through
      const made = await client.createfolderifnotexists({ folderid: 0, name: 'needs-name' });
      expect(made.metadata.name).toBe('needs-name');
    });

    test('both members of a set', async () => {
      await rejects(client.createfolder({ path: '/x', folderid: 0 } as never), 'path|folderid');
      await rejects(client.copyfolder({ folderid: 1, tofolderid: 2, topath: '/y' } as never), 'tofolderid|topath');
    });

    test('wrong types', async () => {
      await rejects(client.listfolder({ folderid: 'abc' }), 'folderid');
      await rejects(client.listfolder({ folderid: 0, recursive: 'yes' as never }), 'recursive');
      await rejects(client.deletefolder({ folderid: -1 }), 'folderid');
      await rejects(client.renamefolder({ folderid: 1, toname: 5 as never }), 'toname');
      await rejects(client.listfolder({ folderid: 0, bogus: 1 } as never), 'bogus');
    });

    test('the recorder does see calls that pass validation', async () => {
      const before = sent.length;
      await client.listfolder({ folderid: 0 });
      expect(sent.slice(before)).toEqual(['listfolder']);
    });
  });
});
