import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiError, ValidationError } from '@pcloudkit/core';
import { startTestEnv, transportNames, type TestEnv } from '@pcloudkit/testkit';
import { trash, trash_list, type FolderMetadata, type Metadata } from '../src/index.js';

async function apiError(promise: Promise<unknown>, code: number): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).result).toBe(code);
  return error as ApiError;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const names = (items: Metadata[]) => items.map((i) => i.name).sort();
/** Narrows a listed item to a folder (fails the test otherwise). */
const asFolder = (m: Metadata | undefined): FolderMetadata => {
  expect(m?.isfolder).toBe(true);
  return m as FolderMetadata;
};

describe.each(transportNames)('trash methods over %s', (kind) => {
  let env: TestEnv;
  let client: ReturnType<typeof makeClient>;
  const makeClient = () => env.client(kind).use(trash);

  beforeAll(async () => {
    // a small quota, so that a restore can run out of it
    env = await startTestEnv({ seed: false });
    client = makeClient();
  });
  afterAll(() => env.close());

  // Files and folders are made and deleted through raw calls, so this package stays free of the others.
  const folder = async (path: string) =>
    (await client.call<{ metadata: { folderid: number } }>('createfolder', { path })).metadata.folderid;
  const put = async (folderid: number, name: string, content: string) => {
    const r = await client.call<{ metadata: Array<{ fileid: number; size: number }> }>(
      'uploadfile',
      { folderid },
      { files: [{ name, data: bytes(content) }] },
    );
    return r.metadata[0]!;
  };
  const deleteFile = (fileid: number) => client.call('deletefile', { fileid });
  const deleteTree = (folderid: number) => client.call('deletefolderrecursive', { folderid });
  const clearAll = () => client.trash_clear({ folderid: 0 });

  test('a deleted file is listed in the Trash with its old parent, and no longer answers to its id', async () => {
    await clearAll();
    const dir = await folder(`/list-${kind}`);
    const file = await put(dir, 'gone.txt', 'bye');
    await deleteFile(file.fileid);

    const { metadata } = await client.trash_list({});
    expect(metadata).toMatchObject({ folderid: 0, name: '/', isfolder: true });
    expect(metadata.contents).toHaveLength(1);
    expect(metadata.contents[0]).toMatchObject({
      name: 'gone.txt',
      isfolder: false,
      isdeleted: true,
      parentfolderid: 0,
      origparentfolderid: dir,
    });
    // only the trash methods know it now
    await apiError(client.call('stat', { fileid: file.fileid }), 2009);
    const listed = await client.call<{ metadata: { contents: Metadata[] } }>('listfolder', { folderid: dir });
    expect(listed.metadata.contents).toEqual([]);
  });

  test('a deleted folder keeps its deleted contents; recursive and nofiles shape the listing', async () => {
    await clearAll();
    const top = await folder(`/tree-${kind}`);
    const sub = await folder(`/tree-${kind}/sub`);
    await put(top, 'a.txt', 'a');
    await put(sub, 'b.txt', 'b');
    await deleteTree(top);

    const root = await trash_list(client, {});
    expect(names(root.metadata.contents)).toEqual([`tree-${kind}`]);
    const shown = asFolder(root.metadata.contents[0]);
    expect(shown).toMatchObject({ isfolder: true, isdeleted: true, parentfolderid: 0, origparentfolderid: 0 });
    expect(shown.contents).toBeUndefined();

    const deep = await client.trash_list({ recursive: true });
    const tree = asFolder(deep.metadata.contents[0]);
    expect(names(tree.contents!)).toEqual(['a.txt', 'sub']);
    const subShown = asFolder(tree.contents!.find((i) => i.name === 'sub'));
    expect(subShown).toMatchObject({ parentfolderid: top, origparentfolderid: top });
    expect(names(subShown.contents!)).toEqual(['b.txt']);

    const inside = await client.trash_list({ folderid: top, nofiles: true });
    expect(inside.metadata).toMatchObject({ folderid: top, isdeleted: true });
    expect(names(inside.metadata.contents)).toEqual(['sub']);
    // a live folder is not a Trash folder
    await apiError(client.trash_list({ folderid: await folder(`/live-${kind}`) }), 2005);
  });

  test('trash_restorepath tells where an item goes back, walking up past deleted parents', async () => {
    await clearAll();
    const keep = await folder(`/keep-${kind}`);
    const doomed = await folder(`/keep-${kind}/doomed`);
    const file = await put(doomed, 'inner.txt', 'x');
    await deleteFile(file.fileid);
    const other = await put(keep, 'sibling.txt', 'y');
    await deleteFile(other.fileid);

    const near = await client.trash_restorepath({ fileid: other.fileid });
    expect(near.destination).toMatchObject({ folderid: keep, name: `keep-${kind}` });
    expect(near.metadata).toMatchObject({ fileid: other.fileid, name: 'sibling.txt', parentfolderid: keep });
    expect(near.metadata.isdeleted).toBeUndefined();

    await deleteTree(doomed);
    const far = await client.trash_restorepath({ fileid: file.fileid });
    expect(far.destination.folderid).toBe(keep);
    const folderPath = await client.trash_restorepath({ folderid: doomed });
    expect(folderPath.destination.folderid).toBe(keep);
    // nothing moved
    expect((await client.trash_list({})).metadata.contents.map((i) => i.name).sort()).toEqual(['doomed', 'sibling.txt']);
    await apiError(client.trash_restorepath({ fileid: 987654321 }), 2009);
  });

  test('trash_restore puts items back in their old place or into restoreto', async () => {
    await clearAll();
    const home = await folder(`/home-${kind}`);
    const file = await put(home, 'back.txt', 'content');
    await deleteFile(file.fileid);
    const restored = await client.trash_restore({ fileid: file.fileid });
    expect(restored.metadata).toMatchObject({ fileid: file.fileid, name: 'back.txt', parentfolderid: home });
    expect(restored.metadata.isdeleted).toBeUndefined();
    expect((await client.call<{ metadata: { name: string } }>('stat', { fileid: file.fileid })).metadata.name).toBe('back.txt');

    // a folder comes back with its contents; `metadata` asks for them in the answer
    const box = await folder(`/home-${kind}/box`);
    await put(box, 'in-box.txt', 'z');
    await deleteTree(box);
    const elsewhere = await folder(`/elsewhere-${kind}`);
    const moved = await client.trash_restore({ folderid: box, restoreto: elsewhere, metadata: true });
    expect(moved.metadata).toMatchObject({ folderid: box, parentfolderid: elsewhere });
    expect(moved.metadata.isfolder && names(moved.metadata.contents ?? [])).toEqual(['in-box.txt']);
    expect((await client.trash_list({})).metadata.contents).toEqual([]);

    // a name taken in the meantime is kept: the restored file gets a free one
    const again = await put(home, 'twin.txt', 'one');
    await deleteFile(again.fileid);
    await put(home, 'twin.txt', 'two');
    const twin = await client.trash_restore({ fileid: again.fileid });
    expect(twin.metadata.name).toBe('twin (2).txt');

    await apiError(client.trash_restore({ fileid: file.fileid }), 2009); // not in the Trash any more
    const gone = await put(home, 'x.txt', 'x');
    await deleteFile(gone.fileid);
    await apiError(client.trash_restore({ fileid: gone.fileid, restoreto: 987654321 }), 1054);
  });

  test('folderid 0 restores the whole Trash, each item to its place', async () => {
    await clearAll();
    const a = await folder(`/all-a-${kind}`);
    const b = await folder(`/all-b-${kind}`);
    const fa = await put(a, 'fa.txt', '1');
    const fb = await put(b, 'fb.txt', '2');
    await deleteFile(fa.fileid);
    await deleteFile(fb.fileid);
    const r = await client.trash_restore({ folderid: 0 });
    expect(asFolder(r.metadata).folderid).toBe(0);
    expect(r.restored!.map((m) => [m.name, m.parentfolderid]).sort((x, y) => String(x[0]).localeCompare(String(y[0])))).toEqual([
      ['fa.txt', a],
      ['fb.txt', b],
    ]);
    expect((await client.trash_list({})).metadata.contents).toEqual([]);
  });

  test('trash_clear removes one item or everything for good', async () => {
    await clearAll();
    const dir = await folder(`/clear-${kind}`);
    const one = await put(dir, 'one.txt', '1');
    const two = await put(dir, 'two.txt', '2');
    await deleteFile(one.fileid);
    await deleteFile(two.fileid);
    expect(await client.trash_clear({ fileid: one.fileid })).toMatchObject({ result: 0 });
    expect(names((await client.trash_list({})).metadata.contents)).toEqual(['two.txt']);
    await apiError(client.trash_restore({ fileid: one.fileid }), 2009);
    await apiError(client.trash_clear({ fileid: one.fileid }), 2009);
    await client.trash_clear({ folderid: 0 });
    expect((await client.trash_list({})).metadata.contents).toEqual([]);
    await apiError(client.trash_clear({ folderid: 987654321 }), 2005);
  });

  test('bad input is refused before anything is sent', async () => {
    // @ts-expect-error one of fileid/folderid is needed
    await expect(client.trash_restore({})).rejects.toBeInstanceOf(ValidationError);
    // @ts-expect-error not both
    await expect(client.trash_clear({ fileid: 1, folderid: 2 })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.trash_list({ folderid: -1 })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe.each(transportNames)('trash quota over %s', (kind) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestEnv({ seed: false });
  });
  afterAll(() => env.close());

  test('restoring the whole Trash stops at the quota (2008), keeping what was restored', async () => {
    // 10 bytes of quota: two 6-byte files cannot both be live
    const user = await env.emulator.createUser({ username: `quota-${kind}@example.test`, password: 'pw', quota: 10 });
    const client = env.client(kind, { authToken: user.auth }).use(trash);
    const upload = async (name: string) => {
      const r = await client.call<{ metadata: Array<{ fileid: number }> }>(
        'uploadfile',
        { folderid: 0 },
        { files: [{ name, data: bytes('123456') }] },
      );
      await client.call('deletefile', { fileid: r.metadata[0]!.fileid });
      return r.metadata[0]!.fileid;
    };
    const first = await upload('a.txt');
    const second = await upload('b.txt');
    await apiError(client.trash_restore({ folderid: 0 }), 2008);
    const left = await client.trash_list({});
    expect(left.metadata.contents.map((i) => i.name)).toEqual(['b.txt']);
    expect((await client.call<{ metadata: { name: string } }>('stat', { fileid: first })).metadata.name).toBe('a.txt');
    await apiError(client.trash_restore({ fileid: second }), 2008);
  });
});
