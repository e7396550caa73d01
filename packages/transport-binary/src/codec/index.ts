export { encodeRequest, REQUEST_LIMITS } from './encode.js';
export type { EncodeRequestOptions } from './encode.js';
export {
  BinaryData,
  decodeResponse,
  decodeTree,
  DEFAULT_DECODE_LIMITS,
  readFrameLength,
  totalDataLength,
} from './decode.js';
export type { DecodedResponse, DecodedTree, DecodeLimits } from './decode.js';
