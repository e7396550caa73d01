// The one place this package imports core's run-time values from.
export { AbortError, ProtocolError, TransportError, ValidationError } from '@pcloudkit/core';
export type {
  DataResponse,
  Progress,
  Transport,
  TransportRequest,
  TransportResponse,
  UploadFile,
  WireValue,
} from '@pcloudkit/core';
