import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiError, ValidationError } from '@pcloudkit/core';
import { startTestEnv, transportNames, type TestEnv } from '@pcloudkit/testkit';
import { collect, FileHandle, fileops, O_APPEND, O_CREAT, O_EXCL, O_TRUNC, O_WRITE } from '../src/index.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const sha1 = (b: Uint8Array | string) => createHash('sha1').update(b).digest('hex');

async function apiError(promise: Promise<unknown>, code: number): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).result).toBe(code);
}

describe.each(transportNames)('fileops over %s', (kind) => {
  let env: TestEnv;
  let client: ReturnType<typeof makeClient>;
  const makeClient = () => env.client(kind).use(fileops);
  let folderid: number;
  let n = 0;
  const name = () => `f-${kind}-${++n}.txt`;

  beforeAll(async () => {
    env = await startTestEnv({ seed: false });
    client = makeClient();
    folderid = (await client.call<{ metadata: { folderid: number } }>('createfolder', { folderid: 0, name: 'fileops' })).metadata.folderid;
  });
  afterAll(() => env.close());

  test('the twelve methods on one connection key, with relative descriptors', async () => {
    const connectionKey = `raw-${kind}`;
    const o = { connectionKey, retries: 0 };
    const fname = name();
    const opened = await client.file_open({ flags: O_CREAT | O_WRITE, folderid, name: fname }, o);
    expect(opened.fd).toBeGreaterThan(0);
    const files = (s: string) => ({ ...o, files: [{ name: 'data', data: new TextEncoder().encode(s) }] });
    // fd -1 is the latest open on this connection
    expect(await client.file_write({ fd: -1 }, files('hello world'))).toMatchObject({ bytes: 11 });
    expect(await client.file_pwrite({ fd: opened.fd, offset: 6 }, files('WORLD'))).toMatchObject({ bytes: 5 });
    expect(await client.file_size({ fd: opened.fd }, o)).toMatchObject({ size: 11, offset: 11 });
    expect(await client.file_seek({ fd: opened.fd, offset: -5, whence: 2 }, o)).toMatchObject({ offset: 6 });
    expect(text(await collect(await client.file_read({ fd: -1, count: 100 }, o)))).toBe('WORLD');
    expect(text(await collect(await client.file_pread({ fd: opened.fd, count: 5, offset: 0 }, o)))).toBe('hello');
    // not modified: the range still has this checksum
    await apiError(client.file_pread_ifmod({ fd: opened.fd, count: 5, offset: 0, sha1: sha1('hello') }, o), 6000);
    const changed = await client.file_pread_ifmod({ fd: opened.fd, count: 5, offset: 0, sha1: sha1('other') }, o);
    expect(text(await collect(changed))).toBe('hello');
    const sum = await client.file_checksum({ fd: opened.fd, count: 11, offset: 0 }, o);
    expect(sum).toMatchObject({ sha1: sha1('hello WORLD'), size: 11 });
    await client.file_truncate({ fd: opened.fd, length: 5 }, o);
    expect((await client.file_size({ fd: opened.fd }, o)).size).toBe(5);
    expect(await client.file_lock({ fd: opened.fd, type: 2, noblock: true }, o)).toMatchObject({ locked: true });
    expect(await client.file_lock({ fd: opened.fd, type: 0 }, o)).toMatchObject({ locked: true });
    await client.file_close({ fd: opened.fd }, o);
    await apiError(client.file_size({ fd: opened.fd }, o), 1007);
    // another connection does not know the descriptor
    await apiError(client.file_size({ fd: opened.fd }, { connectionKey: `${connectionKey}-other`, retries: 0 }), 1007);
    await client.transport.release?.(connectionKey);
    await client.transport.release?.(`${connectionKey}-other`);
    const meta = await client.call<{ metadata: { size: number } }>('stat', { path: `/fileops/${fname}` });
    expect(meta.metadata.size).toBe(5);
  });

  test('bad params fail before anything is sent', async () => {
    await expect(client.file_open({ flags: 0 } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(client.file_pread({ fd: 1, count: -1, offset: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.file_seek({ fd: 1, offset: 0, whence: 3 })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.open({} as never)).rejects.toBeInstanceOf(ValidationError);
  });

  test('a handle: write, seek, read, pread, pwrite, truncate, size, checksum, lock, close', async () => {
    const released: string[] = [];
    const release = client.transport.release!.bind(client.transport);
    const spy = Object.assign(Object.create(client.transport), {
      release: (key: string) => {
        released.push(key);
        return release(key);
      },
    });
    Object.defineProperty(client, 'transport', { value: spy, configurable: true });
    const fname = name();
    const h = await client.open({ folderid, name: fname }, O_CREAT | O_EXCL | O_WRITE);
    expect(h).toBeInstanceOf(FileHandle);
    expect(await h.write('0123456789')).toBe(10);
    expect(await h.seek(-4, 'end')).toBe(6);
    expect(text(await h.read(10))).toBe('6789');
    expect(await h.seek(-2, 'current')).toBe(8);
    expect(await h.pwrite('abc', 2)).toBe(3);
    expect(text(await h.pread(5, 0))).toBe('01abc');
    expect(await h.size()).toEqual({ size: 10, offset: 8 });
    expect((await h.checksum()).sha1).toBe(sha1('01abc56789'));
    expect((await h.checksum({ offset: 2, count: 3 })).sha1).toBe(sha1('abc'));
    await h.truncate(4);
    expect((await h.size()).size).toBe(4);
    expect(await h.lock({ mode: 'shared', wait: false })).toBe(true);
    // another handle cannot take an exclusive lock while the shared one is held
    const other = await client.open({ path: `/fileops/${fname}` });
    expect(await other.lock({ wait: false })).toBe(false);
    expect(await other.lock({ test: true, mode: 'shared' })).toBe(true);
    await h.unlock();
    expect(await other.lock({ wait: false })).toBe(true);
    await other.close();
    await h.close();
    await h.close(); // twice is fine
    expect(h.closed).toBe(true);
    await expect(h.size()).rejects.toBeInstanceOf(ValidationError);
    expect(released).toEqual([other.connectionKey, h.connectionKey]);
    expect(new Set(released).size).toBe(2);
    // O_EXCL on an existing file
    await apiError(client.open({ folderid, name: fname }, O_CREAT | O_EXCL), 2004);
    Object.defineProperty(client, 'transport', { value: Object.getPrototypeOf(spy), configurable: true });
  });

  test('await using closes the handle and its connection', async () => {
    const fname = name();
    let fileid = 0;
    let handle: FileHandle | undefined;
    {
      await using h = await client.open({ path: `/fileops/${fname}` }, O_CREAT | O_WRITE);
      handle = h;
      fileid = h.fileid;
      await h.write('first ');
      expect(h.closed).toBe(false);
    }
    expect(handle.closed).toBe(true);
    {
      await using h = await client.open({ fileid }, O_WRITE | O_APPEND);
      await h.write('second');
    }
    {
      await using h = await client.open(`/fileops/${fname}`);
      expect(text(await h.read(100))).toBe('first second');
    }
    {
      await using h = await client.open({ fileid }, O_WRITE | O_TRUNC);
      expect((await h.size()).size).toBe(0);
    }
  });
});
