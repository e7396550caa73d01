import type { CoreClient, DataResponse, FileMetadata } from '@pcloudkit/core';
import { describe, expectTypeOf, it } from 'vitest';
import { getthumb, thumbnails, type ThumbLinkResult, type ThumbUrl, type ThumbUrlError, type ThumbsLinksEntry } from '../src/index.js';

declare const client: CoreClient;
const c = client.use(thumbnails);

describe('thumbnail types', () => {
  it('getthumblink needs exactly one of fileid and path, and a size', () => {
    expectTypeOf(c.getthumblink).toBeCallableWith({ fileid: 1, size: '64x64' });
    expectTypeOf(c.getthumblink).toBeCallableWith({ path: '/a.jpg', size: '64x64', crop: true, type: 'png' });
    // @ts-expect-error size is required
    void c.getthumblink({ fileid: 1 });
    // @ts-expect-error both fileid and path
    void c.getthumblink({ fileid: 1, path: '/a.jpg', size: '64x64' });
    // @ts-expect-error crop is a flag
    void c.getthumblink({ fileid: 1, size: '64x64', crop: 'yes' });
  });

  it('answers are typed', () => {
    expectTypeOf(c.getthumblink({ fileid: 1, size: '64x64' })).resolves.toEqualTypeOf<ThumbLinkResult>();
    expectTypeOf<ThumbLinkResult['expires']>().toEqualTypeOf<Date>();
    expectTypeOf(c.getthumbslinks({ fileids: [1, 2], size: '64x64' }))
      .resolves.toHaveProperty('thumbs')
      .toEqualTypeOf<ThumbsLinksEntry[]>();
    expectTypeOf(getthumb(client, { fileid: 1, size: '64x64' })).resolves.toEqualTypeOf<DataResponse>();
    expectTypeOf(c.savethumb({ fileid: 1, size: '64x64', tofolderid: 0 }))
      .resolves.toHaveProperty('metadata')
      .toEqualTypeOf<FileMetadata>();
  });

  it('savethumb needs one destination', () => {
    expectTypeOf(c.savethumb).toBeCallableWith({ fileid: 1, size: '64x64', topath: '/t.jpg', noover: true });
    // @ts-expect-error no destination
    void c.savethumb({ fileid: 1, size: '64x64' });
  });

  it('thumbUrls resolves to per-file results', () => {
    expectTypeOf(c.thumbUrls([1, 2], '64x64')).resolves.toEqualTypeOf<(ThumbUrl | ThumbUrlError)[]>();
    expectTypeOf(c.thumbUrls).toBeCallableWith([1], { width: 64, height: 64 }, { crop: true, type: 'png' });
    // @ts-expect-error a size is WIDTHxHEIGHT
    void c.thumbUrls([1], 'big');
  });
});
