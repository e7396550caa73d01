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
import { definePlugin, linkUrls, methodList, type MethodList, type LinkUrlOptions } from '@pcloudkit/core';
import type { CallOptions, CoreClient, ParamsOf } from '@pcloudkit/core';
// The same module by its public path, for the types (see tsup.config.ts).
import type * as Methods from '@pcloudkit/methods-streaming/methods';
import * as methods from './methods.js';
import { getaudiolink, type GetAudioLinkResult, type LinkResult } from './methods.js';

// The definitions live in methods.ts, one export per method under its wire name.
export * from './methods.js';

/** Every streaming method, sorted by name. */
export const definitions: MethodList<typeof Methods> = /* @__PURE__ */ methodList(methods);

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
export const streaming = /* @__PURE__ */ definePlugin({
  name: 'streaming',
  methods: definitions,
  extend: helpers,
});
