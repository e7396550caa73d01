import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isPathSource, knownSize, toBytes, uploadSource, type FileOpener } from '../src/index.js';

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const c of chunks) {
    expect(c).toBeInstanceOf(Uint8Array);
    out.push([...c]);
  }
  return out;
}

describe('uploadSource', () => {
  it('answers at once for in-memory and streamed sources, with their sizes', async () => {
    const bytes = uploadSource(new Uint8Array([1, 2, 3, 4, 5]), { pieceSize: 2 });
    expect(bytes).not.toBeInstanceOf(Promise);
    expect((bytes as { size: number }).size).toBe(5);
    expect(await collect((bytes as Awaited<typeof bytes>).chunks())).toEqual([[1, 2], [3, 4], [5]]);

    const blob = uploadSource(new Blob(['hi'], { type: 'text/plain' })) as Awaited<ReturnType<typeof uploadSource>>;
    expect([blob.size, blob.type]).toEqual([2, 'text/plain']);
    expect(await collect(blob.chunks())).toEqual([[104, 105]]);

    const web = new ReadableStream<unknown>({
      start(c) {
        c.enqueue(new Uint8Array([7]));
        c.enqueue(new Uint8Array(0));
        c.enqueue('a');
        c.close();
      },
    });
    const w = uploadSource(web, { size: 2 }) as Awaited<ReturnType<typeof uploadSource>>;
    expect(w.size).toBe(2);
    expect(await collect(w.chunks())).toEqual([[7], [97]]);

    // A Node Readable in string mode and an async generator are both async iterables.
    const node = uploadSource(Readable.from(['xy'], { objectMode: true })) as Awaited<ReturnType<typeof uploadSource>>;
    expect(node.size).toBeUndefined();
    expect(await collect(node.chunks())).toEqual([[120, 121]]);
    async function* gen() {
      yield new Uint16Array([0x0102]);
    }
    expect(await collect((uploadSource(gen()) as Awaited<ReturnType<typeof uploadSource>>).chunks())).toEqual([[2, 1]]);
  });

  it('opens { path } through the opener it is given, and only then', async () => {
    const opened: string[] = [];
    const openFile: FileOpener = async (path) => {
      opened.push(path);
      return {
        size: 3,
        chunks: async function* () {
          yield Buffer.from('abc');
        },
      };
    };
    const pending = uploadSource({ path: '/some/file' }, { openFile });
    expect(pending).toBeInstanceOf(Promise);
    const source = await pending;
    expect(opened).toEqual(['/some/file']);
    expect(source.size).toBe(3);
    expect(await collect(source.chunks())).toEqual([[97, 98, 99]]);
    expect(() => uploadSource({ path: '/x' })).toThrow(/file system access/);
    await expect(uploadSource({ path: '/x' }, { openFile: () => Promise.reject(new Error('ENOENT /x')) })).rejects.toThrow(/ENOENT/);
  });

  it('refuses what it cannot read, and chunks that are not bytes', async () => {
    expect(() => uploadSource(42)).toThrow(TypeError);
    expect(() => uploadSource(null)).toThrow(TypeError);
    async function* bad() {
      yield 12;
    }
    await expect(collect((uploadSource(bad()) as Awaited<ReturnType<typeof uploadSource>>).chunks())).rejects.toThrow(/not bytes/);
    expect(() => toBytes({})).toThrow(TypeError);
  });

  it('stops a web stream when the reader gives up early', async () => {
    let cancelled = false;
    const web = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new Uint8Array([1]));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const _ of (uploadSource(web) as Awaited<ReturnType<typeof uploadSource>>).chunks()) break;
    expect(cancelled).toBe(true);
  });

  it('knows sizes without reading and tells a path from a stream that has a path field', () => {
    expect(knownSize({ data: new Uint8Array(9) })).toBe(9);
    expect(knownSize({ data: new Blob(['abcd']) })).toBe(4);
    expect(knownSize({ data: { path: '/f' }, size: 3 })).toBe(3);
    expect(knownSize({ data: { path: '/f' } })).toBeUndefined();
    const stream = Object.assign(Readable.from([]), { path: '/f' });
    expect(isPathSource(stream)).toBe(false);
    expect(isPathSource({ path: '/f' })).toBe(true);
  });
});
