import { describe, expect, it } from 'vitest';
import { createClient, jsonSafe, memoryTransport, parseJson, stringifyJson } from '../src/index.js';

// What the HTTP transport hands the client for a listing with a file whose
// hash is above 2^53 (it parses with parseJson).
const WIRE =
  '{"result":0,"metadata":{"name":"/","isfolder":true,"folderid":0,"created":1700000000,"contents":[' +
  '{"name":"a.txt","isfolder":false,"fileid":7,"size":5,"hash":10681749967730527559,"created":1700000000},' +
  '{"name":"b.txt","isfolder":false,"fileid":8,"size":0,"hash":42,"created":1700000000}]}}';

async function listing() {
  const client = createClient({
    transport: memoryTransport({ answer: () => parseJson(WIRE) as Record<string, unknown> }),
    auth: { accessToken: 't' },
  });
  return client.call<{ metadata: { contents: Array<Record<string, unknown>> } }>('listfolder', { folderid: 0 });
}

describe('answers and JSON', () => {
  it('JSON.stringify on an answer works and keeps each hash exact, as a decimal string', async () => {
    const answer = await listing();
    expect(answer.metadata.contents[0]!.hash).toBe(10681749967730527559n);
    const text = JSON.stringify(answer);
    const back = JSON.parse(text) as typeof answer;
    expect(back.metadata.contents[0]!.hash).toBe('10681749967730527559');
    expect(back.metadata.contents[1]!.hash).toBe('42');
    expect(BigInt(back.metadata.contents[0]!.hash as string)).toBe(answer.metadata.contents[0]!.hash);
    // Dates keep their usual JSON form.
    expect(back.metadata.contents[0]!.created).toBe('2023-11-14T22:13:20.000Z');
  });

  it('stringifyJson writes the hashes as exact numbers that parseJson reads back', async () => {
    const answer = await listing();
    const text = stringifyJson(answer.metadata, 2);
    expect(text).toContain('"hash": 10681749967730527559');
    expect(text).toContain('"hash": 42');
    const back = parseJson(text) as typeof answer.metadata;
    expect(back.contents[0]!.hash).toBe(10681749967730527559n);
  });

  it('patches nothing global and stays invisible to keys, spreads and equality', async () => {
    const answer = await listing();
    expect('toJSON' in BigInt.prototype).toBe(false);
    expect(() => JSON.stringify({ hash: 1n })).toThrow(TypeError);
    const file = answer.metadata.contents[0]!;
    expect(Object.keys(file)).not.toContain('toJSON');
    expect(file).toStrictEqual({ ...file });
    expect(structuredClone(file)).toStrictEqual(file);
  });

  it('jsonSafe marks objects and arrays that hold bigints, and leaves others alone', () => {
    const plain = { a: 1 };
    expect(Object.getOwnPropertyNames(jsonSafe(plain))).toEqual(['a']);
    expect(JSON.stringify(jsonSafe({ n: 2n ** 64n, s: 'x' }))).toBe('{"n":"18446744073709551616","s":"x"}');
    expect(JSON.stringify(jsonSafe([1n, 2]))).toBe('["1",2]');
    expect(stringifyJson({ list: jsonSafe([2n ** 64n, 2]) })).toBe('{"list":[18446744073709551616,2]}');
  });

  it('stringifyJson leaves strings that look like its placeholders alone', () => {
    expect(stringifyJson({ s: '\u00000\u0000', n: 1n })).toBe('{"s":"\\u00000\\u0000","n":1}');
  });
});
