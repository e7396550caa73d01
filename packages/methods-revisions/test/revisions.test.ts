import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiError, ValidationError, linkUrls, type FileMetadata } from '@pcloudkit/core';
import { startTestEnv, transportNames, type TestEnv } from '@pcloudkit/testkit';
import { listrevisions, revisions } from '../src/index.js';

async function apiError(promise: Promise<unknown>, code: number): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).result).toBe(code);
  return error as ApiError;
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe.each(transportNames)('revision methods over %s', (kind) => {
  let env: TestEnv;
  let client: ReturnType<typeof makeClient>;
  const makeClient = () => env.client(kind).use(revisions);

  beforeAll(async () => {
    env = await startTestEnv({ seed: false });
    client = makeClient();
  });
  afterAll(() => env.close());

  /** Uploads through a raw call (overwriting a file of the same name), so this package stays free of methods-file. */
  const put = async (name: string, content: string): Promise<FileMetadata> => {
    const r = await client.call<{ metadata: FileMetadata[] }>('uploadfile', { folderid: 0 }, { files: [{ name, data: bytes(content) }] });
    return r.metadata[0]!;
  };
  /** The content of a file, or of one of its revisions, through a download link. */
  const read = async (fileid: number, revisionid?: number) => {
    const link = await client.call<{ hosts: string[]; path: string }>(
      'getfilelink',
      { fileid },
      revisionid === undefined ? {} : { global: { revisionid } },
    );
    const [url] = linkUrls(link, { scheme: client.scheme });
    return (await fetch(url!)).text();
  };

  test('overwriting keeps the old contents; listrevisions lists them, newest first, with exact hashes', async () => {
    const v1 = await put(`doc-${kind}.txt`, 'first version');
    const v2 = await put(`doc-${kind}.txt`, 'second version!');
    const v3 = await put(`doc-${kind}.txt`, 'third');
    expect(v3.fileid).toBe(v1.fileid);

    const r = await client.listrevisions({ fileid: v1.fileid });
    expect(r.metadata).toMatchObject({ fileid: v1.fileid, size: 5, hash: v3.hash });
    expect(r.revisions.map((x) => [x.size, x.hash])).toEqual([
      [v2.size, v2.hash],
      [v1.size, v1.hash],
    ]);
    for (const x of r.revisions) {
      expect(typeof x.hash).toBe('bigint');
      expect(x.created).toBeInstanceOf(Date);
      expect(x.revisionid).toBeGreaterThan(0);
    }
    // by path too
    const byPath = await listrevisions(client, { path: `/doc-${kind}.txt` });
    expect(byPath.revisions.map((x) => x.revisionid)).toEqual(r.revisions.map((x) => x.revisionid));
    expect(byPath.metadata.path).toBe(`/doc-${kind}.txt`);

    // the global revisionid reads an old version through links and file methods
    expect(await read(v1.fileid, r.revisions[1]!.revisionid)).toBe('first version');
    expect(await read(v1.fileid)).toBe('third');
    const sums = await client.call<{ metadata: FileMetadata }>(
      'checksumfile',
      { fileid: v1.fileid },
      { global: { revisionid: r.revisions[0]!.revisionid } },
    );
    expect(sums.metadata.size).toBe(v2.size);
  });

  test('revertrevision brings a version back and keeps the replaced one', async () => {
    const a = await put(`rev-${kind}.txt`, 'alpha');
    const b = await put(`rev-${kind}.txt`, 'beta beta');
    const before = await client.listrevisions({ fileid: a.fileid });
    expect(before.revisions).toHaveLength(1);
    const alpha = before.revisions[0]!;

    const reverted = await client.revertrevision({ fileid: a.fileid, revisionid: alpha.revisionid });
    expect(reverted.metadata).toMatchObject({ fileid: a.fileid, size: a.size, hash: a.hash });
    expect(await read(a.fileid)).toBe('alpha');

    const after = await client.listrevisions({ path: `/rev-${kind}.txt` });
    expect(after.revisions[0]).toMatchObject({ size: b.size, hash: b.hash });
    expect(after.revisions.map((x) => x.revisionid)).toContain(alpha.revisionid);

    await apiError(client.revertrevision({ fileid: a.fileid, revisionid: 987654321 }), 2029);
    await apiError(client.revertrevision({ fileid: 987654321, revisionid: alpha.revisionid }), 2009);
    await apiError(client.listrevisions({ path: '/no-such-file.txt' }), 2009);
  });

  test('a file never overwritten has no revisions', async () => {
    const only = await put(`only-${kind}.txt`, 'once');
    const r = await client.listrevisions({ fileid: only.fileid });
    expect(r.revisions).toEqual([]);
    expect(r.metadata.hash).toBe(only.hash);
  });

  test('bad input is refused before anything is sent', async () => {
    // @ts-expect-error revisionid is required
    await expect(client.revertrevision({ fileid: 1 })).rejects.toBeInstanceOf(ValidationError);
    // @ts-expect-error one of fileid/path
    await expect(client.listrevisions({})).rejects.toBeInstanceOf(ValidationError);
    // @ts-expect-error not both
    await expect(client.listrevisions({ fileid: 1, path: '/a' })).rejects.toBeInstanceOf(ValidationError);
  });
});
