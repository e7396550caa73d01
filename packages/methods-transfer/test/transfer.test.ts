import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiError, ValidationError } from '@pcloudkit/core';
import { startTestEnv, transportNames, type TestEnv } from '@pcloudkit/testkit';
import { transfer, uploadtransfer, uploadtransferprogress } from '../src/index.js';

/** Awaits `promise`, expecting an ApiError with the given code. */
async function apiError(promise: Promise<unknown>, code: number): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).result).toBe(code);
}

/** The download links a transfer mail carries, in the order of the files. */
const linksOf = (text: string) => [...text.matchAll(/(https?:\/\/\S+)/g)].map((m) => m[1]!);

describe.each(transportNames)('transfer methods over %s', (kind) => {
  let env: TestEnv;
  let anon: ReturnType<typeof makeClient>;
  const makeClient = () => env.client(kind, null).use(transfer);
  let n = 0;
  const address = (who: string) => `${who}-${kind}-${++n}@example.com`;

  beforeAll(async () => {
    env = await startTestEnv();
    anon = makeClient();
  });
  afterAll(() => env.close());

  test('a client without credentials sends a file; each recipient downloads it byte-equal through the mailed link', async () => {
    const to = [address('ann'), address('ben')];
    const data = new Uint8Array(150_000).map((_, i) => (i * 7) % 256);
    const seen: number[] = [];
    const progresshash = `t-${kind}-${Date.now()}`;
    const r = await anon.transfers.send(
      { name: 'report.bin', data },
      { sendermail: 'sender@example.com', receivermails: to, message: 'The report', progresshash, onProgress: (p) => seen.push(p.loaded) },
    );
    expect(r).toEqual({ files: 1, receivers: 2 });
    expect(seen.at(-1)).toBeGreaterThanOrEqual(data.length);
    for (const addr of to) {
      const mail = await env.emulator.mail.next(addr, { kind: 'transfer' });
      expect(mail.text).toContain('The report');
      const [url] = linksOf(mail.text);
      expect(mail.link).toBe(url);
      expect(env.emulator.contentHosts).toContain(new URL(url!).host);
      const body = Buffer.from(await (await fetch(url!)).arrayBuffer());
      expect(body.equals(Buffer.from(data))).toBe(true);
    }
    const p = await anon.uploadtransferprogress({ progresshash });
    expect(p).toMatchObject({ finished: true, filenumber: 1 });
    expect(p.uploaded).toBe(p.total);
    expect(p.files).toEqual([{ name: 'report.bin', size: data.length }]);
  });

  test('several files in one transfer over HTTP; the binary protocol takes one per request', async () => {
    const to = address('cid');
    const files = [
      { name: 'a.txt', data: new Blob(['first file']) },
      { name: 'b.txt', data: Readable.from([Buffer.from('second '), Buffer.from('file')]), size: 11 },
    ];
    if (kind === 'binary') {
      await expect(anon.transfers.send(files, { sendermail: 's@example.com', receivermails: [to] })).rejects.toBeInstanceOf(
        ValidationError,
      );
      return;
    }
    await anon.transfers.send(files, { sendermail: 's@example.com', receivermails: [to] });
    const mail = await env.emulator.mail.next(to, { kind: 'transfer' });
    const texts = await Promise.all(linksOf(mail.text).map(async (u) => (await fetch(u)).text()));
    expect(texts).toEqual(['first file', 'second file']);
  });

  test('the standalone functions work; the server refuses bad addresses with its codes', async () => {
    const to = address('dee');
    await uploadtransfer(
      anon,
      { sendermail: 's@example.com', receivermails: [to] },
      { files: [{ name: 'one.txt', data: new TextEncoder().encode('standalone') }] },
    );
    const mail = await env.emulator.mail.next(to, { kind: 'transfer' });
    expect(await (await fetch(mail.link!)).text()).toBe('standalone');
    const file = { files: [{ name: 'x.txt', data: new Uint8Array(1) }] };
    await apiError(anon.request(uploadtransfer, { sendermail: 'not an address', receivermails: [to] }, file), 1074);
    await apiError(anon.request(uploadtransfer, { sendermail: 's@example.com', receivermails: ['nobody'] }, file), 1075);
    await apiError(uploadtransferprogress(anon, { progresshash: 'never-started' }), 1900);
  });

  test('bad input is refused before anything is sent', async () => {
    const before = env.emulator.mail.list().length;
    const one = { name: 'x.txt', data: new Uint8Array(1) };
    await expect(anon.transfers.send([], { sendermail: 's@example.com', receivermails: ['a@example.com'] })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(anon.transfers.send(one, { sendermail: 's@example.com', receivermails: [] })).rejects.toBeInstanceOf(ValidationError);
    const many = Array.from({ length: 21 }, (_, i) => `r${i}@example.com`);
    await expect(anon.transfers.send(one, { sendermail: 's@example.com', receivermails: many })).rejects.toBeInstanceOf(ValidationError);
    await expect(
      anon.transfers.send(one, { sendermail: 's@example.com', receivermails: ['a@example.com'], message: 'x'.repeat(161) }),
    ).rejects.toBeInstanceOf(ValidationError);
    // @ts-expect-error: sendermail is required
    await expect(anon.uploadtransfer({ receivermails: ['a@example.com'] })).rejects.toBeInstanceOf(ValidationError);
    expect(env.emulator.mail.list().length).toBe(before);
  });
});
