/**
 * The emulator proven by pCloud's own JavaScript SDK (`pcloud-sdk-js` from
 * npm), used unchanged.
 *
 * How it is pointed at the emulator, without touching the library:
 * - Every request the SDK makes goes through `ApiMethod(method, options)`,
 *   whose documented options include `apiServer` and `apiProtocol`
 *   (docs/api.md, `ApiMethodOptions`). The high-level helpers
 *   (`client.listfolder`, `client.upload`, ...) call the public `client.api`
 *   property of the client object; we wrap that property so every call also
 *   carries `apiServer: '127.0.0.1:PORT'` and the emulator's protocol.
 *   The library's files are not modified.
 * - `ApiMethod` reads a free global `locationid` (its browser examples
 *   declare it as a page global): 1 and 2 map to api/eapi.pcloud.com, any
 *   other value falls back to `apiServer`; when the global does not exist at
 *   all the SDK throws a ReferenceError under Node. We define it as 0 for the
 *   duration of this file and remove it afterwards.
 * - `getfilelink` always builds an `https://` URL from the returned hosts, so
 *   the emulator runs with `tls: true` (API and content servers). The SDK's
 *   HTTP library (superagent 5) passes `agent: false` and no `ca` on every
 *   request and takes `rejectUnauthorized` from NODE_TLS_REJECT_UNAUTHORIZED,
 *   and the SDK exposes no TLS option; so that variable is set to '0' for the
 *   duration of this file only (restored in afterAll). Vitest runs each test
 *   file in its own worker process, so nothing outside this file is affected.
 *   Our own checks trust exactly the emulator's certificate through a private
 *   undici dispatcher, with verification on.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import pcloudSdk from 'pcloud-sdk-js';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/index.js';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
// The SDK's typings declare most results as `Object` or `boolean` while the
// wire answers carry pCloud metadata; this is the slice of the client the
// test drives, with the answers read as loose records.
type Meta = Record<string, any>;
type ApiOptions = Parameters<ReturnType<typeof pcloudSdk.createClient>['api']>[1];
interface SdkClient {
  api(method: string, options?: ApiOptions): Promise<Meta>;
  listfolder(folderid: number): Promise<Meta>;
  createfolder(name: string, parentfolderid: number): Promise<Meta>;
  upload(
    file: string,
    folderid: number,
    options?: { onProgress?: (p: { loaded: number; total: number }) => void },
  ): Promise<{ metadata: Meta; checksums: Record<string, string> }>;
  getfilelink(fileid: number): Promise<string>;
  downloadfile(fileid: number, filename: string): Promise<{ size: number; path: string }>;
  renamefile(fileid: number, toname: string): Promise<Meta>;
  deletefile(fileid: number): Promise<boolean>;
}

const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const g = globalThis as Record<string, unknown>;

describe('pcloud-sdk-js against the emulator', () => {
  let emu: Emulator;
  let client: SdkClient;
  let work: string;
  let trusted: Agent;
  const savedTlsEnv = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  const hadLocationId = 'locationid' in g;
  const savedLocationId = g.locationid;

  let folderid = 0;
  let fileid = 0;
  let localPath = '';
  let bytes: Buffer;
  const folderName = `sdkjs-${Date.now().toString(36)}`;

  async function api(method: string, params: Record<string, string | number> = {}) {
    const url = new URL(`${emu.api}/${method}`);
    url.searchParams.set('access_token', emu.access_token);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
    const res = await fetch(url, { dispatcher: trusted } as RequestInit);
    return (await res.json()) as Record<string, any>;
  }

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, tls: true });
    // trust exactly the emulator's self-signed certificate, verification stays on
    trusted = new Agent({ connect: { ca: emu.certificate } });
    const apiUrl = new URL(emu.api);
    // superagent (the SDK's HTTP library) reads rejectUnauthorized from this
    // variable on every request; see the header comment
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    g.locationid = 0;

    client = pcloudSdk.createClient(emu.access_token) as unknown as SdkClient;
    const original = client.api.bind(client);
    client.api = (method, options = {}) =>
      original(method, {
        apiServer: apiUrl.host,
        apiProtocol: apiUrl.protocol.replace(':', ''),
        ...options,
      });

    work = await mkdtemp(join(tmpdir(), 'pcloudkit-sdkjs-'));
    bytes = Buffer.concat([randomBytes(150_000), Buffer.from([0, 255, 13, 10, 0])]);
    localPath = join(work, 'payload.bin');
    await writeFile(localPath, bytes);
  });

  afterAll(async () => {
    await emu?.stop();
    await trusted?.close();
    if (savedTlsEnv === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = savedTlsEnv;
    if (hadLocationId) g.locationid = savedLocationId;
    else delete g.locationid;
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('listfolder(0): returns the root folder metadata', async () => {
    const root = await client.listfolder(0);
    expect(root.folderid).toBe(0);
    expect(root.isfolder).toBe(true);
    expect(root.name).toBe('/');
    expect(Array.isArray(root.contents)).toBe(true);
    const viaApi = await api('listfolder', { folderid: 0 });
    expect(root.contents.map((e: any) => e.name).sort()).toEqual((viaApi.metadata.contents as any[]).map((e) => e.name).sort());
  });

  it('createfolder: creates a folder under the root', async () => {
    const meta = await client.createfolder(folderName, 0);
    expect(meta.name).toBe(folderName);
    expect(meta.isfolder).toBe(true);
    expect(meta.parentfolderid).toBe(0);
    expect(typeof meta.folderid).toBe('number');
    expect(meta.folderid).toBeGreaterThan(0);
    folderid = meta.folderid;
    const root = await client.listfolder(0);
    expect(root.contents.some((e: any) => e.folderid === folderid && e.name === folderName)).toBe(true);
    const inside = await client.listfolder(folderid);
    expect(inside.contents).toEqual([]);
  });

  it('createfolder: an existing name is reported with the pCloud error code', async () => {
    await expect(client.createfolder(folderName, 0)).rejects.toMatchObject({ result: 2004 });
  });

  it('upload: sends a real local file (multipart POST) and gets metadata and checksums', async () => {
    let progressed = 0;
    const res = await client.upload(localPath, folderid, {
      onProgress: (p: { loaded: number }) => {
        progressed = Math.max(progressed, p.loaded);
      },
    });
    expect(res.metadata.name).toBe(basename(localPath));
    expect(res.metadata.size).toBe(bytes.length);
    expect(res.metadata.parentfolderid).toBe(folderid);
    expect(res.metadata.isfolder).toBe(false);
    expect(typeof res.metadata.fileid).toBe('number');
    fileid = res.metadata.fileid;
    expect(res.checksums.sha1).toBe(sha1(bytes));
    // pCloud's US servers add MD5, the EU servers SHA-256: never both.
    if ('md5' in res.checksums) expect(res.checksums.md5).toBe(md5(bytes));
    if ('sha256' in res.checksums) expect(res.checksums.sha256).toBe(sha256(bytes));
    expect(Object.keys(res.checksums).sort(), 'checksums: sha1 plus exactly one of md5 (US) / sha256 (EU)').toSatisfy((keys: string[]) =>
      ['md5,sha1', 'sha1,sha256'].includes(keys.join()),
    );
    expect(progressed).toBeGreaterThanOrEqual(bytes.length);
    const inside = await client.listfolder(folderid);
    expect(inside.contents.map((e: any) => [e.name, e.size])).toEqual([[basename(localPath), bytes.length]]);
  });

  it('getfilelink: the https link serves exactly the uploaded bytes', async () => {
    const link = await client.getfilelink(fileid);
    expect(link).toMatch(/^https:\/\//);
    const res = await fetch(link, { dispatcher: trusted } as RequestInit);
    expect(res.status).toBe(200);
    const got = Buffer.from(await res.arrayBuffer());
    expect(got.length).toBe(bytes.length);
    expect(got.equals(bytes)).toBe(true);
  });

  it('downloadfile: the SDK itself downloads the same bytes from the link', async () => {
    const target = join(work, 'downloaded.bin');
    const file = await client.downloadfile(fileid, target);
    expect(file.size).toBe(bytes.length);
    const got = await readFile(target);
    expect(got.equals(bytes)).toBe(true);
  });

  it('renamefile: renames the file in place', async () => {
    const meta = await client.renamefile(fileid, 'renamed.bin');
    expect(meta.fileid).toBe(fileid);
    expect(meta.name).toBe('renamed.bin');
    expect(meta.parentfolderid).toBe(folderid);
    const inside = await client.listfolder(folderid);
    expect(inside.contents.map((e: any) => e.name)).toEqual(['renamed.bin']);
    const stat = await api('stat', { fileid });
    expect(stat.metadata.name).toBe('renamed.bin');
  });

  it('deletefile: removes the file; later calls on it get 2009', async () => {
    await expect(client.deletefile(fileid)).resolves.toBe(true);
    const inside = await client.listfolder(folderid);
    expect(inside.contents).toEqual([]);
    await expect(client.getfilelink(fileid)).rejects.toMatchObject({ result: 2009 });
    await expect(client.deletefile(fileid)).rejects.toMatchObject({ result: 2009 });
  });

  it('rejects a bad token with pCloud error 2094', async () => {
    const bad = pcloudSdk.createClient('not-a-valid-token') as unknown as SdkClient;
    const original = bad.api.bind(bad);
    const apiUrl = new URL(emu.api);
    bad.api = (method, options = {}) =>
      original(method, {
        apiServer: apiUrl.host,
        apiProtocol: apiUrl.protocol.replace(':', ''),
        ...options,
      });
    await expect(bad.listfolder(0)).rejects.toMatchObject({ result: 2094 });
  });
});
