// The one place this package imports core's run-time values from.
export { AbortError, ApiError, PcloudError, ValidationError, ProtocolError, TransportError, SECRET_PARAMS, parseJson } from '@pcloudkit/core';
export type {
  DataResponse,
  Progress,
  Transport,
  TransportRequest,
  TransportResponse,
  UploadFile,
  WireValue,
} from '@pcloudkit/core';
