export { httpTransport } from './transport.js';
export type { HttpTransportOptions, TlsOptions } from './transport.js';
export { linkUrls, download, downloadToFile } from './links.js';
export type { LinkAnswer, LinkUrlOptions, DownloadOptions, DownloadResult } from './links.js';
