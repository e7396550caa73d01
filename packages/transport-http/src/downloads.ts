/**
 * The `downloads` plugin: `client.download()` and `client.downloadToFile()`,
 * the functions of links.ts with the client's scheme filled in, so a client
 * pointed at an `http://` API (the emulator, a local proxy) fetches its links
 * over `http` without the caller passing `scheme` by hand.
 */
import { definePlugin } from './core.js';
import type { CoreClient, LinkAnswer } from './core.js';
import {
  type DownloadOptions,
  type DownloadResult,
  type DownloadToFileOptions,
  type DownloadToFileResult,
  download,
  downloadToFile,
} from './links.js';

/** Where a download comes from: a link answer (`getfilelink`, ...), a URL or a list of URLs. */
export type DownloadSource = LinkAnswer | string | readonly string[];

/** Options of the plugin's `downloadToFile`. */
export interface DownloadToFileHelperOptions extends DownloadToFileOptions {
  /**
   * The file in the account whose checksums the download must match: the
   * plugin asks `checksumfile` for them first and passes them as `checksum`.
   */
  verify?: { fileid: number | bigint } | { path: string };
}

/** What the {@link downloads} plugin adds to a client. */
export interface DownloadHelpers {
  /**
   * {@link download} with the client's scheme for the bare hosts of a link
   * answer, and the client's `timeout` and `bodyTimeout` (options given here
   * still win). The hosts come from the link.
   */
  download(source: DownloadSource, options?: DownloadOptions): Promise<DownloadResult>;
  /** {@link downloadToFile} with the client's scheme, like {@link DownloadHelpers.download}. */
  downloadToFile(source: DownloadSource, path: string, options?: DownloadToFileHelperOptions): Promise<DownloadToFileResult>;
}

function helpers(client: CoreClient): DownloadHelpers {
  // Read at each call: a sign-in may switch the client's region (and so its scheme) later.
  // The client's timeout bounds the wait for an answer, its bodyTimeout the reads, unless the call says otherwise.
  const withScheme = (options: DownloadOptions | undefined): DownloadOptions => ({
    scheme: client.scheme,
    timeout: client.options.timeout,
    bodyTimeout: client.options.bodyTimeout,
    ...options,
  });
  return {
    download: (source, options) => download(source, withScheme(options)),
    async downloadToFile(source, path, options) {
      const { verify, ...rest } = options ?? {};
      let checksum = rest.checksum;
      if (verify) {
        const sums = await client.call<Record<string, unknown>>('checksumfile', { ...verify }, { signal: rest.signal });
        checksum = {};
        for (const name of ['sha1', 'md5', 'sha256'] as const) if (typeof sums[name] === 'string') checksum[name] = sums[name] as string;
      }
      return downloadToFile(source, path, withScheme({ ...rest, ...(checksum ? { checksum } : {}) }) as DownloadToFileOptions);
    },
  };
}

/**
 * Adds `download(link, options?)` and `downloadToFile(link, path, options?)`
 * to a client; they take the scheme from the client. Works with any
 * transport: the bytes always come over HTTP from the link's content hosts.
 *
 * @example
 * ```ts
 * const client = createClient({ transport: httpTransport(), region }).use(downloads);
 * const link = await client.call<{ hosts: string[]; path: string }>('getfilelink', { fileid });
 * const { body } = await client.download(link);
 * ```
 */
export const downloads = definePlugin({ name: 'downloads', methods: {}, extend: helpers });
