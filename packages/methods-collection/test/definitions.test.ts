// Catalogue facts (names, groups, login, params, one-of sets) are checked for
// every method package by packages/catalog/test/sdk-definitions.test.ts; this
// file keeps the SDK's own choices and the answer normalisation, driven by
// answers in the shapes pCloud's docs show that the emulator does not send.
import { ProtocolError, createClient, memoryTransport, type TransportRequest } from '@pcloudkit/core';
import { describe, expect, test } from 'vitest';
import * as pkg from '../src/index.js';

describe('collection definitions', () => {
  test('only the two reads are safe to repeat', () => {
    expect(pkg.definitions.filter((d) => d.idempotent).map((d) => d.name)).toEqual(['collection_details', 'collection_list']);
  });

  test('documented switches are flag params, id lists are int lists', () => {
    const types = (m: (typeof pkg.definitions)[number]) => Object.fromEntries(m.paramList.map((p) => [p.name, p.type]));
    expect(types(pkg.collection_list)).toMatchObject({ showfiles: 'flag', type: 'int' });
    expect(types(pkg.collection_linkfiles)).toMatchObject({ noitems: 'flag', fileids: 'int-list' });
    expect(types(pkg.collection_unlinkfiles)).toMatchObject({ all: 'flag', positions: 'int-list', fileids: 'int-list' });
  });
});

const collectionObject = {
  id: 40,
  name: 'my music',
  type: 'audio',
  system: false,
  ismine: true,
  items: 0,
  created: 'Thu, 13 Feb 2014 12:34:22 +0000',
  modified: 'Mon, 17 Feb 2014 11:25:55 +0000',
  contents: [],
};

/** A client whose server answers every call with `body` (plus result 0). */
function answering(body: Record<string, unknown>) {
  const transport = memoryTransport({ answer: (_r: TransportRequest) => ({ result: 0, ...body }) });
  return createClient({ transport, auth: { accessToken: 'x' }, retries: 0 }).use(pkg.collection);
}

describe('client.collections: one shape whatever the server sends', () => {
  test('a one-element array and an object give the same collection', async () => {
    const fromArray = await answering({ collection: [collectionObject] }).collections.rename({ collectionid: 40, name: 'my music' });
    const fromObject = await answering({ collection: collectionObject }).collections.rename({ collectionid: 40, name: 'my music' });
    expect(fromArray).toEqual(fromObject);
    expect(fromArray).toMatchObject({ id: 40, name: 'my music', items: 0 });
    expect(fromArray.created).toBeInstanceOf(Date);
    // the raw method keeps what was sent
    const raw = await answering({ collection: [collectionObject] }).collection_unlinkfiles({ collectionid: 40, all: true });
    expect(Array.isArray(raw.collection)).toBe(true);
    expect(await answering({ collection: [collectionObject] }).collections.unlinkFiles({ collectionid: 40, all: true })).toEqual(
      fromObject,
    );
  });

  test('linkresult false becomes [], string file ids become numbers', async () => {
    const failed = await answering({ collection: [collectionObject], linkresult: false }).collections.create({ name: 'x', fileids: [1] });
    expect(failed.linkresult).toEqual([]);
    expect(failed.collection.id).toBe(40);
    const linked = await answering({
      collection: collectionObject,
      linkresult: [
        { fileid: '599457', result: 0 },
        { fileid: '123', result: 2009, message: 'File not found.' },
      ],
    }).collections.linkFiles({ collectionid: 40, fileids: [599457, 123] });
    expect(linked.linkresult).toEqual([
      { fileid: 599457, result: 0 },
      { fileid: 123, result: 2009, message: 'File not found.' },
    ]);
  });

  test('other shapes are a ProtocolError, not a wrong value', async () => {
    const twoItems = answering({ collection: [collectionObject, collectionObject] }).collections.details({ collectionid: 40 });
    await expect(twoItems).rejects.toBeInstanceOf(ProtocolError);
    await expect(twoItems).rejects.toThrow(/collection_details: expected one collection object/);
    await expect(answering({}).collections.details({ collectionid: 40 })).rejects.toBeInstanceOf(ProtocolError);
    await expect(
      answering({ collection: collectionObject, linkresult: [{ result: 0 }] }).collections.linkFiles({ collectionid: 40, fileids: [1] }),
    ).rejects.toThrow(/linkresult entry has no numeric fileid/);
    await expect(answering({ collection: collectionObject, linkresult: 'yes' }).collections.create({ name: 'y' })).rejects.toBeInstanceOf(
      ProtocolError,
    );
    await expect(answering({ collections: {} }).collections.list()).rejects.toBeInstanceOf(ProtocolError);
  });
});
