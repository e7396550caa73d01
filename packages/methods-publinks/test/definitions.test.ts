// Catalogue facts (names, groups, login, params, one-of sets) are checked for
// every method package by packages/catalog/test/sdk-definitions.test.ts; this
// file keeps the SDK's own choices.
import { createClient, memoryTransport, type TransportRequest } from '@pcloudkit/core';
import { describe, expect, test } from 'vitest';
import * as pkg from '../src/index.js';

describe('publinks definitions', () => {
  test('all 21 methods, the ones that read through a code without login', () => {
    expect(pkg.definitions).toHaveLength(21);
    expect(
      pkg.definitions
        .filter((d) => !d.auth)
        .map((d) => d.name)
        .sort(),
    ).toEqual([
      'getpubaudiolink',
      'getpublinkdownload',
      'getpubtextfile',
      'getpubthumb',
      'getpubthumblink',
      'getpubthumbslinks',
      'getpubvideolinks',
      'getpubzip',
      'getpubziplink',
      'showpublink',
    ]);
  });

  test('every method that names a link by code takes its password', () => {
    for (const d of pkg.definitions.filter((x) => 'code' in x.params)) expect(Object.keys(d.params), d.name).toContain('linkpassword');
  });
});

describe('helpers', () => {
  /** A client without credentials whose server answers every call with `body`; records what was sent. */
  function answering(body: Record<string, unknown>) {
    const sent: TransportRequest[] = [];
    const transport = memoryTransport({
      answer: (r: TransportRequest) => {
        sent.push(r);
        return { result: 0, ...body };
      },
    });
    return { client: createClient({ transport, region: { api: ['http://emu.test'] }, retries: 0 }).use(pkg.publinks), sent };
  }

  test('publicFile and publicAudio give ready URLs on the client scheme, no credentials sent', async () => {
    const link = { hosts: ['c1.example:8080', 'c2.example'], path: '/abc/song.mp3', expires: 'Thu, 01 Jan 2099 00:00:00 +0000' };
    const { client, sent } = answering(link);
    const file = await client.publicFile({ code: 'XYZ' });
    expect(file.urls).toEqual(['http://c1.example:8080/abc/song.mp3', 'http://c2.example/abc/song.mp3']);
    expect(file.url(1)).toBe('http://c2.example/abc/song.mp3');
    expect(() => file.url(2)).toThrow(RangeError);
    expect(file.expires).toBeInstanceOf(Date);
    const audio = await client.publicAudio({ code: 'XYZ', fileid: 7 });
    expect(audio.url(30)).toBe('http://c1.example:8080/abc/song.mp3?start=30');
    expect(audio.url()).toBe('http://c1.example:8080/abc/song.mp3');
    expect(sent.map((r) => r.method)).toEqual(['getpublinkdownload', 'getpubaudiolink']);
    for (const r of sent) expect(Object.keys(r.params)).not.toContain('auth');
  });
});
