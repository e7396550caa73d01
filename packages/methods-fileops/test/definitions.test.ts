// Catalogue facts (names, groups, params, traits) are checked for every method package by
// packages/catalog/test/sdk-definitions.test.ts; this file keeps the SDK's own choices.
import { createClient, memoryTransport, type TransportRequest, ValidationError } from '@pcloudkit/core';
import { describe, expect, test } from 'vitest';
import * as pkg from '../src/index.js';

describe('fileops definitions', () => {
  test('the open flags are pCloud numbers', () => {
    expect([pkg.O_WRITE, pkg.O_CREAT, pkg.O_EXCL, pkg.O_TRUNC, pkg.O_APPEND]).toEqual([0x2, 0x40, 0x80, 0x200, 0x400]);
  });

  test('every method is connection-bound and none is retried as idempotent', () => {
    expect(pkg.definitions).toHaveLength(12);
    expect(pkg.definitions.every((d) => d.connectionBound === true && !d.idempotent)).toBe(true);
    expect(pkg.definitions.filter((d) => d.payloadUpload).map((d) => d.name)).toEqual(['file_pwrite', 'file_write']);
  });

  test('connection keys are unique', () => {
    const keys = new Set(Array.from({ length: 100 }, () => pkg.uniqueConnectionKey()));
    expect(keys.size).toBe(100);
  });
});

describe('FileHandle', () => {
  function recording() {
    let fd = 0;
    const transport = memoryTransport({
      answer: (r: TransportRequest) => (r.method === 'file_open' ? { result: 0, fd: ++fd, fileid: 77 } : { result: 0, size: 3, offset: 0 }),
    });
    const client = createClient({ transport, region: { api: ['http://a.example', 'http://b.example'] }, retries: 2 }).use(pkg.fileops);
    return { client, transport };
  }

  test('every call of a handle goes to one host on one connection key, without retries; two handles use two keys', async () => {
    const { client, transport } = recording();
    const one = await client.open('/x', pkg.O_WRITE);
    const two = await client.open({ fileid: 5 });
    await one.size();
    await one.seek(-1, 'end');
    await two.size();
    await one.close();
    const byKey = (h: pkg.FileHandle) => transport.requests.filter((r) => r.connectionKey === h.connectionKey);
    expect(byKey(one).map((r) => r.method)).toEqual(['file_open', 'file_size', 'file_seek', 'file_close']);
    expect(byKey(two).map((r) => r.method)).toEqual(['file_open', 'file_size']);
    expect(new Set(transport.requests.map((r) => r.host))).toEqual(new Set(['http://a.example']));
    expect(transport.requests.find((r) => r.method === 'file_seek')!.params).toMatchObject({ fd: 1, offset: -1, whence: 2 });
    expect(one.connectionKey).not.toBe(two.connectionKey);
  });

  test('bad arguments fail before anything is sent', async () => {
    const { client, transport } = recording();
    const h = await client.open('/x');
    const before = transport.requests.length;
    await expect(h.seek(0, 'middle' as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(h.write(42 as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(h.lock({ mode: 'both' as never })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.uploadLarge(new Uint8Array(1), { name: 'x' } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(client.uploadLarge(new Uint8Array(1), { path: 'relative' })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.uploadLarge({ path: '/tmp/x' }, { path: '/x' })).rejects.toThrow(/Node entry/);
    expect(transport.requests.length).toBe(before);
  });
});
