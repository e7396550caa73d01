/**
 * The streaming methods and their result types. Its only run-time exports are
 * the method definitions, each under its wire name: the package's
 * `definitions` list and plugin are built from them, and each method's JSDoc
 * (params included) is what editors show on `client.<method>`.
 */
import { defineMethod, joinParams, param, returns } from '@pcloudkit/core';
import type { DataResponse } from '@pcloudkit/core';

const group = 'streaming';

/** The answer of the link methods: where the bytes can be fetched, and until when. */
export interface LinkResult {
  /** Content servers able to serve the link, best first. */
  hosts: string[];
  /** Path (with its query) to append to a host. */
  path: string;
  /** When the link stops working. */
  expires: Date;
}

export type GetFileLinkResult = LinkResult;
export type GetVideoLinkResult = LinkResult;
export type GetAudioLinkResult = LinkResult;
export type GetHlsLinkResult = LinkResult;
/** `gettextfile` answers with the bytes themselves. */
export type GetTextFileResult = DataResponse;

/** One rendition of a video, from {@link getvideolinks}. */
export interface VideoVariant extends LinkResult {
  width: number;
  height: number;
  /** Seconds, as a decimal string (e.g. `"30.03"`). */
  duration: string;
  /** Frames per second, as a string. */
  fps: string;
  videobitrate: number;
  audiobitrate: number;
  videocodec: string;
  audiocodec: string;
  /** True for the original file, false for transcoded renditions. */
  isoriginal: boolean;
  /** Original rendition only: rotation in degrees. */
  rotate?: number;
  /** Original rendition only: audio sample rate in Hz. */
  audiosamplerate?: number;
}

/** Answer of {@link getvideolinks}. */
export interface GetVideoLinksResult {
  variants: VideoVariant[];
}

const target = {
  /** Id of the file. */
  fileid: /* @__PURE__ */ param.int(),
  /** Absolute path of the file (starts with '/'); ids are preferred. */
  path: /* @__PURE__ */ param.string(),
};
const oneOf = { target: ['fileid', 'path'] } as const;

/** Temporary download link for a file. Not callable from web pages (see the package docs). */
export const getfilelink = /* @__PURE__ */ defineMethod({
  name: 'getfilelink',
  group,
  params: /* @__PURE__ */ joinParams(target, {
    /** Serve as application/octet-stream so browsers save the file. */
    forcedownload: /* @__PURE__ */ param.flag(),
    /** Content-Type to serve instead of the one guessed from the name. */
    contenttype: /* @__PURE__ */ param.string(),
    /** Download speed cap in bytes per second. */
    maxspeed: /* @__PURE__ */ param.int({ min: 1 }),
    /** Leave the file name out of the link. */
    skipfilename: /* @__PURE__ */ param.flag(),
  }),
  oneOf,
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<GetFileLinkResult>(),
});

/**
 * Link to a video transcoded on the fly (FLV with H.264 and MP3), adaptive
 * unless `fixedbitrate` is set. The link takes a `start` query param
 * (seconds to skip). Non-video files fail with 2044.
 */
export const getvideolink = /* @__PURE__ */ defineMethod({
  name: 'getvideolink',
  group,
  params: /* @__PURE__ */ joinParams(target, {
    /** Serve as application/octet-stream. */
    forcedownload: /* @__PURE__ */ param.flag(),
    /** Content-Type to serve instead of the FLV default. */
    contenttype: /* @__PURE__ */ param.string(),
    /** Speed cap in bytes per second. */
    maxspeed: /* @__PURE__ */ param.int({ min: 1 }),
    /** Leave the file name out of the link. */
    skipfilename: /* @__PURE__ */ param.flag(),
    /** Audio bitrate in kbit/s (16-320, default 128). */
    abitrate: /* @__PURE__ */ param.int({ min: 16, max: 320 }),
    /** Video bitrate in kbit/s (16-4000, default 1000); the starting point when adaptive. */
    vbitrate: /* @__PURE__ */ param.int({ min: 16, max: 4000 }),
    /** Target size 'WIDTHxHEIGHT', from 64x64 to 1280x960. */
    resolution: /* @__PURE__ */ param.string(),
    /** Stream at a constant bitrate instead of adapting. */
    fixedbitrate: /* @__PURE__ */ param.bool(),
  }),
  oneOf,
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<GetVideoLinkResult>(),
});

/** Lists the renditions of a video (resolutions, bitrates, the original), each with its own link. */
export const getvideolinks = /* @__PURE__ */ defineMethod({
  name: 'getvideolinks',
  group,
  params: /* @__PURE__ */ joinParams(target, {
    /** Serve as application/octet-stream. */
    forcedownload: /* @__PURE__ */ param.flag(),
    /** Content-Type to serve instead of the video default. */
    contenttype: /* @__PURE__ */ param.string(),
    /** Speed cap in bytes per second. */
    maxspeed: /* @__PURE__ */ param.int({ min: 1 }),
    /** Leave the file name out of the links. */
    skipfilename: /* @__PURE__ */ param.bool(),
  }),
  oneOf,
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<GetVideoLinksResult>(),
});

/**
 * Makes a link that streams the audio of a file (a song in any format, or
 * the sound track of a video) transcoded to MP3 — handy for FLAC on devices
 * that only play MP3.
 *
 * Give exactly one of `fileid` or `path`. `abitrate` is the MP3 bitrate in
 * kbit/s, 16 to 320 (pCloud's default is 192); anything else is rejected
 * before the call is sent. Files without audio fail with `ApiError` 2044.
 *
 * The answer is pCloud's raw one: `hosts` (content servers, best first),
 * `path` and `expires`. Build a URL as origin of `hosts[0]` + `path`, and add
 * `start=<seconds>` to its query to begin playback later. With the
 * {@link streaming} plugin, `client.audioLink(params)` does all of that.
 *
 * **Referer restriction.** pCloud refuses this call when the HTTP `Referer`
 * is not a pcloud.com page, so it cannot be made from a web page: browser
 * apps must call it from their server (which sends no Referer) and pass the
 * URL to the page. The resulting link itself plays fine in an `<audio>`
 * element.
 *
 * @example
 * ```ts
 * import { createClient } from '@pcloudkit/core';
 * import { httpTransport } from '@pcloudkit/transport-http';
 * import { getaudiolink } from '@pcloudkit/methods-streaming';
 *
 * const client = createClient({ transport: httpTransport(), auth: { accessToken } });
 * const link = await getaudiolink(client, { path: '/Music/song.flac', abitrate: 320 });
 * const url = new URL(link.path, `https://${link.hosts[0]}`);
 * url.searchParams.set('start', '90'); // skip the first 90 seconds
 * ```
 *
 * @example With the plugin helpers
 * ```ts
 * const c = client.use(streaming);
 * const audio = await c.audioLink({ fileid: 1234 });
 * audio.url();        // best host, from the beginning
 * audio.url(30);      // start at 0:30
 * audio.expires;      // Date
 * ```
 */
export const getaudiolink = /* @__PURE__ */ defineMethod({
  name: 'getaudiolink',
  group,
  params: /* @__PURE__ */ joinParams(target, {
    /** Serve as application/octet-stream. */
    forcedownload: /* @__PURE__ */ param.flag(),
    /** Content-Type to serve instead of the default. */
    contenttype: /* @__PURE__ */ param.string(),
    /** MP3 bitrate in kbit/s, 16-320 (default 192). */
    abitrate: /* @__PURE__ */ param.int({ min: 16, max: 320 }),
  }),
  oneOf,
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<GetAudioLinkResult>(),
});

/** Link to an m3u8 playlist for HTTP Live Streaming of a video. Defaults are those of getvideolink. */
export const gethlslink = /* @__PURE__ */ defineMethod({
  name: 'gethlslink',
  group,
  params: /* @__PURE__ */ joinParams(target, {
    /** Audio bitrate in kbit/s (16-320). */
    abitrate: /* @__PURE__ */ param.int({ min: 16, max: 320 }),
    /** Video bitrate in kbit/s (16-4000). */
    vbitrate: /* @__PURE__ */ param.int({ min: 16, max: 4000 }),
    /** Target size 'WIDTHxHEIGHT', from 64x64 to 1280x960. */
    resolution: /* @__PURE__ */ param.string(),
    /** Leave the file name out of the link. */
    skipfilename: /* @__PURE__ */ param.flag(),
  }),
  oneOf,
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<GetHlsLinkResult>(),
});

/**
 * Returns the content of a text file, optionally converted between
 * character encodings, as a byte stream from the API server itself.
 *
 * @example
 * ```ts
 * const { body } = await gettextfile(client, { path: '/notes.txt', toencoding: 'utf-8' });
 * const text = await new Response(body).text();
 * ```
 */
export const gettextfile = /* @__PURE__ */ defineMethod({
  name: 'gettextfile',
  group,
  params: /* @__PURE__ */ joinParams(target, {
    /** Encoding of the stored file; guessed when left out. */
    fromencoding: /* @__PURE__ */ param.string(),
    /** Encoding of the returned text; utf-8 by default. */
    toencoding: /* @__PURE__ */ param.string(),
    /** Serve as application/octet-stream. */
    forcedownload: /* @__PURE__ */ param.flag(),
    /** Content-Type to serve instead of the one derived from the name. */
    contenttype: /* @__PURE__ */ param.string(),
  }),
  oneOf,
  auth: true,
  data: 'download',
  idempotent: true,
  result: /* @__PURE__ */ returns<GetTextFileResult>(),
});
