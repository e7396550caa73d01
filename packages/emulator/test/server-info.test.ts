import { describe, expect, it } from 'vitest';
import { ServerInfo, startEmulator } from '../src/index.js';

const SUMS = { sha1: 's1', md5: 'm5', sha256: 's256' };

describe('ServerInfo', () => {
  it('holds the server facts and derives the API URL', () => {
    const info = new ServerInfo({
      apiHost: '127.0.0.1:8080',
      scheme: 'https',
      locationid: 1,
      contentHosts: ['127.0.0.1:1', '127.0.0.1:2'],
    });
    expect(info.apiUrl).toBe('https://127.0.0.1:8080');
    expect(info.contentHosts).toEqual(['127.0.0.1:1', '127.0.0.1:2']);
    expect(Object.isFrozen(info.contentHosts)).toBe(true);
    expect(info.binapiHost).toBeUndefined();
  });

  it('copies the content hosts it is given', () => {
    const hosts = ['127.0.0.1:1'];
    const info = new ServerInfo({ apiHost: '127.0.0.1:8080', scheme: 'http', locationid: 1, contentHosts: hosts });
    hosts.push('127.0.0.1:2');
    expect(info.contentHosts).toEqual(['127.0.0.1:1']);
  });

  it('refuses missing facts', () => {
    expect(() => new ServerInfo({ apiHost: '', scheme: 'http', locationid: 1, contentHosts: ['a:1'] })).toThrow(TypeError);
    expect(() => new ServerInfo({ apiHost: 'a:1', scheme: 'http', locationid: 1, contentHosts: [] })).toThrow(TypeError);
  });

  it('takes one binary port', () => {
    const info = new ServerInfo({ apiHost: 'a:1', scheme: 'http', locationid: 1, contentHosts: ['a:2'] });
    info.attachBinapi('a:3');
    info.attachBinapi('a:3');
    expect(info.binapiHost).toBe('a:3');
    expect(() => info.attachBinapi('a:4')).toThrow(/already attached/);
  });

  it('answers the region checksums: md5 in the US, sha256 in the EU', () => {
    expect(new ServerInfo({ apiHost: 'a:1', scheme: 'http', locationid: 1, contentHosts: ['a:2'] }).checksums(SUMS)).toEqual({
      sha1: 's1',
      md5: 'm5',
    });
    expect(new ServerInfo({ apiHost: 'a:1', scheme: 'http', locationid: 2, contentHosts: ['a:2'] }).checksums(SUMS)).toEqual({
      sha1: 's1',
      sha256: 's256',
    });
  });

  it('is what a started emulator reports', async () => {
    const emu = await startEmulator({ seed: false, region: 'eu', contentHosts: 3 });
    try {
      const info = emu.core.server;
      expect(info).toMatchObject({ apiHost: emu.apiHost, scheme: 'http', locationid: 2 });
      expect(info.apiUrl).toBe(emu.api);
      expect(info.contentHosts).toEqual(emu.contentHosts);
      expect(info.contentHosts).toHaveLength(3);
      expect(info.binapiHost).toBe(`${emu.binary!.host}:${emu.binary!.port}`);
    } finally {
      await emu.stop();
    }
  });
});
