export { createClient } from './client.js';
export { backoffDelay, defaultRetryPolicy, retryPolicy } from './retry.js';
export { LAYER_NAMES, checkLayer, credentialsLayer, hostLayer, retryLayer, timeoutLayer } from './layers.js';
export { hostState } from './hosts.js';
export type { HostState, HostStateInit } from './hosts.js';
export { memoryTransport } from './memory.js';
export type { MemoryAnswer, MemoryTransport, MemoryTransportOptions } from './memory.js';
export { defineMethod, definePlugin, isMethod, joinParams, methodList, param, returns } from './define.js';
export type { InferParams, JoinedParams, Method, MethodInput, MethodList, MethodsOf, Returns } from './define.js';
export {
  AbortError,
  AnswerTooLargeError,
  ApiError,
  answerSnippet,
  DEFAULT_MAX_ANSWER_BYTES,
  IntegrityError,
  PcloudError,
  ProtocolError,
  TimeoutError,
  TransportError,
  ValidationError,
  errorClassOf,
  isRetryableCode,
  redactParams,
  SECRET_PARAMS,
} from './errors.js';
export type { ErrorClass, TimeoutPhase } from './errors.js';
export { CALL_LIMIT, checkDuration, DeadlineLimit, timerSignal } from './timer.js';
export type { TimerSignal } from './timer.js';
export { accessTokenAuth, authTokenAuth } from './auth.js';
export { passwordAuth, passwordDigest } from './password.js';
export { EU, US, hostOrigin, regionFromHostname, regionFromLocationId, resolveRegion } from './regions.js';
export type { Region } from './regions.js';
export { jsonSafe, parseJson, stringifyJson } from './json.js';
export { concatBytes, ERROR_SNIFF_LIMIT, errorAnswer, readHead } from './sniff.js';
export { decodeAnswer, DATETIME_FIELDS } from './decode.js';
export { encodeParam, encodeParams } from './params.js';
export { loginKey, wirePairs, wireText } from './wire.js';
export { downloadUrls, linkUrls, rangeHeader } from './links.js';
export { isAsyncIterable, isBlob, isPathSource, isReadableStream, knownSize, toBytes, uploadSource } from './upload-source.js';
export type { FileOpener, OpenedFile, UploadData, UploadSource, UploadSourceOptions } from './upload-source.js';
export type { ByteRange, LinkAnswer, LinkUrlOptions } from './links.js';
export type * from './types.js';
export type * from './metadata.js';
