import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiError, ValidationError, type Middleware } from '@pcloudkit/core';
import { makeWav } from '@pcloudkit/emulator';
import { startTestEnv, transportNames, type TestEnv } from '@pcloudkit/testkit';
import { collection, collection_details, type Collection } from '../src/index.js';

/** Awaits `promise`, expecting an ApiError with the given code. */
async function apiError(promise: Promise<unknown>, code: number): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).result).toBe(code);
  return error as ApiError;
}

describe.each(transportNames)('collection methods over %s', (kind) => {
  let env: TestEnv;
  let client: ReturnType<typeof makeClient>;
  const sent: string[] = [];
  const record: Middleware = (next) => (request) => {
    sent.push(request.method);
    return next(request);
  };
  const makeClient = () => env.client(kind, undefined, { middleware: [record] }).use(collection);
  let folderid: number;
  let n = 0;

  beforeAll(async () => {
    env = await startTestEnv();
    client = makeClient();
    const r = await client.call<{ metadata: { folderid: number } }>('createfolder', { folderid: 0, name: 'songs' });
    folderid = r.metadata.folderid;
  });
  afterAll(() => env.close());

  /** Uploads a short WAV through a raw call (this package stays free of methods-file). */
  const song = async () => {
    const r = await client.call<{ metadata: Array<{ fileid: number }> }>(
      'uploadfile',
      { folderid },
      { files: [{ name: `song-${++n}.wav`, data: makeWav({ seconds: 0.1 }) }] },
    );
    return r.metadata[0]!.fileid;
  };
  const order = (c: Collection) => c.contents.map((i) => [i.position, i.fileid]);

  test('collection_list makes the system collections, which cannot be deleted or renamed', async () => {
    const { collections } = await client.collection_list();
    const system = collections.filter((c) => c.system);
    expect(system.length).toBeGreaterThan(0);
    const first = system[0]!;
    expect(first).toMatchObject({ ismine: true, type: 'audio', contents: [] });
    expect(first.created).toBeInstanceOf(Date);
    await apiError(client.collection_delete({ collectionid: first.id }), 2065);
    await apiError(client.collection_rename({ collectionid: first.id, name: 'mine now' }), 2065);
    // the seeded demo account has a playlist too
    expect(collections.some((c) => c.name === 'Demo playlist' && c.items === 1 && !c.system)).toBe(true);
    // a second call adds nothing
    expect((await client.collections.list()).length).toBe(collections.length);
  });

  test('collection_create: typed answer, unique names (2073), bad type (1058), initial files with per-file results', async () => {
    const [a, b] = [await song(), await song()];
    const made = await client.collection_create({ name: 'road trip', fileids: [a, 987654321, b] });
    const playlist = Array.isArray(made.collection) ? made.collection[0]! : made.collection;
    expect(playlist).toMatchObject({ name: 'road trip', type: 'audio', system: false, items: 2 });
    expect(order(playlist)).toEqual([
      [1, a],
      [2, b],
    ]);
    expect(playlist.contents[0]!.added).toBeInstanceOf(Date);
    expect(typeof playlist.contents[0]!.hash).toBe('bigint');
    expect(made.linkresult).toHaveLength(3);

    const err = await apiError(client.collection_create({ name: 'road trip' }), 2073);
    expect(err.errorClass).toBeDefined();
    await apiError(client.collection_create({ name: 'bad type', type: 7 }), 1058);

    const generic = await client.collections.create({ name: 'anything', type: 0 });
    expect(generic.collection.type).toBe('generic');
    expect(generic.linkresult).toEqual([]);
    const withFiles = await client.collections.create({ name: 'helper made', fileids: [a, 987654321] });
    expect(withFiles.linkresult.map((r) => [r.fileid, r.result])).toEqual([
      [a, 0],
      [987654321, 2009],
    ]);
    expect(withFiles.linkresult[1]!.message).toBe('File not found.');
    expect(withFiles.linkresult[0]!.metadata).toMatchObject({ fileid: a, position: 1 });
  });

  test('collection_linkfiles appends in order, keeps one copy of a file, reports per file; noitems', async () => {
    const [a, b, c] = [await song(), await song(), await song()];
    const { collection: list } = await client.collections.create({ name: 'link', fileids: [a] });
    const r = await client.collections.linkFiles({ collectionid: list.id, fileids: [c, 987654321, b, a] });
    expect(r.linkresult.map((x) => [x.fileid, x.result])).toEqual([
      [c, 0],
      [987654321, 2009],
      [b, 0],
      [a, 0],
    ]);
    expect(r.linkresult[0]!.metadata).toMatchObject({ fileid: c, position: 2 });
    expect(r.linkresult[3]!.metadata).toMatchObject({ fileid: a, position: 1 });
    expect(order(r.collection)).toEqual([
      [1, a],
      [2, c],
      [3, b],
    ]);
    const raw = await client.collection_linkfiles({ collectionid: list.id, fileids: [a], noitems: true });
    expect(raw.linkresult).toEqual([]);
    await apiError(client.collection_linkfiles({ collectionid: 987654321, fileids: [a] }), 2065);
  });

  test('collection_details: all items, pages, 2065; deleted files are pruned', async () => {
    const ids = [await song(), await song(), await song(), await song(), await song()];
    const { collection: list } = await client.collections.create({ name: 'paged', fileids: ids });
    const all = await client.collections.details({ collectionid: list.id });
    expect(all.items).toBe(5);
    expect(all.contents.map((i) => i.fileid)).toEqual(ids);

    const page2 = await collection_details(client, { collectionid: list.id, page: 2, pagesize: 2 });
    const p2 = Array.isArray(page2.collection) ? page2.collection[0]! : page2.collection;
    expect(p2).toMatchObject({ page: 2, pagesize: 2, items: 5 });
    expect(order(p2)).toEqual([
      [3, ids[2]],
      [4, ids[3]],
    ]);
    const last = await client.collections.details({ collectionid: list.id, page: 3, pagesize: 2 });
    expect(last.contents.map((i) => i.fileid)).toEqual([ids[4]]);

    await client.call('deletefile', { fileid: ids[1]! });
    const pruned = await client.collections.details({ collectionid: list.id });
    expect(pruned.items).toBe(4);
    expect(order(pruned)).toEqual([
      [1, ids[0]],
      [2, ids[2]],
      [3, ids[3]],
      [4, ids[4]],
    ]);
    const listed = (await client.collections.list()).find((c) => c.id === list.id)!;
    expect(listed.items).toBe(4);
    await apiError(client.collections.details({ collectionid: 987654321 }), 2065);
  });

  test('collection_list: type filter, showfiles with pagesize', async () => {
    const ids = [await song(), await song(), await song()];
    const { collection: list } = await client.collections.create({ name: 'shown', fileids: ids });
    await client.collections.create({ name: 'generic one', type: 0 });
    const audio = await client.collection_list({ type: 1, showfiles: true, pagesize: 2 });
    expect(audio.collections.every((c) => c.type === 'audio')).toBe(true);
    const mine = audio.collections.find((c) => c.id === list.id)!;
    expect(mine.items).toBe(3);
    expect(mine.contents.map((i) => i.fileid)).toEqual(ids.slice(0, 2));
    const generic = await client.collection_list({ type: 0 });
    expect(generic.collections.map((c) => c.name)).toContain('generic one');
    expect(generic.collections.every((c) => c.type === 'generic')).toBe(true);
  });

  test('collection_rename and collection_delete', async () => {
    const { collection: list } = await client.collections.create({ name: 'old name' });
    await client.collections.create({ name: 'taken' });
    const renamed = await client.collections.rename({ collectionid: list.id, name: 'new name' });
    expect(renamed).toMatchObject({ id: list.id, name: 'new name' });
    await apiError(client.collection_rename({ collectionid: list.id, name: 'taken' }), 2073);
    await expect(client.collection_delete({ collectionid: list.id })).resolves.toBeDefined();
    await apiError(client.collection_delete({ collectionid: list.id }), 2065);
    await apiError(client.collections.rename({ collectionid: list.id, name: 'x' }), 2065);
    // the name is free again
    await client.collections.create({ name: 'new name' });
  });

  test('collection_unlinkfiles by positions, by file ids, all; positions close up', async () => {
    const ids = [await song(), await song(), await song(), await song()];
    const { collection: list } = await client.collections.create({ name: 'unlink', fileids: ids });
    const byPos = await client.collections.unlinkFiles({ collectionid: list.id, positions: [1, 3] });
    expect(order(byPos)).toEqual([
      [1, ids[1]],
      [2, ids[3]],
    ]);
    const byId = await client.collection_unlinkfiles({ collectionid: list.id, fileids: [ids[3]!] });
    const left = Array.isArray(byId.collection) ? byId.collection[0]! : byId.collection;
    expect(order(left)).toEqual([[1, ids[1]]]);
    const none = await client.collections.unlinkFiles({ collectionid: list.id, all: true });
    expect(none).toMatchObject({ items: 0, contents: [] });
    await apiError(client.collections.unlinkFiles({ collectionid: 987654321, all: true }), 2065);
  });

  test('collection_move by position and by file id; 2066 out of range', async () => {
    const [a, b, c] = [await song(), await song(), await song()];
    const { collection: list } = await client.collections.create({ name: 'move', fileids: [a, b, c] });
    await expect(client.collection_move({ collectionid: list.id, item: 3, position: 1 })).resolves.toBeDefined();
    expect((await client.collections.details({ collectionid: list.id })).contents.map((i) => i.fileid)).toEqual([c, a, b]);
    await client.collections.move({ collectionid: list.id, fileid: c, position: 3 });
    expect((await client.collections.details({ collectionid: list.id })).contents.map((i) => i.fileid)).toEqual([a, b, c]);
    await apiError(client.collection_move({ collectionid: list.id, item: 4, position: 1 }), 2066);
    await apiError(client.collection_move({ collectionid: list.id, item: 1, position: 9 }), 2066);
    await apiError(client.collection_move({ collectionid: list.id, fileid: 987654321, position: 1 }), 2066);
    await apiError(client.collection_move({ collectionid: 987654321, item: 1, position: 1 }), 2065);
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

    test('required params, one-of sets and types', async () => {
      await rejects(client.collection_details({} as never), 'collectionid');
      await rejects(client.collection_create({} as never), 'name');
      await rejects(client.collection_linkfiles({ collectionid: 1 } as never), 'fileids');
      await rejects(client.collection_unlinkfiles({ collectionid: 1 } as never), 'all|positions|fileids');
      await rejects(client.collection_unlinkfiles({ collectionid: 1, all: true, positions: [1] } as never), 'all|positions');
      await rejects(client.collection_move({ collectionid: 1, position: 1 } as never), 'item|fileid');
      await rejects(client.collection_move({ collectionid: 1, item: 1 } as never), 'position');
      await rejects(client.collection_move({ collectionid: 1, item: 0, position: 1 }), 'item');
      await rejects(client.collection_details({ collectionid: 'abc' }), 'collectionid');
      await rejects(client.collection_linkfiles({ collectionid: 1, fileids: ['x'] }), 'fileids');
      await rejects(client.collections.details({ collectionid: -1 }), 'collectionid');
    });
  });
});
