// The one place this package imports core's run-time values from.
export {
  AbortError,
  AnswerTooLargeError,
  CALL_LIMIT,
  DEFAULT_MAX_ANSWER_BYTES,
  DeadlineLimit,
  ProtocolError,
  TimeoutError,
  TransportError,
  ValidationError,
  loginKey,
  uploadSource,
} from '@pcloudkit/core';
export type {
  DataResponse,
  FileOpener,
  Progress,
  Transport,
  TransportRequest,
  TransportResponse,
  UploadFile,
  UploadSource,
  WireValue,
} from '@pcloudkit/core';
