import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AbortError, ApiError, ValidationError, type Middleware } from '@pcloudkit/core';
import { ArchiveJobs } from '@pcloudkit/emulator';
import { startTestEnv, transportNames, type TestEnv } from '@pcloudkit/testkit';
import { download } from '@pcloudkit/transport-http';
import { archiving, jobHost, savezipprogress } from '../src/index.js';
import { zipToFile } from '../src/node.js';

const has = (cmd: string, arg: string) => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;
const python = has('python3', '--version');
const zipTool = has('zip', '-v');
if (!python) console.warn('[methods-archiving test] python3 not found: archives are not read back with Python zipfile');
if (!zipTool) console.warn('[methods-archiving test] zip not found: the encrypted-archive test is skipped');

const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');

/** Python's zipfile lists the archive: name -> sha1 of the content (directories end with '/'). */
function pythonList(file: string): Record<string, string> {
  const script = `
import zipfile, hashlib, json, sys
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps({i.filename: hashlib.sha1(z.read(i)).hexdigest() for i in z.infolist()}))`;
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' }));
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of body as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
  return Buffer.concat(chunks);
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'pcloudkit-archiving-sdk-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each(transportNames)('archiving over %s', (kind) => {
  let env: TestEnv;
  /** Method and host of every call that reached the client's middleware chain. */
  const sent: { method: string; host?: string }[] = [];
  const record: Middleware = (next) => (request) => {
    sent.push({ method: request.method, ...(request.host !== undefined ? { host: request.host } : {}) });
    return next(request);
  };
  const makeClient = () => env.client(kind, undefined, { middleware: [record] }).use(archiving);
  let client: ReturnType<typeof makeClient>;
  let tree: { folderid: number; files: Record<string, Buffer> };

  const put = async (folderid: number, name: string, data: Uint8Array) => {
    const r = await client.call<{ metadata: Array<{ fileid: number }> }>('uploadfile', { folderid }, { files: [{ name, data }] });
    return r.metadata[0]!.fileid;
  };
  const mkdir = async (path: string) => (await client.call<{ metadata: { folderid: number } }>('createfolder', { path })).metadata.folderid;

  beforeAll(async () => {
    env = await startTestEnv();
    client = makeClient();
    const folderid = await mkdir('/zip-me');
    const sub = await mkdir('/zip-me/Ünïcødé');
    const files = {
      'a.txt': Buffer.from('alpha\n'),
      'Ünïcødé/b.bin': Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 31) % 256)),
    };
    await put(folderid, 'a.txt', files['a.txt']);
    await put(sub, 'b.bin', files['Ünïcødé/b.bin']);
    tree = { folderid, files };
  });
  afterAll(() => env.close());

  const expectTree = (file: string) => {
    if (!python) return;
    const listed = pythonList(file);
    expect(listed).toMatchObject(Object.fromEntries(Object.entries(tree.files).map(([k, v]) => [k, sha1(v)])));
    expect(Object.keys(listed).sort()).toEqual(['a.txt', 'Ünïcødé/', 'Ünïcødé/b.bin']);
  };

  test('getzip answers the archive as a stream of the announced length', async () => {
    const answer = await client.getzip({ folderid: tree.folderid });
    expect(answer.body).toBeInstanceOf(ReadableStream);
    const bytes = await readAll(answer.body);
    expect(bytes.length).toBe(answer.length);
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    const file = join(work, `${kind}-getzip.zip`);
    writeFileSync(file, bytes);
    expectTree(file);
  });

  test('zipStream reports progress up to the whole length; zipToFile writes the file', async () => {
    const seen: { loaded: number; total?: number }[] = [];
    const { body, length } = await client.zipStream({ folderid: tree.folderid }, { onProgress: (p) => seen.push(p) });
    const bytes = await readAll(body);
    expect(seen.at(-1)).toEqual({ loaded: bytes.length, total: length });
    expect(seen.length).toBeGreaterThan(0);

    const file = join(work, `${kind}-tofile.zip`);
    const written = await zipToFile(client, { folderid: tree.folderid }, file);
    expect(written).toEqual({ bytes: bytes.length, path: file });
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expectTree(file);
  });

  test("via: 'link' fetches the same archive from the content servers", async () => {
    const direct = await readAll((await client.getzip({ folderid: tree.folderid })).body);
    const seen: number[] = [];
    const file = join(work, `${kind}-via-link.zip`);
    sent.length = 0;
    const written = await zipToFile(client, { folderid: tree.folderid }, file, { via: 'link', onProgress: (p) => seen.push(p.loaded) });
    expect(sent.map((s) => s.method)).toEqual(['getziplink']);
    expect(written.bytes).toBe(direct.length);
    expect(readFileSync(file).equals(direct)).toBe(true);
    expect(seen.at(-1)).toBe(direct.length);
  });

  test('zipToFile stops on abort and removes the partial file', async () => {
    const file = join(work, `${kind}-aborted.zip`);
    const ctl = new AbortController();
    const failed = await zipToFile(client, { folderid: tree.folderid }, file, {
      signal: ctl.signal,
      onProgress: () => ctl.abort(new Error('enough')),
    }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(AbortError);
    expect(existsSync(file)).toBe(false);
  });

  test('getziplink answers a content link that serves the same archive', async () => {
    const direct = await readAll((await client.getzip({ folderid: tree.folderid })).body);
    const link = await client.getziplink({ folderid: tree.folderid, filename: 'tree.zip', forcedownload: true });
    expect(link.hosts.length).toBeGreaterThan(0);
    expect(link.path).toMatch(/\/tree\.zip$/);
    expect(link.expires).toBeInstanceOf(Date);
    const got = await download(link, { scheme: 'http' });
    expect(got.contentType).toBe('application/octet-stream');
    expect(got.length).toBe(direct.length);
    expect((await readAll(got.body)).equals(direct)).toBe(true);
  });

  test('savezip stores the archive; savezipprogress reports the finished job; saveZip reports progress', async () => {
    const dest = await mkdir(`/saved-${kind}`);
    const saved = await client.savezip({ folderid: tree.folderid, tofolderid: dest, toname: 'one.zip', progresshash: `h-${kind}` });
    expect(saved.metadata).toMatchObject({ name: 'one.zip', isfolder: false, parentfolderid: dest });
    const state = await savezipprogress(client, { progresshash: `h-${kind}` });
    expect(state).toMatchObject({ files: 2, totalfiles: 2, bytes: 100_006, totalbytes: 100_006 });
    await expect(client.savezipprogress({ progresshash: 'nobody' })).rejects.toMatchObject({ result: 1901 });

    const reports: (typeof state)[] = [];
    const again = await client.saveZip(
      { folderid: tree.folderid, topath: `/saved-${kind}/two.zip` },
      { onProgress: (p) => reports.push(p) },
    );
    expect(again.metadata.name).toBe('two.zip');
    expect(again.metadata.size).toBe(saved.metadata.size);
    expect(reports.at(-1)).toEqual(state);
  });

  test('bad input is refused before anything is sent', async () => {
    sent.length = 0;
    await expect(client.savezip({ folderid: tree.folderid } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(client.extractarchive({ fileid: 1, tofolderid: 0, overwrite: 'always' as never })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.extract({ fileid: 1, tofolderid: 0 }, { pollInterval: -1 })).rejects.toBeInstanceOf(TypeError);
    expect(sent).toEqual([]);
  });

  test('extract follows a long job on the host it names, with every output line once', async () => {
    const dest = await mkdir(`/unpacked-${kind}`);
    const jobs = ArchiveJobs.of(env.emulator.core);
    jobs.waitMs = 0; // every job outlives extractarchive's own wait
    try {
      sent.length = 0;
      const progress: string[] = [];
      const done = await client.extract(
        { path: '/Documents/samples.zip', tofolderid: dest },
        { pollInterval: 5, onProgress: (p) => progress.push(...p.lines) },
      );
      expect(done.output).toContain('extracting: notes/todo.txt');
      expect(done.output).toEqual(progress);
      expect(done.lines).toBe(done.output.length);
      const first = sent.find((s) => s.method === 'extractarchive')!;
      const polls = sent.filter((s) => s.method === 'extractarchiveprogress');
      expect(polls.length).toBeGreaterThan(0);
      const hostname = (await client.call<{ hostname: string }>('currentserver')).hostname;
      for (const p of polls) expect(p.host).toBe(jobHost(client, hostname));
      expect(first.host).toBeUndefined();
    } finally {
      jobs.waitMs = 2000;
    }
    const listing = await client.call<{ metadata: { contents: { name: string }[] } }>('listfolder', { folderid: dest, recursive: 1 });
    expect(listing.metadata.contents.map((c) => c.name).sort()).toEqual(['hello.txt', 'notes']);
  });

  test('extract honours an AbortSignal while it waits', async () => {
    const dest = await mkdir(`/unpacked-abort-${kind}`);
    const jobs = ArchiveJobs.of(env.emulator.core);
    jobs.waitMs = 0;
    try {
      const ctl = new AbortController();
      const waiting = client.extract({ path: '/Documents/samples.zip', tofolderid: dest }, { pollInterval: 60_000, signal: ctl.signal });
      setTimeout(() => ctl.abort(), 50);
      await expect(waiting).rejects.toBeInstanceOf(AbortError);
    } finally {
      jobs.waitMs = 2000;
    }
  });

  test.skipIf(!zipTool)('an encrypted zip fails with 7009 without the password and unpacks with it', async () => {
    const src = mkdtempSync(join(work, 'enc-'));
    writeFileSync(join(src, 'secret.txt'), 'hidden words\n');
    const zipFile = join(src, 'enc.zip');
    execFileSync('zip', ['-q', '-j', '-P', 'pw', zipFile, join(src, 'secret.txt')]);
    const dest = await mkdir(`/enc-${kind}`);
    const fileid = await put(dest, 'enc.zip', readFileSync(zipFile));
    const error = await client.extractarchive({ fileid, tofolderid: dest }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).result).toBe(7009);
    await expect(client.extract({ fileid, tofolderid: dest, password: 'nope' })).rejects.toMatchObject({ result: 7009 });
    const done = await client.extract({ fileid, tofolderid: dest, password: 'pw' });
    expect(done.output).toContain('extracting: secret.txt');
  });
});

describe('jobHost', () => {
  test('puts the named host on the scheme and port of the client', async () => {
    const env = await startTestEnv();
    try {
      const http = env.client('http');
      const port = new URL(env.emulator.api).port;
      expect(jobHost(http, 'api7.example')).toBe(`http://api7.example:${port}`);
      expect(jobHost(http, '::1')).toBe(`http://[::1]:${port}`);
      expect(jobHost(http, 'other:8080')).toBe('other:8080');
      expect(jobHost(http, 'https://x.example')).toBe('https://x.example');
    } finally {
      await env.close();
    }
  });
});
