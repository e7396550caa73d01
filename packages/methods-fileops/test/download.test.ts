// downloadToFile (from @pcloudkit/transport-http's downloads plugin) against the emulator's content
// servers while they cut answers: the file is finished with Range requests and checked with checksumfile.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { IntegrityError } from '@pcloudkit/core';
import { startTestEnv, transportNames, type TestEnv } from '@pcloudkit/testkit';
import { downloads } from '@pcloudkit/transport-http';
import { fileops } from '../src/node.js';

const SIZE = 2 * 1024 * 1024 + 777;
const data = randomBytes(SIZE);

describe.each(transportNames)('downloadToFile with drops, link from %s', (kind) => {
  let env: TestEnv;
  let client: ReturnType<typeof makeClient>;
  let dir: string;
  let fileid: number;
  const makeClient = () => env.client(kind).use(fileops).use(downloads);
  let n = 0;
  const out = () => join(dir, `out-${++n}.bin`);

  beforeAll(async () => {
    env = await startTestEnv({ seed: false });
    client = makeClient();
    dir = await mkdtemp(join(tmpdir(), 'pck-dl-'));
    const up = await client.uploadLarge(new Blob([data]), { path: `/dl-${kind}.bin` }, { chunkSize: 512 * 1024 });
    fileid = up.metadata.fileid;
  });
  afterEach(() => env.emulator.faults.clear());
  afterAll(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('five cuts at random points: the rest comes with Range, the bytes are identical and checked', async () => {
    let cuts = 0;
    env.emulator.faults.dropAfterBytes(
      'content',
      () => {
        cuts++;
        return 10_000 + Math.floor(Math.random() * 300_000);
      },
      { times: 5 },
    );
    const link = await client.call<{ hosts: string[]; path: string }>('getfilelink', { fileid });
    const path = out();
    const done = await client.downloadToFile(link, path, { retryDelay: 1, verify: { fileid } });
    expect(cuts).toBe(5);
    expect(done.resumes).toBe(5);
    expect(done.bytes).toBe(SIZE);
    expect(done.checksums?.sha1).toBe(createHash('sha1').update(data).digest('hex'));
    expect(Buffer.compare(await readFile(path), data)).toBe(0);
  });

  test('parallel ranges with cuts give the same bytes', async () => {
    env.emulator.faults.dropAfterBytes('content', () => 50_000 + Math.floor(Math.random() * 100_000), { times: 6 });
    const link = await client.call<{ hosts: string[]; path: string }>('getfilelink', { fileid });
    const path = out();
    const done = await client.downloadToFile(link, path, { retryDelay: 1, parallel: 4, partSize: 256 * 1024, verify: { fileid } });
    expect(done.resumes).toBe(6);
    expect(Buffer.compare(await readFile(path), data)).toBe(0);
  });

  test('when the checksum is not the file the server has, the file is removed', async () => {
    const link = await client.call<{ hosts: string[]; path: string }>('getfilelink', { fileid });
    const other = await client.uploadLarge(new Blob([data.subarray(1)]), { path: `/other-${kind}.bin` });
    const path = out();
    const error = await client.downloadToFile(link, path, { verify: { fileid: other.metadata.fileid } }).catch((e) => e);
    expect(error).toBeInstanceOf(IntegrityError);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });
});
