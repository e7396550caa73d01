import { setImmediate as yieldToLoop } from 'node:timers/promises';

/**
 * Audio for getaudiolink: pCloud serves MP3 at the requested bitrate. The
 * emulator decodes WAV (PCM) itself and encodes MP3 with lamejs; MP3 input
 * is served as it is; anything else it cannot decode.
 */

/** Bitrate getaudiolink uses when `abitrate` is absent, kbit/s. */
export const DEFAULT_AUDIO_BITRATE = 192;

/** Largest WAV the emulator transcodes (it decodes the whole file in memory). */
export const MAX_TRANSCODE_BYTES = 64 * 1024 * 1024;

/** 16-bit PCM, one array per channel (one or two). */
export interface Pcm {
  sampleRate: number;
  channels: Int16Array[];
}

/** WAVE_FORMAT_PCM, WAVE_FORMAT_IEEE_FLOAT and WAVE_FORMAT_EXTENSIBLE. */
const PCM = 1;
const FLOAT = 3;
const EXTENSIBLE = 0xfffe;

/** Whether the bytes start like a RIFF/WAVE file. */
export function isWav(head: Buffer): boolean {
  return head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WAVE';
}

/**
 * Decodes a WAV file: integer PCM of 8, 16, 24 or 32 bits and float PCM of
 * 32 or 64 bits, plain or WAVE_FORMAT_EXTENSIBLE. Channels past the second
 * are dropped. Undefined when the file is not such a WAV.
 */
export function decodeWav(buf: Buffer): Pcm | undefined {
  if (!isWav(buf)) return undefined;
  let fmt: Buffer | undefined;
  let data: Buffer | undefined;
  for (let off = 12; off + 8 <= buf.length; ) {
    const id = buf.toString('latin1', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = buf.subarray(off + 8, Math.min(buf.length, off + 8 + size));
    if (id === 'fmt ') fmt = body;
    else if (id === 'data') {
      data = body;
      break;
    }
    off += 8 + size + (size % 2);
  }
  if (!fmt || fmt.length < 16 || !data) return undefined;
  let format = fmt.readUInt16LE(0);
  if (format === EXTENSIBLE && fmt.length >= 26) format = fmt.readUInt16LE(24);
  const channelCount = fmt.readUInt16LE(2);
  const sampleRate = fmt.readUInt32LE(4);
  const blockAlign = fmt.readUInt16LE(12);
  const bits = fmt.readUInt16LE(14);
  const bytes = bits / 8;
  const read = sampleReader(format, bits);
  if (!read || channelCount < 1 || sampleRate < 1 || blockAlign < channelCount * bytes) return undefined;
  const frames = Math.floor(data.length / blockAlign);
  const kept = Math.min(2, channelCount);
  const channels = Array.from({ length: kept }, () => new Int16Array(frames));
  for (let i = 0; i < frames; i++) {
    for (let ch = 0; ch < kept; ch++) channels[ch]![i] = read(data, i * blockAlign + ch * bytes);
  }
  return { sampleRate, channels };
}

/** A function reading one sample as a 16-bit integer, for a WAV format and sample width. */
function sampleReader(format: number, bits: number): ((b: Buffer, off: number) => number) | undefined {
  const clamp = (x: number) => Math.max(-32768, Math.min(32767, Math.round(x * 32767)));
  if (format === PCM) {
    if (bits === 8) return (b, o) => (b[o]! - 128) << 8;
    if (bits === 16) return (b, o) => b.readInt16LE(o);
    if (bits === 24) return (b, o) => b.readIntLE(o, 3) >> 8;
    if (bits === 32) return (b, o) => b.readInt32LE(o) >> 16;
  }
  if (format === FLOAT) {
    if (bits === 32) return (b, o) => clamp(b.readFloatLE(o));
    if (bits === 64) return (b, o) => clamp(b.readDoubleLE(o));
  }
  return undefined;
}

/**
 * The rate the emulator hands to the encoder: MPEG-1 rates (32, 44.1 and
 * 48 kHz) stay; others are resampled to the one of 44.1 and 48 kHz in their
 * family (8, 16, 24, 96 kHz... to 48 kHz; 11.025, 22.05, 88.2 kHz to 44.1 kHz),
 * so every bitrate up to 320 kbit/s is open. The encoder itself may then go
 * down to an MPEG-2 rate for low bitrates, as LAME does.
 */
function encoderRate(rate: number): number {
  if (rate === 32000 || rate === 44100 || rate === 48000) return rate;
  return rate % 11025 === 0 ? 44100 : 48000;
}

/** Linear-interpolation resampling (good enough for an emulator's test tones). */
function resample(samples: Int16Array, from: number, to: number): Int16Array {
  if (from === to || samples.length === 0) return samples;
  const n = Math.max(1, Math.round((samples.length * to) / from));
  const out = new Int16Array(n);
  const step = from / to;
  const last = samples.length - 1;
  for (let i = 0; i < n; i++) {
    const pos = i * step;
    const i0 = Math.min(last, Math.floor(pos));
    const frac = pos - i0;
    const a = samples[i0]!;
    const b = samples[Math.min(last, i0 + 1)]!;
    out[i] = Math.round(a + (b - a) * frac);
  }
  return out;
}

type Lame = typeof import('@breezystack/lamejs');
let lame: Promise<Lame> | undefined;

/** Samples per encoder call (one MPEG-1 Layer III frame). */
const BLOCK = 1152;

/**
 * Encodes PCM as constant-bitrate MP3 (MPEG Layer III, no Xing/LAME tag, no
 * bit reservoir, so the stream can be cut at any frame). `kbps` is snapped by
 * the encoder to the nearest bitrate MP3 allows at the chosen sample rate.
 * Yields to the event loop now and then so a long file does not stall the
 * other connections.
 */
export async function encodeMp3(pcm: Pcm, kbps: number): Promise<Buffer> {
  lame ??= import('@breezystack/lamejs');
  const { Mp3Encoder } = await lame;
  const rate = encoderRate(pcm.sampleRate);
  const channels = pcm.channels.map((c) => resample(c, pcm.sampleRate, rate));
  const encoder = new Mp3Encoder(channels.length, rate, kbps);
  const parts: Buffer[] = [];
  const take = (a: Int8Array | Uint8Array) => {
    if (a.length > 0) parts.push(Buffer.from(a.buffer.slice(a.byteOffset, a.byteOffset + a.length)));
  };
  const length = channels[0]!.length;
  for (let i = 0, blocks = 0; i < length; i += BLOCK, blocks++) {
    const left = channels[0]!.subarray(i, i + BLOCK);
    const right = channels[1]?.subarray(i, i + BLOCK);
    take(right ? encoder.encodeBuffer(left, right) : encoder.encodeBuffer(left));
    if (blocks % 256 === 255) await yieldToLoop();
  }
  take(encoder.flush());
  return Buffer.concat(parts);
}

/** Bitrates (kbit/s) by bitrate index: MPEG-1 layers I-III, then MPEG-2/2.5 layer I, then layers II-III. */
const BITRATES = {
  v1: [
    [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  ],
  v2: [
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  ],
};
const SAMPLE_RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

/** One MPEG audio frame header, decoded. */
export interface Mp3Frame {
  offset: number;
  length: number;
  samples: number;
  sampleRate: number;
  kbps: number;
}

/** Decodes the frame header at `off`; undefined when there is none (or a free-format one). */
export function frameAt(buf: Buffer, off: number): Mp3Frame | undefined {
  if (off + 4 > buf.length) return undefined;
  const h = buf.readUInt32BE(off);
  if (h >>> 21 !== 0x7ff) return undefined;
  const version = (h >>> 19) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
  const layer = 4 - ((h >>> 17) & 3); // 1, 2 or 3 (4 is reserved)
  const brIndex = (h >>> 12) & 15;
  const srIndex = (h >>> 10) & 3;
  const padding = (h >>> 9) & 1;
  if (version === 1 || layer === 4 || brIndex === 0 || brIndex === 15 || srIndex === 3) return undefined;
  const kbps = version === 3 ? BITRATES.v1[layer - 1]![brIndex]! : BITRATES.v2[layer === 1 ? 0 : 1]![brIndex]!;
  const sampleRate = SAMPLE_RATES[version]![srIndex]!;
  let length: number;
  let samples: number;
  if (layer === 1) {
    length = (Math.floor((12 * kbps * 1000) / sampleRate) + padding) * 4;
    samples = 384;
  } else if (layer === 2 || version === 3) {
    length = Math.floor((144 * kbps * 1000) / sampleRate) + padding;
    samples = 1152;
  } else {
    length = Math.floor((72 * kbps * 1000) / sampleRate) + padding;
    samples = 576;
  }
  return { offset: off, length, samples, sampleRate, kbps };
}

/** Size of an ID3v2 tag at the start of the bytes (0 when there is none). */
function id3Size(buf: Buffer): number {
  if (buf.length < 10 || buf.toString('latin1', 0, 3) !== 'ID3') return 0;
  const size = ((buf[6]! & 0x7f) << 21) | ((buf[7]! & 0x7f) << 14) | ((buf[8]! & 0x7f) << 7) | (buf[9]! & 0x7f);
  return 10 + size + (buf[5]! & 0x10 ? 10 : 0);
}

/** Whether the bytes start like an MP3 file: an ID3v2 tag, or two MPEG audio frames in a row. */
export function isMp3(head: Buffer): boolean {
  if (id3Size(head) > 0) return true;
  const first = frameAt(head, 0);
  return first !== undefined && (first.length >= head.length || frameAt(head, first.length) !== undefined);
}

/**
 * Where to cut an MP3 so it starts `seconds` in: the offset of the frame
 * whose start time is nearest, counted from the first frame (after any
 * ID3v2 tag). 0 when `seconds` is 0; the file's length when it is past the end.
 */
export function mp3CutOffset(buf: Buffer, seconds: number): number {
  if (!(seconds > 0)) return 0;
  let off = id3Size(buf);
  let time = 0;
  for (;;) {
    const f = frameAt(buf, off);
    if (!f) return buf.length;
    const duration = f.samples / f.sampleRate;
    if (time + duration / 2 > seconds) return off;
    time += duration;
    off += f.length;
  }
}

/**
 * Transcoded files kept for reuse, keyed by whatever the caller chooses
 * (blob and bitrate), least recently used dropped first once their total
 * passes `maxBytes`. Concurrent requests for one key share one transcoding.
 */
export class TranscodeCache {
  private readonly entries = new Map<string, { value: Promise<Buffer | undefined>; size: number }>();
  private total = 0;

  constructor(readonly maxBytes: number) {}

  get(key: string, produce: () => Promise<Buffer | undefined>): Promise<Buffer | undefined> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    const entry = { value: produce(), size: 0 };
    this.entries.set(key, entry);
    entry.value.then(
      (buf) => {
        if (this.entries.get(key) !== entry) return;
        entry.size = buf?.length ?? 0;
        this.total += entry.size;
        for (const [k, e] of this.entries) {
          if (this.total <= this.maxBytes) break;
          this.entries.delete(k);
          this.total -= e.size;
        }
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.value;
  }
}
