export { fetchTransport } from './transport.js';
export type { FetchTransportOptions } from './transport.js';
export { download } from './links.js';
export type { DownloadOptions, DownloadResult } from './links.js';
export { linkUrls } from './core.js';
export type { LinkAnswer, LinkUrlOptions } from './core.js';
