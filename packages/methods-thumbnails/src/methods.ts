/**
 * The thumbnail methods and their result types. Its only run-time exports are
 * the method definitions, each under its wire name: the package's
 * `definitions` list and plugin are built from them, and each method's JSDoc
 * (params included) is what editors show on `client.<method>`.
 */
import { defineMethod, joinParams, param, returns } from '@pcloudkit/core';
import type { DataResponse, FileMetadata } from '@pcloudkit/core';

const group = 'thumbnails';

// ---------------------------------------------------------------------------
// Result types

/** Answer of {@link getthumblink}: where the thumbnail can be fetched, until when, and its real size. */
export interface ThumbLinkResult {
  /** Content servers able to serve the thumbnail, best first. */
  hosts: string[];
  /** Path to append to a host. */
  path: string;
  /** When the link stops working. */
  expires: Date;
  /** Size of the thumbnail, `WIDTHxHEIGHT`: the requested one with `crop`, else one side may be smaller. */
  size: string;
}

/** One file's entry in a {@link getthumbslinks} answer: a link, or why there is none. */
export type ThumbsLinksEntry =
  | ({ result: 0; fileid: number } & ThumbLinkResult)
  | {
      /** pCloud error code for this file (1014 not an image, 2009 no such file, 3001 not decodable, ...). */
      result: number;
      fileid: number;
      /** pCloud's message for the code. */
      error: string;
    };

/** Answer of {@link getthumbslinks}. */
export interface GetThumbsLinksResult {
  /** One entry per requested file, in the order asked. */
  thumbs: ThumbsLinksEntry[];
}

/** `getthumb` answers with the image bytes (JPEG, or PNG with `type: 'png'`). */
export type GetThumbResult = DataResponse;

/** Answer of {@link savethumb}. */
export interface SaveThumbResult {
  /** The stored thumbnail file. */
  metadata: FileMetadata;
  /** Width of the stored image, in pixels. */
  width: number;
  /** Height of the stored image, in pixels. */
  height: number;
}

// ---------------------------------------------------------------------------
// Shared param specs

const target = {
  /** Id of the image file. */
  fileid: /* @__PURE__ */ param.int(),
  /** Absolute path of the image file (starts with '/'); ids are preferred. */
  path: /* @__PURE__ */ param.string(),
};
const oneOf = { target: ['fileid', 'path'] } as const;

const shape = {
  /**
   * Box to fit, `WIDTHxHEIGHT`: width 16-2048, height 16-1024, each divisible
   * by 4 or by 5 (else error 1015), e.g. `'120x120'`, `'256x192'`.
   */
  size: /* @__PURE__ */ param.string({ required: true }),
  /**
   * Fill the box exactly: the image is first trimmed evenly on both sides to
   * the box's proportions, then scaled. Without it the proportions are kept
   * and one side may come out smaller than asked.
   */
  crop: /* @__PURE__ */ param.flag(),
  /** `'png'` for PNG; JPEG by default. */
  type: /* @__PURE__ */ param.string({ enum: ['png', 'jpeg'] }),
};

// ---------------------------------------------------------------------------
// Definitions

/**
 * Link to a thumbnail of an image file, made on the content servers. Files
 * that are not images (metadata `thumb: false`) fail with 1014; images that
 * cannot be decoded with 3001. The answer's `size` is the thumbnail's real
 * size.
 */
export const getthumblink = /* @__PURE__ */ defineMethod({
  name: 'getthumblink',
  group,
  params: /* @__PURE__ */ joinParams(target, shape),
  oneOf,
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<ThumbLinkResult>(),
});

/**
 * Thumbnail links for many files at once, all with the same size, crop and
 * type. A problem with one file (not an image, gone, ...) is reported in
 * its own entry (`result` and `error`); the call itself still succeeds.
 */
export const getthumbslinks = /* @__PURE__ */ defineMethod({
  name: 'getthumbslinks',
  group,
  params: /* @__PURE__ */ joinParams(
    {
      /** Ids of the image files. */
      fileids: /* @__PURE__ */ param.intList({ required: true }),
    },
    shape,
  ),
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<GetThumbsLinksResult>(),
});

/**
 * The thumbnail of an image file, sent back over the API connection (useful
 * to reuse a connection that is already open; content links are not slower).
 *
 * @example
 * ```ts
 * const { body, contentType } = await getthumb(client, { path: '/Pictures/photo.jpg', size: '120x120', crop: true });
 * const bytes = new Uint8Array(await new Response(body).arrayBuffer());
 * ```
 */
export const getthumb = /* @__PURE__ */ defineMethod({
  name: 'getthumb',
  group,
  params: /* @__PURE__ */ joinParams(target, shape),
  oneOf,
  auth: true,
  data: 'download',
  idempotent: true,
  result: /* @__PURE__ */ returns<GetThumbResult>(),
});

/**
 * Makes a thumbnail of an image file and stores it as a file of the account.
 * An existing file of that name gets the thumbnail as a new revision, unless
 * `noover` is set (then 2004).
 */
export const savethumb = /* @__PURE__ */ defineMethod({
  name: 'savethumb',
  group,
  params: /* @__PURE__ */ joinParams(target, shape, {
    /** Full path of the new file; ending with '/', the source file's name is added. */
    topath: /* @__PURE__ */ param.string(),
    /** Folder to store the thumbnail in. */
    tofolderid: /* @__PURE__ */ param.int({ min: 0 }),
    /** Name of the new file in `tofolderid`; the source file's name by default. */
    toname: /* @__PURE__ */ param.string(),
    /** Fail with 2004 instead of replacing an existing file. */
    noover: /* @__PURE__ */ param.flag(),
  }),
  oneOf: { target: ['fileid', 'path'], destination: ['topath', 'tofolderid'] },
  auth: true,
  idempotent: false,
  result: /* @__PURE__ */ returns<SaveThumbResult>(),
});
