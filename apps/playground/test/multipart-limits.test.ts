/**
 * The playground's multipart reader (busboy underneath) under hostile
 * forms: caps on parts, files and header lines, and bodies cut anywhere.
 */
import { describe, expect, test } from 'vitest';
import { MultipartError, partText, readMultipart } from '../src/server/multipart.js';

const boundary = 'pgB0undary';
const field = (name: string, value: string) =>
  Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
const file = (name: string, bytes: Buffer) =>
  Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    bytes,
    Buffer.from('\r\n'),
  ]);
const close = Buffer.from(`--${boundary}--\r\n`);

/** Reads every part whole; the parts' names and sizes. */
async function readAll(body: Buffer, chunk = 997): Promise<[string, number][]> {
  const source = async function* () {
    for (let i = 0; i < body.length; i += chunk) yield body.subarray(i, i + chunk);
  };
  const out: [string, number][] = [];
  for await (const part of readMultipart(source(), boundary)) {
    if (part.filename === undefined) out.push([part.name, (await partText(part)).length]);
    else {
      let n = 0;
      for await (const c of part.body) n += c.length;
      out.push([part.filename, n]);
    }
  }
  return out;
}

describe('multipart limits', () => {
  test('a form of 1,000 fields is refused at the parts cap', async () => {
    const body = Buffer.concat([...Array.from({ length: 1000 }, (_, i) => field(`f${i}`, 'v')), close]);
    await expect(readAll(body)).rejects.toThrow(MultipartError);
    await expect(readAll(body)).rejects.toThrow(/more than 32 parts/);
  });

  test('a second file part is refused', async () => {
    const body = Buffer.concat([field('call', '{}'), file('a.bin', Buffer.alloc(10)), file('b.bin', Buffer.alloc(10)), close]);
    await expect(readAll(body)).rejects.toThrow(/more than 1 file parts/);
  });

  test('a part with 10,000 header lines is refused or dropped', async () => {
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\n${'X-A: b\r\n'.repeat(10_000)}Content-Disposition: form-data; name="a"\r\n\r\nv\r\n`),
      close,
    ]);
    const parts = await readAll(body).catch((e: unknown) => e);
    // refused, or the flooded part dropped at busboy's header cap: never an unexpected error or a hang
    if (!(parts instanceof MultipartError)) expect([[], [['a', 1]]]).toContainEqual(parts);
  });

  test('a body cut at any point never hands out a shortened file', async () => {
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
    const whole = Buffer.concat([field('call', '{"a":1}'), file('x.bin', bytes), close]);
    const complete = whole.length - 2; // the CRLF after the closing boundary is optional
    const cuts: number[] = [];
    for (let at = 1; at < complete; at += 37) cuts.push(at);
    for (let at = complete - 60; at < complete; at++) cuts.push(at);
    for (const at of cuts) {
      const got = await readAll(whole.subarray(0, at), 256).catch((e: unknown) => e);
      if (got instanceof Error) {
        expect(got, `cut at ${at}`).toBeInstanceOf(MultipartError);
        continue;
      }
      // an answer without error must hold the whole file
      const f = (got as [string, number][]).find(([n]) => n === 'x.bin');
      expect(f, `cut at ${at}`).toBeUndefined();
    }
    expect(await readAll(whole.subarray(0, complete))).toEqual([
      ['call', 7],
      ['x.bin', 3000],
    ]);
  });
});
