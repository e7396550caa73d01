/**
 * pCloud's "streaming" methods: temporary links to a file's bytes, to audio
 * and video transcoded on the fly, to HLS playlists, and the content of
 * text files.
 *
 * **These calls do not work from web pages.** pCloud only accepts them when
 * the request's `Referer` is a pcloud.com page, and browsers always send the
 * page's own origin; a browser app must ask its own server to make the call
 * and hand the resulting URL back. Node, Deno, Bun, workers and native apps
 * send no Referer and are not affected.
 *
 * Link answers carry `hosts` (content servers, best first) and `path`; the
 * helpers {@link linkUrls} and the plugin's `linkUrls`/`audioUrl`/`audioLink`
 * turn them into ready URLs.
 */
import { defineMethod, definePlugin, linkUrls, param, returns, type LinkUrlOptions } from '@pcloudkit/core';
import type { CallOptions, CoreClient, DataResponse, ParamsOf } from '@pcloudkit/core';

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
  fileid: param.int({ summary: 'Id of the file.' }),
  path: param.string({ summary: "Absolute path of the file (starts with '/'); ids are preferred." }),
};
const oneOf = { target: ['fileid', 'path'] } as const;

/** Temporary download link for a file. Not callable from web pages (see the package docs). */
export const getfilelink = defineMethod({
  name: 'getfilelink',
  group,
  summary: 'Makes a temporary download link to a file on a content server.',
  params: {
    ...target,
    forcedownload: param.flag({ summary: 'Serve as application/octet-stream so browsers save the file.' }),
    contenttype: param.string({ summary: 'Content-Type to serve instead of the one guessed from the name.' }),
    maxspeed: param.int({ min: 1, summary: 'Download speed cap in bytes per second.' }),
    skipfilename: param.flag({ summary: 'Leave the file name out of the link.' }),
  },
  oneOf,
  auth: true,
  idempotent: true,
  result: returns<GetFileLinkResult>(),
});

/**
 * Link to a video transcoded on the fly (FLV with H.264 and MP3), adaptive
 * unless `fixedbitrate` is set. The link takes a `start` query param
 * (seconds to skip). Non-video files fail with 2044.
 */
export const getvideolink = defineMethod({
  name: 'getvideolink',
  group,
  summary: 'Makes a link that streams a video transcoded on the fly.',
  params: {
    ...target,
    forcedownload: param.flag({ summary: 'Serve as application/octet-stream.' }),
    contenttype: param.string({ summary: 'Content-Type to serve instead of the FLV default.' }),
    maxspeed: param.int({ min: 1, summary: 'Speed cap in bytes per second.' }),
    skipfilename: param.flag({ summary: 'Leave the file name out of the link.' }),
    abitrate: param.int({ min: 16, max: 320, summary: 'Audio bitrate in kbit/s (16-320, default 128).' }),
    vbitrate: param.int({ min: 16, max: 4000, summary: 'Video bitrate in kbit/s (16-4000, default 1000); the starting point when adaptive.' }),
    resolution: param.string({ summary: "Target size 'WIDTHxHEIGHT', from 64x64 to 1280x960." }),
    fixedbitrate: param.bool({ summary: 'Stream at a constant bitrate instead of adapting.' }),
  },
  oneOf,
  auth: true,
  idempotent: true,
  result: returns<GetVideoLinkResult>(),
});

/** Lists the renditions of a video (resolutions, bitrates, the original), each with its own link. */
export const getvideolinks = defineMethod({
  name: 'getvideolinks',
  group,
  summary: 'Lists the available renditions of a video, each with a link and media details.',
  params: {
    ...target,
    forcedownload: param.flag({ summary: 'Serve as application/octet-stream.' }),
    contenttype: param.string({ summary: 'Content-Type to serve instead of the video default.' }),
    maxspeed: param.int({ min: 1, summary: 'Speed cap in bytes per second.' }),
    skipfilename: param.bool({ summary: 'Leave the file name out of the links.' }),
  },
  oneOf,
  auth: true,
  idempotent: true,
  result: returns<GetVideoLinksResult>(),
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
export const getaudiolink = defineMethod({
  name: 'getaudiolink',
  group,
  summary: "Makes a link that streams a file's audio transcoded to MP3.",
  params: {
    ...target,
    forcedownload: param.flag({ summary: 'Serve as application/octet-stream.' }),
    contenttype: param.string({ summary: 'Content-Type to serve instead of the default.' }),
    abitrate: param.int({ min: 16, max: 320, summary: 'MP3 bitrate in kbit/s, 16-320 (default 192).' }),
  },
  oneOf,
  auth: true,
  idempotent: true,
  result: returns<GetAudioLinkResult>(),
});

/** Link to an m3u8 playlist for HTTP Live Streaming of a video. Defaults are those of getvideolink. */
export const gethlslink = defineMethod({
  name: 'gethlslink',
  group,
  summary: 'Makes a link to an m3u8 playlist for HTTP Live Streaming of a video.',
  params: {
    ...target,
    abitrate: param.int({ min: 16, max: 320, summary: 'Audio bitrate in kbit/s (16-320).' }),
    vbitrate: param.int({ min: 16, max: 4000, summary: 'Video bitrate in kbit/s (16-4000).' }),
    resolution: param.string({ summary: "Target size 'WIDTHxHEIGHT', from 64x64 to 1280x960." }),
    skipfilename: param.flag({ summary: 'Leave the file name out of the link.' }),
  },
  oneOf,
  auth: true,
  idempotent: true,
  result: returns<GetHlsLinkResult>(),
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
export const gettextfile = defineMethod({
  name: 'gettextfile',
  group,
  summary: 'Returns the content of a text file, optionally converted to another character encoding.',
  params: {
    ...target,
    fromencoding: param.string({ summary: 'Encoding of the stored file; guessed when left out.' }),
    toencoding: param.string({ summary: 'Encoding of the returned text; utf-8 by default.' }),
    forcedownload: param.flag({ summary: 'Serve as application/octet-stream.' }),
    contenttype: param.string({ summary: 'Content-Type to serve instead of the one derived from the name.' }),
  },
  oneOf,
  auth: true,
  data: 'download',
  idempotent: true,
  result: returns<GetTextFileResult>(),
});

/** Every definition of the group, in catalogue order. */
export const definitions = [getfilelink, getvideolink, getvideolinks, getaudiolink, gethlslink, gettextfile] as const;

// ---------------------------------------------------------------------------
// URL helpers

/** Ready URLs for a link answer: core's helper, re-exported here for convenience. */
export { linkUrls };
export type { LinkUrlOptions };

function checkLink(link: unknown): asserts link is Pick<LinkResult, 'hosts' | 'path'> {
  linkUrls(link as LinkResult); // throws a TypeError on anything that is not a link answer
}

/** Options of the plugin's `audioUrl`. */
export interface AudioUrlOptions {
  /** Seconds to skip. */
  start?: number;
  /** Which host of `hosts` to use; default 0 (the best one). */
  hostIndex?: number;
}

/** What the plugin's `audioLink` resolves to. */
export interface AudioLink {
  /** One URL per content host, best first. */
  urls: string[];
  /** When the link stops working. */
  expires: Date;
  /** URL on the given host (default the best), optionally starting `start` seconds in. */
  url(start?: number, hostIndex?: number): string;
  /** pCloud's answer, unchanged. */
  raw: GetAudioLinkResult;
}

/** Helpers the {@link streaming} plugin adds to a client. */
export interface StreamingHelpers {
  /** Ready URLs for any link answer, with the client's scheme for bare hosts. */
  linkUrls(link: Pick<LinkResult, 'hosts' | 'path'>, options?: Omit<LinkUrlOptions, 'scheme'>): string[];
  /** One URL for an audio (or video) link answer. */
  audioUrl(link: Pick<LinkResult, 'hosts' | 'path'>, options?: AudioUrlOptions): string;
  /** Calls `getaudiolink` and returns ready URLs with it. */
  audioLink(params: ParamsOf<typeof getaudiolink>, options?: CallOptions): Promise<AudioLink>;
}

function pick(link: Pick<LinkResult, 'hosts' | 'path'>, hostIndex = 0): Pick<LinkResult, 'hosts' | 'path'> {
  checkLink(link);
  if (!Number.isInteger(hostIndex) || hostIndex < 0 || hostIndex >= link.hosts.length) {
    throw new RangeError(`hostIndex ${hostIndex} is out of range: the link has ${link.hosts.length} host(s)`);
  }
  return { hosts: [link.hosts[hostIndex]!], path: link.path };
}

function helpers(client: CoreClient): StreamingHelpers {
  const scheme = () => client.scheme;
  const audioUrl = (link: Pick<LinkResult, 'hosts' | 'path'>, options: AudioUrlOptions = {}) =>
    linkUrls(pick(link, options.hostIndex), { scheme: scheme(), start: options.start })[0]!;
  return {
    linkUrls: (link, options = {}) => linkUrls(link, { ...options, scheme: scheme() }),
    audioUrl,
    async audioLink(params, options) {
      const raw = await getaudiolink(client, params, options);
      return {
        urls: linkUrls(raw, { scheme: scheme() }),
        expires: raw.expires,
        url: (start?: number, hostIndex?: number) => audioUrl(raw, { start, hostIndex }),
        raw,
      };
    },
  };
}

/**
 * Adds the streaming methods, plus the `linkUrls`, `audioUrl` and
 * `audioLink` helpers, to a client: `createClient(...).use(streaming)`.
 */
export const streaming = definePlugin({
  name: 'streaming',
  methods: { getfilelink, getvideolink, getvideolinks, getaudiolink, gethlslink, gettextfile },
  extend: helpers,
});
