// Trees far deeper than any call stack: every walk over a tree (listings,
// copies, deletes, the trash, archives, the reply encoders) must be
// iterative, and a recursive delete is all or nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { as, call } from './helpers.js';
import { frame, open } from './binary-wire.js';

const DEPTH = 12_000;
let emu: Emulator;
let top: number;

/** Builds a chain of DEPTH nested folders (one file at the bottom) straight in the store. */
function chain(parentId: number, name: string): number {
  const store = emu.core.store;
  const parent = store.folders.get(parentId)!;
  return store.batch(() => {
    const first = store.addFolder(parent.owner, parent.id, name);
    let cur = first;
    for (let i = 1; i < DEPTH; i++) cur = store.addFolder(parent.owner, cur.id, `l${i}`);
    return first.id;
  });
}

/** One binary-protocol call; the raw answer frame (its tree is too deep for a recursive reader). */
async function binaryFrame(method: string, params: Record<string, string | number>): Promise<Buffer> {
  const r = await open(emu);
  r.socket.write(frame(method, params));
  const chunks: Buffer[] = [];
  let got = 0;
  return new Promise((resolve, reject) => {
    r.socket.on('data', (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      const all = Buffer.concat(chunks);
      if (got >= 4 && got >= 4 + all.readUInt32LE(0)) {
        r.socket.destroy();
        resolve(all.subarray(4, 4 + all.readUInt32LE(0)));
      }
    });
    r.socket.on('close', () => reject(new Error('closed before a whole answer')));
  });
}

function depthOf(m: { contents?: { isfolder: boolean; contents?: unknown[] }[] }): number {
  let n = 0;
  let cur: typeof m | undefined = m;
  while (cur) {
    const next = cur.contents?.find((x) => x.isfolder) as typeof m | undefined;
    if (!next) break;
    n++;
    cur = next;
  }
  return n;
}

beforeAll(async () => {
  emu = await startEmulator({ seed: false });
  const user = emu.core.store.userByEmail(emu.username)!;
  top = chain(user.rootId, 'deep');
});
afterAll(async () => {
  await emu.stop();
});

describe(`a tree ${DEPTH.toLocaleString('en-US')} folders deep`, () => {
  it('listfolder recursive answers the whole chain over HTTP and the binary port', async () => {
    const r = await as(emu, 'listfolder', { folderid: top, recursive: 1 });
    expect(r.result).toBe(0);
    expect(depthOf(r.metadata)).toBe(DEPTH - 1);
    const b = await binaryFrame('listfolder', { auth: emu.auth, folderid: top, recursive: 1 });
    // a hash (16) whose first member is "result" (a 6-byte string, 106) = 0 (200)
    expect([...b.subarray(0, 9)]).toEqual([16, 106, ...Buffer.from('result'), 200]);
    // the deepest folder's name is in the answer
    expect(b.includes(`l${DEPTH - 1}`)).toBe(true);
  });

  it('copyfolder copies every level', async () => {
    const dest = await as(emu, 'createfolder', { folderid: 0, name: 'copies' });
    const r = await as(emu, 'copyfolder', { folderid: top, tofolderid: dest.metadata.folderid });
    expect(r.result).toBe(0);
    const listed = await as(emu, 'listfolder', { folderid: r.metadata.folderid, recursive: 1 });
    expect(depthOf(listed.metadata)).toBe(DEPTH - 1);
  });

  it('deletefolderrecursive deletes every level; trash lists and restores it whole', async () => {
    const del = await as(emu, 'deletefolderrecursive', { folderid: top });
    expect(del).toMatchObject({ result: 0, deletedfolders: DEPTH, deletedfiles: 0 });
    const trash = await as(emu, 'trash_list', { folderid: top, recursive: 1 });
    expect(trash.result).toBe(0);
    expect(depthOf(trash.metadata)).toBe(DEPTH - 1);
    const restored = await as(emu, 'trash_restore', { folderid: top });
    expect(restored.result).toBe(0);
    const listed = await as(emu, 'listfolder', { folderid: top, recursive: 1 });
    expect(depthOf(listed.metadata)).toBe(DEPTH - 1);
  });

  it('a recursive delete that fails part-way leaves the tree whole', async () => {
    const store = emu.core.store;
    const guard = store.writeGuard;
    let seen = 0;
    store.writeGuard = (op) => {
      guard?.(op);
      if (op.op === 'delete' && ++seen === DEPTH / 2) throw new Error('disk gone');
    };
    try {
      const r = await call(emu, 'deletefolderrecursive', { auth: emu.auth, folderid: top });
      expect(r.result).not.toBe(0);
    } finally {
      store.writeGuard = guard;
    }
    const listed = await as(emu, 'listfolder', { folderid: top, recursive: 1 });
    expect(listed.result).toBe(0);
    expect(depthOf(listed.metadata)).toBe(DEPTH - 1);
  });
});
