export { startBinaryPort } from './server.js';
export type { BinaryPort, BinaryPortOptions } from './server.js';
export { encodeReply } from './response.js';
export { MalformedRequest, parseHeader } from './request.js';
export type { BinaryRequest } from './request.js';
