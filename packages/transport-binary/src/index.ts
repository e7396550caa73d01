export { binaryTransport, parseHost } from './transport.js';
export type { BinaryTransportOptions } from './transport.js';
export * from './codec/index.js';
