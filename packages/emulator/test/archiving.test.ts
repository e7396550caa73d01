import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { zipStream } from '../src/archive.js';
import { ArchiveJobs, startEmulator, type Emulator } from '../src/index.js';
import { as, expectOk, uniq, upload } from './helpers.js';

let emu: Emulator;
let work: string;
beforeAll(async () => {
  emu = await startEmulator();
  work = mkdtempSync(join(tmpdir(), 'pcloudkit-archiving-'));
});
afterAll(async () => {
  await emu.stop();
  rmSync(work, { recursive: true, force: true });
});

const has = (cmd: string, arg = '--version') => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;
const python = has('python3');
const unzip = has('unzip', '-v');
const zipTool = has('zip', '-v');
if (!python) console.warn('[archiving test] python3 not found: the checks with Python zipfile/tarfile are skipped');
if (!unzip) console.warn('[archiving test] unzip not found: the `unzip -t` checks are skipped');
if (!zipTool) console.warn('[archiving test] zip not found: the encrypted-archive checks are skipped');

/** Python's zipfile reads the archive: every member's name, size, sha1, UTF-8 flag; testzip must find no bad CRC. */
function pythonRead(file: string): { name: string; size: number; sha1: string; utf8: boolean; dir: boolean }[] {
  const script = `
import zipfile, hashlib, json, sys
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
out = []
for i in z.infolist():
    data = z.read(i)
    out.append({"name": i.filename, "size": len(data), "sha1": hashlib.sha1(data).hexdigest(), "utf8": bool(i.flag_bits & 0x800), "dir": i.is_dir()})
print(json.dumps(out))`;
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' }));
}

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

async function fetchBytes(url: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  const res = await request(url);
  return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
}

/** A tree with a UTF-8 name, a nested folder, an empty folder and an excluded file. */
async function makeTree() {
  const name = uniq('ziptree');
  const root = await expectOk(as(emu, 'createfolder', { path: `/${name}` }));
  const rootId = root.metadata.folderid as number;
  const sub = await expectOk(as(emu, 'createfolder', { folderid: rootId, name: 'Ünïcødé 文件夹' }));
  await expectOk(as(emu, 'createfolder', { folderid: rootId, name: 'empty' }));
  const a = Buffer.from('alpha file\n');
  const b = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
  const c = Buffer.from('left out\n');
  await upload(emu, 'a.txt', a, { folderid: rootId });
  await upload(emu, 'b — ünïcødé.bin', b, { folderid: sub.metadata.folderid });
  const skipped = await upload(emu, 'skip.txt', c, { folderid: rootId });
  return { rootId, subId: sub.metadata.folderid as number, a, b, skippedId: skipped.fileids[0] as number };
}

describe('getzip', () => {
  it('streams a ZIP of the tree that Python zipfile and unzip -t read, names as stored with the UTF-8 flag', async () => {
    const t = await makeTree();
    const res = await fetchBytes(
      `${emu.api}/getzip?${new URLSearchParams({ auth: emu.auth, folderid: String(t.rootId), excludefileids: String(t.skippedId) })}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    const file = join(work, 'tree.zip');
    writeFileSync(file, res.body);
    if (unzip) expect(execFileSync('unzip', ['-t', file], { encoding: 'utf8' })).toContain('No errors detected');
    if (!python) return;
    const members = pythonRead(file);
    const byName = new Map(members.map((m) => [m.name, m]));
    expect([...byName.keys()].sort()).toEqual(['a.txt', 'empty/', 'Ünïcødé 文件夹/', 'Ünïcødé 文件夹/b — ünïcødé.bin'].sort());
    expect(byName.get('a.txt')!.sha1).toBe(sha1(t.a));
    expect(byName.get('Ünïcødé 文件夹/b — ünïcødé.bin')!.sha1).toBe(sha1(t.b));
    expect(members.every((m) => m.utf8)).toBe(true);
  });

  it('folderids keep the folder itself, fileids go at the top; no tree gives an empty archive', async () => {
    const t = await makeTree();
    const res = await fetchBytes(
      `${emu.api}/getzip?${new URLSearchParams({ auth: emu.auth, folderids: String(t.subId), fileids: String(t.skippedId), forcedownload: '1', filename: 'mine.zip' })}`,
    );
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toContain('mine.zip');
    const file = join(work, 'ids.zip');
    writeFileSync(file, res.body);
    if (python)
      expect(
        pythonRead(file)
          .map((m) => m.name)
          .sort(),
      ).toEqual(['skip.txt', 'Ünïcødé 文件夹/', 'Ünïcødé 文件夹/b — ünïcødé.bin'].sort());
    const empty = await fetchBytes(`${emu.api}/getzip?auth=${emu.auth}`);
    expect(empty.body.length).toBe(22); // only the end-of-central-directory record
    const missing = await as(emu, 'getzip', { folderid: 999_999_999 });
    expect(missing.result).toBe(2005);
  });
});

describe('zip64', () => {
  it.skipIf(!python)(
    'past 65,535 entries the archive switches to zip64, and Python reads every entry',
    async () => {
      const n = 65_536 + 10;
      const entries = Array.from({ length: n }, (_, i) => ({
        path: `d/${i}.txt`,
        modified: 1_700_000_000,
        size: 1,
        open: () => Readable.from([Buffer.from([i % 256])]),
      }));
      const { stream, size } = zipStream(entries);
      const file = join(work, 'many.zip');
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      const bytes = Buffer.concat(chunks);
      expect(bytes.length).toBe(await size);
      // the zip64 end of central directory record is there
      expect(bytes.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true);
      writeFileSync(file, bytes);
      const script = 'import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1])\nn=z.namelist()\nprint(len(n), z.read("d/65545.txt")[0])';
      expect(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' }).trim()).toBe(`${n} ${65_545 % 256}`);
    },
    60_000,
  );
});

describe('getziplink', () => {
  it('serves the same archive from every content host, with forcedownload and filename', async () => {
    const t = await makeTree();
    const direct = await fetchBytes(`${emu.api}/getzip?auth=${emu.auth}&folderid=${t.rootId}`);
    const link = await expectOk(as(emu, 'getziplink', { folderid: t.rootId, filename: 'tree.zip' }));
    expect(link.path).toMatch(/\/tree\.zip$/);
    for (const host of link.hosts as string[]) {
      const res = await fetchBytes(`http://${host}${link.path}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition']).toContain('tree.zip');
      expect(Number(res.headers['content-length'])).toBe(res.body.length);
      expect(res.body.equals(direct.body)).toBe(true);
    }
    const plain = await expectOk(as(emu, 'getziplink', { folderid: t.rootId }));
    const res = await fetchBytes(`http://${plain.hosts[0]}${plain.path}`);
    expect(res.headers['content-type']).toBe('application/zip');
  });
});

describe('savezip and savezipprogress', () => {
  it('stores the archive in the account and reports the finished job', async () => {
    const t = await makeTree();
    const hash = uniq('zip');
    const saved = await expectOk(as(emu, 'savezip', { folderid: t.rootId, tofolderid: t.rootId, toname: 'saved.zip', progresshash: hash }));
    expect(saved.metadata.name).toBe('saved.zip');
    const progress = await expectOk(as(emu, 'savezipprogress', { progresshash: hash }));
    expect(progress.files).toBe(progress.totalfiles);
    expect(progress.totalfiles).toBe(3);
    expect(progress.bytes).toBe(progress.totalbytes);
    expect(progress.totalbytes).toBe(t.a.length + t.b.length + 9);
    expect((await as(emu, 'savezipprogress', { progresshash: 'never-used' })).result).toBe(1901);
    expect((await as(emu, 'savezip', { folderid: t.rootId, tofolderid: t.rootId, toname: 'saved.zip' })).result).toBe(2004);
    const fl = await expectOk(as(emu, 'getfilelink', { fileid: saved.metadata.fileid }));
    const body = (await fetchBytes(`http://${fl.hosts[0]}${fl.path}`)).body;
    expect(body.length).toBe(saved.metadata.size);
    const file = join(work, 'saved.zip');
    writeFileSync(file, body);
    if (unzip) expect(execFileSync('unzip', ['-t', file], { encoding: 'utf8' })).toContain('No errors detected');
    if (python) expect(pythonRead(file).find((m) => m.name === 'a.txt')!.sha1).toBe(sha1(t.a));
  });
});

/** sha1 of every file below a folder, by path. */
async function treeSums(folderid: number): Promise<Record<string, string>> {
  const list = await expectOk(as(emu, 'listfolder', { folderid, recursive: 1 }));
  const out: Record<string, string> = {};
  const walk = async (node: any, prefix: string) => {
    for (const child of node.contents ?? []) {
      if (child.isfolder) await walk(child, `${prefix}${child.name}/`);
      else out[`${prefix}${child.name}`] = (await expectOk(as(emu, 'checksumfile', { fileid: child.fileid }))).sha1;
    }
  };
  await walk(list.metadata, '');
  return out;
}

describe('extractarchive', () => {
  const payload = {
    'top.txt': Buffer.from('top level\n'),
    'deep/dir/ünï.bin': Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 13) % 256)),
  };
  const expected = Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, sha1(v)]));

  /** Writes the payload files under a fresh directory and has Python pack them (zip, tar, tar.gz). */
  function pythonArchive(kind: 'zip' | 'tar' | 'tar.gz'): Buffer {
    const dir = mkdtempSync(join(work, 'src-'));
    for (const [name, data] of Object.entries(payload)) {
      execFileSync('mkdir', ['-p', join(dir, name, '..')]);
      writeFileSync(join(dir, name), data);
    }
    const out = join(work, `${uniq('packed')}.${kind}`);
    const script =
      kind === 'zip'
        ? 'import zipfile,sys,os\nz=zipfile.ZipFile(sys.argv[2],"w",zipfile.ZIP_DEFLATED)\nfor r,d,f in os.walk(sys.argv[1]):\n  for n in f:\n    p=os.path.join(r,n); z.write(p, os.path.relpath(p, sys.argv[1]))\nz.close()'
        : `import tarfile,sys\nt=tarfile.open(sys.argv[2],"w:${kind === 'tar' ? '' : 'gz'}")\nt.add(sys.argv[1], arcname=".")\nt.close()`;
    execFileSync('python3', ['-c', script, dir, out]);
    return readFileSync(out);
  }

  for (const kind of ['zip', 'tar', 'tar.gz'] as const) {
    it.skipIf(!python)(`unpacks a ${kind} made by Python with every byte equal`, async () => {
      const target = await expectOk(as(emu, 'createfolder', { path: `/${uniq(`x-${kind.replace('.', '')}`)}` }));
      const up = await upload(emu, `a.${kind}`, pythonArchive(kind), { folderid: target.metadata.folderid });
      const res = await expectOk(as(emu, 'extractarchive', { fileid: up.fileids[0], tofolderid: target.metadata.folderid }));
      expect(res.finished).toBe(true);
      expect(res.lines).toBe(res.output.length);
      const sums = await treeSums(target.metadata.folderid);
      delete sums[`a.${kind}`];
      expect(sums).toEqual(expected);
    });
  }

  it.skipIf(!zipTool)('asks for the password of an encrypted zip (7009) and unpacks with the right one', async () => {
    const dir = mkdtempSync(join(work, 'enc-'));
    writeFileSync(join(dir, 'secret.txt'), 'the secret\n');
    const out = join(work, `${uniq('enc')}.zip`);
    execFileSync('zip', ['-q', '-j', '-P', 'open sesame', out, join(dir, 'secret.txt')]);
    const target = await expectOk(as(emu, 'createfolder', { path: `/${uniq('x-enc')}` }));
    const up = await upload(emu, 'enc.zip', readFileSync(out), { folderid: target.metadata.folderid });
    const base = { fileid: up.fileids[0], tofolderid: target.metadata.folderid };
    expect((await as(emu, 'extractarchive', base)).result).toBe(7009);
    expect((await as(emu, 'extractarchive', { ...base, password: 'wrong' })).result).toBe(7009);
    await expectOk(as(emu, 'extractarchive', { ...base, password: 'open sesame' }));
    const sums = await treeSums(target.metadata.folderid);
    expect(sums['secret.txt']).toBe(sha1(Buffer.from('the secret\n')));
  });

  it('honours overwrite (rename by default, overwrite, skip) and reports progress when it takes long', async () => {
    const seeded = await expectOk(as(emu, 'stat', { path: '/Documents/samples.zip' }));
    const target = await expectOk(as(emu, 'createfolder', { path: `/${uniq('x-modes')}` }));
    const tofolderid = target.metadata.folderid as number;
    const jobs = ArchiveJobs.of(emu.core);
    jobs.waitMs = 0;
    try {
      const first = await expectOk(as(emu, 'extractarchive', { fileid: seeded.metadata.fileid, tofolderid }));
      let answer = first;
      while (!answer.finished) {
        expect(first.progresshash).toBeTypeOf('string');
        expect(first.hostname).toBe((await as(emu, 'currentserver')).hostname);
        answer = await expectOk(as(emu, 'extractarchiveprogress', { progresshash: first.progresshash, lines: 0 }));
      }
      expect(answer.output).toContain('extracting: notes/todo.txt');
    } finally {
      jobs.waitMs = 2000;
    }
    await upload(emu, 'hello.txt', Buffer.from('mine\n'), { folderid: tofolderid });
    const skip = await expectOk(as(emu, 'extractarchive', { fileid: seeded.metadata.fileid, tofolderid, overwrite: 'skip' }));
    expect(skip.output.some((l: string) => l.startsWith('skipped: hello.txt'))).toBe(true);
    await expectOk(as(emu, 'extractarchive', { fileid: seeded.metadata.fileid, tofolderid }));
    let sums = await treeSums(tofolderid);
    expect(sums['hello (2).txt']).toBe(sha1(Buffer.from('Hello from a ZIP archive.\n')));
    expect(sums['hello.txt']).toBe(sha1(Buffer.from('mine\n')));
    await expectOk(as(emu, 'extractarchive', { fileid: seeded.metadata.fileid, tofolderid, overwrite: 'overwrite', nooutput: 1 }));
    sums = await treeSums(tofolderid);
    expect(sums['hello.txt']).toBe(sha1(Buffer.from('Hello from a ZIP archive.\n')));
  });
});
