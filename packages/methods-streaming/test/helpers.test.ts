import { ValidationError, createClient, memoryTransport } from '@pcloudkit/core';
import { describe, expect, it } from 'vitest';
import { definitions, getaudiolink, gettextfile, linkUrls, streaming } from '../src/index.js';

describe('streaming definitions', () => {
  it('lists the six catalogue methods with a fileid/path one-of set', () => {
    expect(definitions.map((d) => d.name)).toEqual([
      'getaudiolink',
      'getfilelink',
      'gethlslink',
      'gettextfile',
      'getvideolink',
      'getvideolinks',
    ]);
    for (const d of definitions) {
      expect(d.oneOf).toEqual({ target: ['fileid', 'path'] });
      expect(d.params.fileid!.required).toBe(false);
      expect(d.params.path!.required).toBe(false);
      expect(d.auth).toBe(true);
      expect(d.idempotent).toBe(true);
    }
    expect(gettextfile.data).toBe('download');
    expect(getaudiolink.params.abitrate).toMatchObject({ type: 'int', min: 16, max: 320 });
  });
});

describe('streaming validation (nothing is sent)', () => {
  const setup = () => {
    const transport = memoryTransport();
    return { sent: transport.requests, client: createClient({ transport, auth: { accessToken: 't' }, retries: 0 }).use(streaming) };
  };
  type C = ReturnType<typeof setup>['client'];
  const cases: Array<[string, (c: C) => Promise<unknown>, string]> = [
    ['getaudiolink with neither fileid nor path', (c) => c.getaudiolink({} as never), 'fileid|path'],
    ['getaudiolink with both fileid and path', (c) => c.getaudiolink({ fileid: 1, path: '/a.mp3' } as never), 'fileid|path'],
    ['getaudiolink with abitrate 400', (c) => c.getaudiolink({ fileid: 1, abitrate: 400 }), 'abitrate'],
    ['getaudiolink with abitrate 15', (c) => c.getaudiolink({ fileid: 1, abitrate: 15 }), 'abitrate'],
    ['getaudiolink with a string fileid', (c) => c.getaudiolink({ fileid: 'abc' }), 'fileid'],
    ['audioLink helper with abitrate 400', (c) => c.audioLink({ fileid: 1, abitrate: 400 }), 'abitrate'],
    ['getvideolink with vbitrate 5000', (c) => c.getvideolink({ fileid: 1, vbitrate: 5000 }), 'vbitrate'],
    ['getfilelink with forcedownload "1"', (c) => c.getfilelink({ fileid: 1, forcedownload: '1' as never }), 'forcedownload'],
    ['getvideolinks with a numeric skipfilename', (c) => c.getvideolinks({ fileid: 1, skipfilename: 1 as never }), 'skipfilename'],
    ['gettextfile with a numeric path', (c) => c.gettextfile({ path: 5 as never }), 'path'],
  ];
  it.each(cases)('%s', async (_label, call, param) => {
    const { client, sent } = setup();
    const error = await call(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).param).toBe(param);
    expect(sent).toHaveLength(0);
  });

  it('abitrate at the bounds is sent', async () => {
    const { client, sent } = setup();
    await client.getaudiolink({ path: '/a.flac', abitrate: 16 }).catch(() => undefined);
    await client.getaudiolink({ fileid: 7, abitrate: 320, forcedownload: true }).catch(() => undefined);
    expect(sent.map((r) => r.params)).toMatchObject([
      { path: '/a.flac', abitrate: 16 },
      { fileid: 7, abitrate: 320, forcedownload: 1 },
    ]);
    expect(sent[1]!.responseType).toBe('json');
  });

  it('gettextfile asks for a data answer', async () => {
    const { client, sent } = setup();
    await client.gettextfile({ fileid: 3 }).catch(() => undefined);
    expect(sent[0]!.responseType).toBe('data');
  });
});

describe('linkUrls', () => {
  const link = { hosts: ['c1.pcloud.com', 'c2.pcloud.com'], path: '/cBZabc/song.mp3' };

  it('builds one https URL per host, best first', () => {
    expect(linkUrls(link)).toEqual(['https://c1.pcloud.com/cBZabc/song.mp3', 'https://c2.pcloud.com/cBZabc/song.mp3']);
  });

  it('uses the given scheme for bare hosts and keeps explicit origins', () => {
    expect(linkUrls({ hosts: ['127.0.0.1:8080', 'https://x.example'], path: '/p' }, { scheme: 'http' })).toEqual([
      'http://127.0.0.1:8080/p',
      'https://x.example/p',
    ]);
  });

  it('adds start seconds to the query, keeping a query already in the path', () => {
    expect(linkUrls({ hosts: ['h.example'], path: '/a/b.mp3?x=1' }, { start: 90.7 })).toEqual(['https://h.example/a/b.mp3?x=1&start=90']);
  });

  it('keeps percent-encoded file names as they are', () => {
    expect(linkUrls({ hosts: ['h.example'], path: '/dl/My%20Song%20%231.mp3' })[0]).toBe('https://h.example/dl/My%20Song%20%231.mp3');
  });

  it('rejects answers that are not links and bad start values', () => {
    expect(() => linkUrls({ hosts: 'h' as never, path: '/p' })).toThrow(TypeError);
    expect(() => linkUrls({ hosts: [''], path: '/p' })).toThrow(TypeError);
    expect(() => linkUrls({ hosts: ['h'], path: '/p' }, { start: -1 })).toThrow(RangeError);
    expect(() => linkUrls({ hosts: ['h'], path: '/p' }, { start: Number.NaN })).toThrow(RangeError);
  });
});

describe('plugin helpers', () => {
  const link = { hosts: ['a.example', 'b.example'], path: '/x/y.mp3' };

  it('use https for a pCloud region and http for an http:// host list', () => {
    const transport = memoryTransport();
    const us = createClient({ transport }).use(streaming);
    expect(us.linkUrls(link)).toEqual(['https://a.example/x/y.mp3', 'https://b.example/x/y.mp3']);
    const local = createClient({ transport, region: { api: ['http://127.0.0.1:9'], binapi: ['127.0.0.1:10'] } }).use(streaming);
    expect(local.linkUrls(link, { start: 5 })).toEqual(['http://a.example/x/y.mp3?start=5', 'http://b.example/x/y.mp3?start=5']);
    expect(local.audioUrl(link)).toBe('http://a.example/x/y.mp3');
    expect(local.audioUrl(link, { start: 12, hostIndex: 1 })).toBe('http://b.example/x/y.mp3?start=12');
  });

  it('audioUrl rejects a host index the link does not have', () => {
    const c = createClient({ transport: memoryTransport() }).use(streaming);
    expect(() => c.audioUrl(link, { hostIndex: 2 })).toThrow(RangeError);
    expect(() => c.audioUrl(link, { hostIndex: -1 })).toThrow(RangeError);
  });
});
