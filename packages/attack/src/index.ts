/**
 * Tools of the attack suite: an emulator in a child process whose memory is
 * sampled, raw HTTP and binary-protocol connections, multipart builders and
 * the figures printed at the end of a run. Private to this repository.
 */
export { type ChildEmulator, type ReadyLine, type RssSampler, rssOf, spawnEmulator } from './child.js';
export { type Figure, Figures } from './figures.js';
export { type LossStats, type LossyProxy, lossyProxy } from './lossy.js';
export {
  binaryRequest,
  chunk,
  type HttpAnswer,
  httpAnswers,
  Multipart,
  openRaw,
  pause,
  postHead,
  type RawConnection,
  trickle,
} from './wire.js';
