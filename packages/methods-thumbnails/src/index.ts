/**
 * pCloud thumbnail methods: links to thumbnails of image files (one file or
 * many in one call), the thumbnail bytes over the API, and thumbnails saved
 * as files of the account.
 *
 * Each method is a definition made with core's `defineMethod`. Use them as
 * standalone functions (`getthumblink(client, { fileid, size: '120x120' })`)
 * or add the {@link thumbnails} plugin to a client, which also brings
 * `thumbUrls`: ready URLs for many files, with per-file errors.
 */
import { ApiError, definePlugin, linkUrls, methodList, ProtocolError, ValidationError, type MethodList } from '@pcloudkit/core';
import type { CallOptions, CoreClient } from '@pcloudkit/core';
// The same module by its public path, for the types (see tsup.config.ts).
import type * as Methods from '@pcloudkit/methods-thumbnails/methods';
import * as methods from './methods.js';
import { getthumbslinks } from './methods.js';

// The definitions live in methods.ts, one export per method under its wire name.
export * from './methods.js';

/** Every thumbnail method, sorted by name. */
export const definitions: MethodList<typeof Methods> = /* @__PURE__ */ methodList(methods);

// ---------------------------------------------------------------------------
// Sizes

/** A thumbnail box: `'WIDTHxHEIGHT'` or its two numbers. */
export type ThumbSize = `${number}x${number}` | { width: number; height: number };

const sideOk = (n: number, max: number) => Number.isInteger(n) && n >= 16 && n <= max && (n % 4 === 0 || n % 5 === 0);

/**
 * Checks a thumbnail box against pCloud's rules (width 16-2048, height
 * 16-1024, each divisible by 4 or by 5) and returns it as `'WIDTHxHEIGHT'`.
 * Throws a RangeError for a box pCloud would refuse with 1015.
 */
export function thumbSize(size: ThumbSize): string {
  let width: number;
  let height: number;
  if (typeof size === 'string') {
    const m = /^(\d+)x(\d+)$/.exec(size);
    width = m ? Number(m[1]) : Number.NaN;
    height = m ? Number(m[2]) : Number.NaN;
  } else {
    ({ width, height } = size ?? ({} as { width: number; height: number }));
  }
  if (!sideOk(width, 2048) || !sideOk(height, 1024)) {
    throw new RangeError(
      `thumbnail size ${JSON.stringify(size)}: width must be 16-2048 and height 16-1024, each divisible by 4 or by 5 (e.g. '120x120')`,
    );
  }
  return `${width}x${height}`;
}

// ---------------------------------------------------------------------------
// The plugin's helper

/** Options of `thumbUrls`. */
export interface ThumbUrlsOptions {
  /** Fill the box exactly, trimming the image evenly on both sides. */
  crop?: boolean;
  /** `'png'` for PNG; JPEG by default. */
  type?: 'png' | 'jpeg';
}

/** One file's thumbnail, from `thumbUrls`. */
export interface ThumbUrl {
  ok: true;
  fileid: number;
  /** URL on the best content host. */
  url: string;
  /** One URL per content host, best first. */
  urls: string[];
  /** Real size of the thumbnail (without crop, one side may be smaller than asked). */
  width: number;
  height: number;
  /** When the URLs stop working. */
  expires: Date;
}

/** Why one file has no thumbnail, from `thumbUrls`. */
export interface ThumbUrlError {
  ok: false;
  fileid: number;
  /** pCloud's error for this file: `result` 1014 (not an image), 2009 (no such file), 3001 (cannot be decoded), ... */
  error: ApiError;
}

/** Helpers the {@link thumbnails} plugin adds to a client. */
export interface ThumbnailHelpers {
  /**
   * Thumbnail URLs for many files in one `getthumbslinks` call, in the order
   * of `fileids`. A file that has no thumbnail gets an entry with `ok: false`
   * and its error; the call only fails as a whole for problems of the call
   * itself (login, bad size, network).
   */
  thumbUrls(fileids: readonly number[], size: ThumbSize, options?: ThumbUrlsOptions & CallOptions): Promise<(ThumbUrl | ThumbUrlError)[]>;
}

function helpers(client: CoreClient): ThumbnailHelpers {
  return {
    async thumbUrls(fileids, size, options = {}) {
      if (!Array.isArray(fileids) || fileids.length === 0 || fileids.some((id) => !Number.isSafeInteger(id) || id < 0)) {
        throw new ValidationError('getthumbslinks', 'fileids', 'thumbUrls needs a non-empty list of file ids (integers >= 0)');
      }
      let box: string;
      try {
        box = thumbSize(size);
      } catch (e) {
        throw new ValidationError('getthumbslinks', 'size', (e as Error).message);
      }
      const { crop, type, ...callOptions } = options;
      const answer = await getthumbslinks(
        client,
        { fileids: [...fileids], size: box, ...(crop !== undefined ? { crop } : {}), ...(type !== undefined ? { type } : {}) },
        callOptions,
      );
      const entries = Array.isArray(answer.thumbs) ? answer.thumbs : [];
      return fileids.map((fileid, i) => {
        const entry = entries[i]?.fileid === fileid ? entries[i] : entries.find((t) => t?.fileid === fileid);
        if (!entry || typeof entry.result !== 'number')
          throw new ProtocolError(`getthumbslinks: the answer has no entry for file ${fileid}`);
        if (entry.result !== 0 || !('hosts' in entry)) {
          const message = 'error' in entry ? entry.error : `error ${entry.result}`;
          return {
            ok: false,
            fileid,
            error: new ApiError({ result: entry.result, message, method: 'getthumbslinks', body: { ...entry } }),
          };
        }
        const urls = linkUrls(entry, { scheme: client.scheme });
        const [width, height] = String(entry.size).split('x').map(Number) as [number, number];
        return { ok: true, fileid, url: urls[0]!, urls, width, height, expires: entry.expires };
      });
    },
  };
}

/**
 * Adds the thumbnail methods, plus the `thumbUrls` helper, to a client:
 * `createClient(...).use(thumbnails)`.
 */
export const thumbnails = /* @__PURE__ */ definePlugin({
  name: 'thumbnails',
  methods: definitions,
  extend: helpers,
});
