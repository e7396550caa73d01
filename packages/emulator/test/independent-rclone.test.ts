/**
 * The emulator proven by a client we did not write: rclone's pcloud backend,
 * used unchanged. rclone talks to `https://<hostname>` with an OAuth bearer
 * token, uploads with `PUT /uploadfile` (multipart POST for empty files),
 * reads hashes with `checksumfile`, downloads from the hosts `getfilelink`
 * returns (always over https), and parses every datetime as RFC 1123 with a
 * numeric zone. Each command's outcome is checked against local files or
 * against the emulator's own HTTP API.
 *
 * rclone is configured only through environment variables and an empty
 * temporary config file, so a developer's own rclone setup is never read.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startEmulator } from '../src/index.js';

const hasRclone = spawnSync('rclone', ['version'], { stdio: 'ignore' }).status === 0;

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

interface LsEntry {
  Path: string;
  Name: string;
  Size: number;
  ModTime: string;
  IsDir: boolean;
  ID?: string;
  Hashes?: Record<string, string>;
}

interface RcloneResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

// A fixed past modification time for the local files, so that keeping the
// `mtime` parameter of uploadfile is observable (whole seconds, UTC).
const LOCAL_MTIME = new Date('2021-03-04T05:06:07Z');

const ODD_NAME = 'naïve café + #1 & 100%.txt';

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');

describe.skipIf(!hasRclone)('rclone pcloud backend against the emulator', () => {
  let emu: Emulator;
  let work: string;
  let localDir: string;
  let env: NodeJS.ProcessEnv;
  // Direct calls to the emulator's API (to check what rclone did) go through
  // a dispatcher of their own that accepts the emulator's self-signed
  // certificate; nothing global is changed.
  let trusted: Agent;
  const files: Record<string, Buffer> = {};
  let usedBefore = -1;
  const root = `indep-rclone-${Date.now().toString(36)}`;

  async function api(method: string, params: Record<string, string | number> = {}) {
    const url = new URL(`${emu.api}/${method}`);
    url.searchParams.set('access_token', emu.access_token);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
    const res = await fetch(url, { dispatcher: trusted } as RequestInit);
    return (await res.json()) as Record<string, any>;
  }

  function rclone(args: string[], timeoutMs = 20_000): Promise<RcloneResult> {
    const all = [...args, '--no-check-certificate', '--retries', '1', '--low-level-retries', '1', '-q'];
    return new Promise((resolve) => {
      execFile('rclone', all, { env, timeout: timeoutMs, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr: stderr.toString('utf8') });
      });
    });
  }

  /** Runs rclone and fails the test with rclone's own words if it fails. */
  async function ok(args: string[]): Promise<Buffer> {
    const r = await rclone(args);
    expect(r.stderr, `rclone ${args.join(' ')}`).toBe('');
    expect(r.code, `rclone ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  }

  async function lsjson(path: string, ...flags: string[]): Promise<LsEntry[]> {
    const out = await ok(['lsjson', ...flags, `emu:${path}`]);
    const list = JSON.parse(out.toString('utf8')) as LsEntry[];
    return list.sort((a, b) => a.Path.localeCompare(b.Path));
  }

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, tls: true });
    // trust exactly the emulator's self-signed certificate, verification stays on
    trusted = new Agent({ connect: { ca: emu.certificate } });
    work = await mkdtemp(join(tmpdir(), 'pcloudkit-rclone-'));
    localDir = join(work, 'local');
    await mkdir(join(localDir, 'nested'), { recursive: true });
    files['hello.txt'] = Buffer.from('Hello from rclone, through the emulator.\n', 'utf8');
    files['random.bin'] = randomBytes(300_000);
    files['all-bytes.bin'] = Buffer.from(Array.from({ length: 1024 }, (_, i) => i % 256));
    files['empty.dat'] = Buffer.alloc(0);
    // query-string hazards: space, '+', '#', '&', '%', non-ASCII
    files[ODD_NAME] = Buffer.from('odd name, plain bytes\n', 'utf8');
    files['nested/deep.bin'] = randomBytes(4097);
    for (const [name, bytes] of Object.entries(files)) {
      const p = join(localDir, name);
      await writeFile(p, bytes);
      await utimes(p, LOCAL_MTIME, LOCAL_MTIME);
    }
    const configFile = join(work, 'rclone.conf');
    await writeFile(configFile, '');
    const token = JSON.stringify({
      access_token: emu.access_token,
      token_type: 'bearer',
      expiry: '0001-01-01T00:00:00Z',
    });
    env = {
      PATH: process.env.PATH,
      HOME: work,
      RCLONE_CONFIG: configFile,
      RCLONE_CACHE_DIR: join(work, 'cache'),
      RCLONE_CONFIG_EMU_TYPE: 'pcloud',
      RCLONE_CONFIG_EMU_HOSTNAME: new URL(emu.api).host,
      RCLONE_CONFIG_EMU_TOKEN: token,
    };
  });

  afterAll(async () => {
    await emu?.stop();
    await trusted?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('is pointed at an https emulator (rclone only speaks https to pCloud)', () => {
    expect(new URL(emu.api).protocol).toBe('https:');
    expect(new URL(emu.api).hostname).toBe('127.0.0.1');
  });

  it('about: reports the account quota from userinfo', async () => {
    const about = JSON.parse((await ok(['about', '--json', 'emu:'])).toString('utf8')) as {
      total: number;
      used: number;
      free: number;
    };
    const info = await api('userinfo');
    expect(info.result).toBe(0);
    expect(about.total).toBe(Number(info.quota));
    expect(about.used).toBe(Number(info.usedquota));
    expect(about.free).toBe(Number(info.quota) - Number(info.usedquota));
    expect(about.total).toBeGreaterThan(0);
    usedBefore = about.used;
  });

  it('mkdir: creates nested folders that the API then lists', async () => {
    await ok(['mkdir', `emu:${root}/made/inner`]);
    const top = await api('listfolder', { path: `/${root}` });
    expect(top.result).toBe(0);
    expect(top.metadata.isfolder).toBe(true);
    const made = (top.metadata.contents as any[]).find((e) => e.name === 'made');
    expect(made?.isfolder).toBe(true);
    const inner = await api('listfolder', { path: `/${root}/made/inner` });
    expect(inner.result).toBe(0);
    expect(inner.metadata.contents).toEqual([]);
  });

  it('lsjson: lists the new folders with their ids', async () => {
    const list = await lsjson(root, '-R');
    expect(list.map((e) => [e.Path, e.IsDir])).toEqual([
      ['made', true],
      ['made/inner', true],
    ]);
    const top = await api('listfolder', { path: `/${root}/made` });
    expect(list[0]!.ID).toBe(`d${top.metadata.folderid}`);
  });

  it('copy: uploads a local tree (text, binary, empty, nested) with names, sizes and mtimes kept', async () => {
    await ok(['copy', localDir, `emu:${root}/data`]);
    const list = (await lsjson(`${root}/data`, '-R')).filter((e) => !e.IsDir);
    expect(list.map((e) => [e.Path, e.Size])).toEqual(
      Object.keys(files)
        .sort((a, b) => a.localeCompare(b))
        .map((name) => [name, files[name]!.length]),
    );
    for (const e of list) expect(new Date(e.ModTime).getTime()).toBe(LOCAL_MTIME.getTime());
    // The emulator's own view agrees, byte counts included.
    const viaApi = await api('listfolder', { path: `/${root}/data`, recursive: 1 });
    expect(viaApi.result).toBe(0);
    const names = (viaApi.metadata.contents as any[]).map((e) => e.name).sort();
    expect(names).toEqual(['all-bytes.bin', 'empty.dat', 'hello.txt', ODD_NAME, 'nested', 'random.bin'].sort());
  });

  it('about: used space grows by exactly the bytes copied', async () => {
    const about = JSON.parse((await ok(['about', '--json', 'emu:'])).toString('utf8')) as {
      used: number;
    };
    const total = Object.values(files).reduce((n, b) => n + b.length, 0);
    expect(usedBefore).toBeGreaterThanOrEqual(0);
    expect(about.used - usedBefore).toBe(total);
  });

  it('lsjson --hash: MD5 and SHA-1 from checksumfile match the local bytes', async () => {
    const list = (await lsjson(`${root}/data`, '-R', '--hash')).filter((e) => !e.IsDir);
    for (const e of list) {
      const bytes = files[e.Path]!;
      expect(e.Hashes?.md5, e.Path).toBe(md5(bytes));
      expect(e.Hashes?.sha1, e.Path).toBe(sha1(bytes));
    }
  });

  it('cat: downloads through getfilelink content hosts, byte for byte', async () => {
    for (const name of ['random.bin', 'all-bytes.bin', 'hello.txt', ODD_NAME, 'nested/deep.bin']) {
      const out = await ok(['cat', `emu:${root}/data/${name}`]);
      expect(out.length, name).toBe(files[name]!.length);
      expect(out.equals(files[name]!), name).toBe(true);
    }
    const empty = await ok(['cat', `emu:${root}/data/empty.dat`]);
    expect(empty.length).toBe(0);
  });

  it('cat: a download cut short by a content server is an error, not short output', async () => {
    emu.faults.dropAfterBytes('content', 10_000);
    try {
      const r = await rclone(['cat', `emu:${root}/data/random.bin`]);
      expect(r.code).not.toBe(0);
      expect(r.stdout.length).toBeLessThan(files['random.bin']!.length);
    } finally {
      emu.faults.clear();
    }
    const out = await ok(['cat', `emu:${root}/data/random.bin`]);
    expect(out.equals(files['random.bin']!)).toBe(true);
  });

  function parseSums(out: Buffer): Record<string, string> {
    const sums: Record<string, string> = {};
    for (const line of out.toString('utf8').split('\n')) {
      const m = /^([0-9a-f]+) {2}(.+)$/.exec(line);
      if (m) sums[m[2]!] = m[1]!;
    }
    return sums;
  }

  it('md5sum: every file hashes like the local copy', async () => {
    const sums = parseSums(await ok(['md5sum', `emu:${root}/data`]));
    expect(Object.keys(sums).sort()).toEqual(Object.keys(files).sort());
    for (const [name, bytes] of Object.entries(files)) expect(sums[name], name).toBe(md5(bytes));
  });

  it('sha1sum: every file hashes like the local copy', async () => {
    const sums = parseSums(await ok(['sha1sum', `emu:${root}/data`]));
    expect(Object.keys(sums).sort()).toEqual(Object.keys(files).sort());
    for (const [name, bytes] of Object.entries(files)) expect(sums[name], name).toBe(sha1(bytes));
  });

  it('moveto: renames a file into another folder (renamefile), keeping its id', async () => {
    const before = await api('stat', { path: `/${root}/data/hello.txt` });
    expect(before.result).toBe(0);
    await ok(['moveto', `emu:${root}/data/hello.txt`, `emu:${root}/moved/hello-moved.txt`]);
    const gone = await api('stat', { path: `/${root}/data/hello.txt` });
    expect(gone.result).toBe(2009);
    const after = await api('stat', { path: `/${root}/moved/hello-moved.txt` });
    expect(after.result).toBe(0);
    expect(after.metadata.fileid).toBe(before.metadata.fileid);
    const out = await ok(['cat', `emu:${root}/moved/hello-moved.txt`]);
    expect(out.equals(files['hello.txt']!)).toBe(true);
  });

  it('copyto: server-side copy (copyfile) gives a new file with the same bytes', async () => {
    await ok(['copyto', `emu:${root}/data/random.bin`, `emu:${root}/copies/random-copy.bin`]);
    const src = await api('stat', { path: `/${root}/data/random.bin` });
    const dst = await api('stat', { path: `/${root}/copies/random-copy.bin` });
    expect(src.result).toBe(0);
    expect(dst.result).toBe(0);
    expect(dst.metadata.fileid).not.toBe(src.metadata.fileid);
    expect(dst.metadata.size).toBe(files['random.bin']!.length);
    const out = await ok(['cat', `emu:${root}/copies/random-copy.bin`]);
    expect(out.equals(files['random.bin']!)).toBe(true);
    const sums = parseSums(await ok(['md5sum', `emu:${root}/copies`]));
    expect(sums).toEqual({ 'random-copy.bin': md5(files['random.bin']!) });
  });

  it('link: creates a public link (getfilepublink) the API then lists, and the printed URL serves the bytes', async () => {
    const link = (await ok(['link', `emu:${root}/data/all-bytes.bin`])).toString('utf8').trim();
    expect(link).toMatch(/^https?:\/\/\S+$/);
    // the emulator's own host, never pCloud's
    expect(new URL(link).host).toBe(new URL(emu.api).host);
    const file = await api('stat', { path: `/${root}/data/all-bytes.bin` });
    const links = await api('listpublinks');
    expect(links.result).toBe(0);
    const mine = (links.publinks as any[]).filter((l) => l.metadata?.fileid === file.metadata.fileid);
    expect(mine).toHaveLength(1);
    expect(mine[0].link).toBe(link);
    expect(mine[0].downloads).toBe(0);
    // an anonymous program opening the URL is sent on to a content server, which serves the file and counts it
    const res = await fetch(link, { dispatcher: trusted } as RequestInit);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(files['all-bytes.bin']!)).toBe(true);
    const after = (await api('listpublinks')).publinks.find((l: any) => l.linkid === mine[0].linkid);
    expect(after).toMatchObject({ downloads: 1, traffic: files['all-bytes.bin']!.length });
  });

  it('delete: removes the files of a folder and keeps the folder', async () => {
    await ok(['delete', `emu:${root}/copies`]);
    const copies = await api('listfolder', { path: `/${root}/copies` });
    expect(copies.result).toBe(0);
    expect(copies.metadata.contents).toEqual([]);
    expect(await lsjson(`${root}/copies`)).toEqual([]);
  });

  it('delete --include: removes only the matching files', async () => {
    await ok(['delete', '--include', '*.bin', `emu:${root}/data`]);
    const left = (await lsjson(`${root}/data`, '-R')).map((e) => e.Path);
    expect(left).toEqual(['empty.dat', ODD_NAME, 'nested']);
  });

  it('purge: removes a folder tree (deletefolderrecursive)', async () => {
    await ok(['purge', `emu:${root}`]);
    const gone = await api('listfolder', { path: `/${root}` });
    expect(gone.result).toBe(2005);
    const rootList = await lsjson('');
    expect(rootList.map((e) => e.Path)).not.toContain(root);
  });

  it('cleanup: empties the Trash (trash_clear, logged in with username and password as rclone does it)', async () => {
    // the purge above left the test tree in the Trash (and the demo account starts with a deleted file)
    const before = await api('trash_list');
    expect(before.result).toBe(0);
    expect(before.metadata.contents.map((i: { name: string }) => i.name)).toContain(root);
    // rclone sends trash_clear with a password login (its docs: the method refuses OAuth tokens on pCloud)
    const obscured = execFileSync('rclone', ['obscure', DEMO.password], { env }).toString('utf8').trim();
    const saved = env;
    env = { ...env, RCLONE_CONFIG_EMU_USERNAME: DEMO.username, RCLONE_CONFIG_EMU_PASSWORD: obscured };
    try {
      await ok(['cleanup', 'emu:']);
    } finally {
      env = saved;
    }
    const after = await api('trash_list');
    expect(after.result).toBe(0);
    expect(after.metadata.contents).toEqual([]);
  });

  it('reports a missing file as an error, not as empty output', async () => {
    const r = await rclone(['cat', `emu:${root}-nope/missing.bin`]);
    expect(r.code).not.toBe(0);
    expect(r.stdout.length).toBe(0);
  });

  it('relays the API error of a bad token (2094)', async () => {
    const badEnv = {
      ...env,
      RCLONE_CONFIG_EMU_TOKEN: JSON.stringify({
        access_token: 'not-a-valid-token',
        token_type: 'bearer',
        expiry: '0001-01-01T00:00:00Z',
      }),
    };
    const saved = env;
    env = badEnv;
    try {
      const r = await rclone(['lsjson', 'emu:']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("Invalid 'access_token' provided. (2094)");
    } finally {
      env = saved;
    }
  });
});
