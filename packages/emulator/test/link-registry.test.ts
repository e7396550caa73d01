import { describe, expect, it } from 'vitest';
import { LinkRegistry, type ContentLink } from '../src/index.js';

const LINK: Omit<ContentLink, 'expires'> = {
  userid: 1,
  fileid: 7,
  blob: 'ab'.repeat(32),
  size: 5,
  name: 'a b.txt',
  contenttype: 'text/plain',
  kind: 'file',
  forcedownload: false,
};

describe('LinkRegistry', () => {
  it('files links under random keys with the file name, encoded', () => {
    const links = new LinkRegistry(1000);
    const a = links.add(LINK);
    const b = links.add(LINK, { name: 'x/y.m3u8' });
    const c = links.add(LINK, { skipFilename: true });
    expect(a.path).toMatch(/^\/[A-Za-z0-9_-]{24}\/a%20b\.txt$/);
    expect(b.path).toMatch(/^\/[A-Za-z0-9_-]{24}\/x%2Fy\.m3u8$/);
    expect(c.path).toMatch(/^\/[A-Za-z0-9_-]{24}$/);
    const keys = [a, b, c].map((l) => l.path.split('/')[1]!);
    expect(new Set(keys).size).toBe(3);
    expect(links.find(keys[0]!)).toMatchObject({ fileid: 7, name: 'a b.txt', expires: a.expires });
    expect(links.find('unknown')).toBeUndefined();
  });

  it('expires links after ttlMs', () => {
    let now = 5000;
    const links = new LinkRegistry(1000, () => now);
    const { path, expires } = links.add(LINK);
    expect(expires).toBe(6000);
    const key = path.split('/')[1]!;
    now = 6000;
    expect(links.find(key)).toMatchObject({ fileid: 7 });
    now = 6001;
    expect(links.find(key)).toBe('expired');
  });

  it('sweeps expired links once it grows large', () => {
    let now = 0;
    const links = new LinkRegistry(10, () => now);
    for (let i = 0; i <= 10_000; i++) links.add(LINK);
    now = 100;
    const live = links.add(LINK);
    expect(links.size).toBe(1);
    expect(links.find(live.path.split('/')[1]!)).toMatchObject({ fileid: 7 });
  });
});
