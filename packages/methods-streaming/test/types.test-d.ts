import type { CoreClient, DataResponse } from '@pcloudkit/core';
import { describe, expectTypeOf, it } from 'vitest';
import { getaudiolink, linkUrls, streaming, type AudioLink, type LinkResult, type VideoVariant } from '../src/index.js';

declare const client: CoreClient;
const c = client.use(streaming);

describe('streaming types', () => {
  it('getaudiolink needs exactly one of fileid and path', () => {
    expectTypeOf(c.getaudiolink).toBeCallableWith({ fileid: 1 });
    expectTypeOf(c.getaudiolink).toBeCallableWith({ path: '/a.flac', abitrate: 320 });
    // @ts-expect-error neither fileid nor path
    void c.getaudiolink({});
    // @ts-expect-error params are required
    void c.getaudiolink();
    // @ts-expect-error both fileid and path
    void c.getaudiolink({ fileid: 1, path: '/a.flac' });
    // @ts-expect-error abitrate is an int
    void getaudiolink(client, { fileid: 1, abitrate: true });
  });

  it('link answers have Date expires', () => {
    expectTypeOf(c.getaudiolink({ fileid: 1 })).resolves.toEqualTypeOf<LinkResult>();
    expectTypeOf<LinkResult['expires']>().toEqualTypeOf<Date>();
    expectTypeOf(c.getfilelink({ path: '/x' }))
      .resolves.toHaveProperty('hosts')
      .toEqualTypeOf<string[]>();
    expectTypeOf(c.getvideolinks({ fileid: 1 }))
      .resolves.toHaveProperty('variants')
      .toEqualTypeOf<VideoVariant[]>();
  });

  it('flags are booleans', () => {
    expectTypeOf(c.getfilelink).toBeCallableWith({ fileid: 1, forcedownload: true, skipfilename: false });
    // @ts-expect-error forcedownload is a flag
    void c.getfilelink({ fileid: 1, forcedownload: 'yes' });
  });

  it('gettextfile resolves to a data response', () => {
    expectTypeOf(c.gettextfile({ fileid: 1 })).resolves.toEqualTypeOf<DataResponse>();
  });

  it('helpers are typed', () => {
    expectTypeOf(c.audioLink({ fileid: 1 })).resolves.toEqualTypeOf<AudioLink>();
    // @ts-expect-error audioLink needs a target too
    void c.audioLink({});
    expectTypeOf(c.audioUrl).parameter(1).toEqualTypeOf<{ start?: number; hostIndex?: number } | undefined>();
    expectTypeOf(c.linkUrls).returns.toEqualTypeOf<string[]>();
    expectTypeOf(linkUrls).toBeCallableWith({ hosts: ['h'], path: '/p' }, { scheme: 'http', start: 3 });
  });
});
