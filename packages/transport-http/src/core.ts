// The one place this package imports core's run-time values from.
export {
  AbortError,
  ApiError,
  PcloudError,
  ValidationError,
  ProtocolError,
  TransportError,
  SECRET_PARAMS,
  definePlugin,
  hostOrigin,
  linkUrls,
  parseJson,
  uploadSource,
} from '@pcloudkit/core';
export type {
  CoreClient,
  FileOpener,
  LinkAnswer,
  LinkUrlOptions,
  Progress,
  Transport,
  TransportRequest,
  TransportResponse,
  UploadFile,
  WireValue,
} from '@pcloudkit/core';
