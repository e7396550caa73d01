export { createClient, backoffDelay } from './client.js';
export { defineMethod, definePlugin, isMethod, param, returns } from './define.js';
export type { InferParams, Method, MethodInput, Returns } from './define.js';
export {
  AbortError, ApiError, PcloudError, ProtocolError, TimeoutError, TransportError, ValidationError,
  errorClassOf, isRetryableCode, redactParams, SECRET_PARAMS,
} from './errors.js';
export type { ErrorClass } from './errors.js';
export { accessTokenAuth, authTokenAuth, passwordAuth, passwordDigest } from './auth.js';
export { EU, US, hostOrigin, regionFromHostname, regionFromLocationId, resolveRegion } from './regions.js';
export type { Region } from './regions.js';
export { parseJson, stringifyJson } from './json.js';
export { decodeAnswer, DATETIME_FIELDS } from './decode.js';
export { encodeParam, encodeParams } from './params.js';
export { linkUrls } from './links.js';
export type { LinkAnswer, LinkUrlOptions } from './links.js';
export type * from './types.js';
export type * from './metadata.js';
