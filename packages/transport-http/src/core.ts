// The one place this package imports core's run-time values from.
export { AbortError, ApiError, PcloudError, ValidationError, ProtocolError, TransportError, SECRET_PARAMS, hostOrigin, linkUrls, parseJson } from '@pcloudkit/core';
export type {
  DataResponse,
  LinkAnswer,
  LinkUrlOptions,
  Progress,
  Transport,
  TransportRequest,
  TransportResponse,
  UploadFile,
  WireValue,
} from '@pcloudkit/core';
