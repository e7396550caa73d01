// The one place this package imports core's run-time values from.
export {
  AbortError,
  answerSnippet,
  ApiError,
  PcloudError,
  ValidationError,
  ProtocolError,
  TimeoutError,
  TransportError,
  hostOrigin,
  wirePairs,
  linkUrls,
  parseJson,
  uploadSource,
  checkDuration,
  timerSignal,
} from '@pcloudkit/core';
export type {
  LinkAnswer,
  LinkUrlOptions,
  Progress,
  Transport,
  TransportRequest,
  TransportResponse,
  UploadFile,
  WireValue,
} from '@pcloudkit/core';
