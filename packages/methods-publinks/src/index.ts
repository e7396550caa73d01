/**
 * pCloud public links: make links to your files, folders, chosen trees and
 * collections, list, change and delete them, and read through a link's code
 * without logging in (metadata, downloads, thumbnails, ZIPs, audio and video
 * links, text files), or copy what a link holds into your own account.
 *
 * Each method is a definition made with core's `defineMethod`. Use them as
 * standalone functions (`showpublink(client, { code })`) or add the
 * {@link publinks} plugin to a client (`client.use(publinks)`), which also
 * brings helpers that give ready URLs: `client.publicFile()` (a file's
 * download URLs), `client.publicAudio()` (MP3 URLs that can start at a
 * second) and `client.publicZipStream()` (a ZIP of the link as a web stream,
 * with progress). Writing a public file or ZIP to disk lives in
 * `@pcloudkit/methods-publinks/node`.
 *
 * The reading methods need no login: a client made without `auth` calls
 * them. Results 7001-7006 (unknown, deleted, expired, traffic or download
 * cap reached) are states of the link; show them calmly.
 */
import { type CallOptions, type CoreClient, definePlugin, linkUrls, methodList, type MethodList, type ParamsOf } from '@pcloudkit/core';
// The same module by its public path, for the types (see tsup.config.ts).
import type * as Methods from '@pcloudkit/methods-publinks/methods';
import * as methods from './methods.js';
import { getpubaudiolink, getpublinkdownload, getpubzip, type PubLinkResult } from './methods.js';

// The definitions live in methods.ts, one export per method under its wire name.
export * from './methods.js';

/** Every public link method, sorted by name. */
export const definitions: MethodList<typeof Methods> = /* @__PURE__ */ methodList(methods);

// ---------------------------------------------------------------------------
// Helpers

/** Ready URLs of a public link's file, from `getpublinkdownload` or `getpubaudiolink`. */
export interface PublicLink<R extends PubLinkResult = PubLinkResult> {
  /** One URL per content host, best first. */
  urls: string[];
  /** When the URLs stop working. */
  expires: Date;
  /** The URL on the given host (default the best). */
  url(hostIndex?: number): string;
  /** pCloud's answer, unchanged. */
  raw: R;
}

/** Ready MP3 URLs of a public link's audio file; `url(start)` starts `start` seconds in. */
export interface PublicAudio extends Omit<PublicLink, 'url'> {
  url(start?: number, hostIndex?: number): string;
}

/** Options of {@link publicZipStream}. */
export interface PublicZipOptions extends Pick<CallOptions, 'signal' | 'timeout' | 'bodyTimeout'> {
  /** Bytes received so far, and the archive's length when the server said. */
  onProgress?: (progress: { loaded: number; total?: number }) => void;
}

/** A ZIP being received: its bytes as a web stream and, when known, its length. */
export interface PublicZipDownload {
  body: ReadableStream<Uint8Array>;
  length?: number;
}

function hostPicker(urls: string[]) {
  return (hostIndex = 0): string => {
    if (!Number.isInteger(hostIndex) || hostIndex < 0 || hostIndex >= urls.length) {
      throw new RangeError(`hostIndex ${hostIndex} is out of range: the link has ${urls.length} host(s)`);
    }
    return urls[hostIndex]!;
  };
}

/** `getpublinkdownload` with ready URLs (the client's scheme for bare hosts). */
export async function publicFile(
  client: CoreClient,
  params: ParamsOf<typeof getpublinkdownload>,
  options?: CallOptions,
): Promise<PublicLink> {
  const raw = await client.request(getpublinkdownload, params, options);
  const urls = linkUrls(raw, { scheme: client.scheme });
  return { urls, expires: raw.expires, url: hostPicker(urls), raw };
}

/** `getpubaudiolink` with ready URLs; `url(start)` skips `start` seconds. */
export async function publicAudio(
  client: CoreClient,
  params: ParamsOf<typeof getpubaudiolink>,
  options?: CallOptions,
): Promise<PublicAudio> {
  const raw = await client.request(getpubaudiolink, params, options);
  const urls = linkUrls(raw, { scheme: client.scheme });
  const pick = hostPicker(urls);
  return {
    urls,
    expires: raw.expires,
    url: (start?: number, hostIndex = 0) => {
      const base = pick(hostIndex);
      if (start === undefined) return base;
      return linkUrls({ hosts: [raw.hosts[hostIndex]!], path: raw.path }, { scheme: client.scheme, start })[0]!;
    },
    raw,
  };
}

/** A ZIP of the link (`getpubzip`) as a web stream, never held whole in memory; `onProgress` sees the bytes. */
export async function publicZipStream(
  client: CoreClient,
  params: ParamsOf<typeof getpubzip>,
  options: PublicZipOptions = {},
): Promise<PublicZipDownload> {
  const { onProgress, ...call } = options;
  const answer = await client.request(getpubzip, params, call);
  if (!onProgress) return answer.length === undefined ? { body: answer.body } : { body: answer.body, length: answer.length };
  const total = answer.length;
  let loaded = 0;
  const body = answer.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        loaded += chunk.byteLength;
        onProgress(total === undefined ? { loaded } : { loaded, total });
        controller.enqueue(chunk);
      },
    }),
  );
  return total === undefined ? { body } : { body, length: total };
}

/** The helpers the {@link publinks} plugin adds to a client. */
export interface PublinksHelpers {
  /** `getpublinkdownload` with ready URLs. */
  publicFile(params: ParamsOf<typeof getpublinkdownload>, options?: CallOptions): Promise<PublicLink>;
  /** `getpubaudiolink` with ready URLs that can start at a given second. */
  publicAudio(params: ParamsOf<typeof getpubaudiolink>, options?: CallOptions): Promise<PublicAudio>;
  /** A ZIP of the link as a web stream, with progress. */
  publicZipStream(params: ParamsOf<typeof getpubzip>, options?: PublicZipOptions): Promise<PublicZipDownload>;
}

function helpers(client: CoreClient): PublinksHelpers {
  return {
    publicFile: (params, options) => publicFile(client, params, options),
    publicAudio: (params, options) => publicAudio(client, params, options),
    publicZipStream: (params, options) => publicZipStream(client, params, options),
  };
}

/**
 * Adds the public link methods, plus `publicFile`, `publicAudio` and
 * `publicZipStream`, to a client: `createClient(...).use(publinks)`.
 */
export const publinks = /* @__PURE__ */ definePlugin({
  name: 'publinks',
  methods: definitions,
  extend: helpers,
});
