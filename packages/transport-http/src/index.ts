export { httpTransport } from './transport.js';
export type { HttpTransportOptions, TlsOptions } from './transport.js';
export { download, downloadToFile } from './links.js';
export { downloads } from './downloads.js';
export type { DownloadHelpers, DownloadSource, DownloadToFileHelperOptions } from './downloads.js';
export { linkUrls } from './core.js';
export type { DownloadOptions, DownloadResult, DownloadToFileOptions, DownloadToFileResult } from './links.js';
export type { LinkAnswer, LinkUrlOptions } from './core.js';
