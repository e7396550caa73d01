import sharp from 'sharp';
import type { EmulatorCore } from './core.js';
import { ApiError } from './errors.js';
import { TranscodeCache } from './transcode.js';

/**
 * Thumbnails as pCloud makes them, drawn with sharp (libvips): decoding,
 * resizing and encoding are the library's; the rules on sizes are pCloud's.
 */

/** Content types the emulator can thumbnail: what metadata shows as `thumb: true`. */
const THUMBNAILABLE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/tiff', 'image/avif']);

/** Whether a file of this content type gets thumbnails (`thumb` in its metadata; else 1014). */
export function canThumbnail(contenttype: string): boolean {
  return THUMBNAILABLE.has(contenttype.toLowerCase());
}

/** Largest source file the emulator decodes (it reads the whole file in memory). */
export const MAX_THUMB_SOURCE_BYTES = 64 * 1024 * 1024;

/** Thumbnails kept per emulator, in bytes. */
const CACHE_BYTES = 32 * 1024 * 1024;

/** What a thumbnail request asks for. */
export interface ThumbRequest {
  /** Requested box, from `size`. */
  width: number;
  height: number;
  /** Fill the box exactly, trimming the source evenly on both sides. */
  crop: boolean;
  type: 'jpeg' | 'png';
}

/** A rendered thumbnail. */
export interface Thumb {
  data: Buffer;
  width: number;
  height: number;
  contentType: string;
}

const dimensionOk = (n: number, max: number) => n >= 16 && n <= max && (n % 4 === 0 || n % 5 === 0);

/**
 * The thumbnail params of a call (`size`, `crop`, `type`). `size` must be
 * `WIDTHxHEIGHT`, width 16-2048 and height 16-1024, each divisible by 4 or
 * by 5 (else 1015). `type` png gives PNG; anything else JPEG.
 */
export function thumbRequest(size: string | undefined, crop: boolean, type: string | undefined): ThumbRequest {
  const m = /^(\d{1,5})x(\d{1,5})$/.exec(size ?? '');
  const width = m ? Number(m[1]) : 0;
  const height = m ? Number(m[2]) : 0;
  if (!dimensionOk(width, 2048) || !dimensionOk(height, 1024)) throw new ApiError(1015);
  return { width, height, crop, type: type?.toLowerCase() === 'png' ? 'png' : 'jpeg' };
}

/**
 * Size of the thumbnail of a `srcW` x `srcH` image: with crop exactly the
 * box; without, the largest size of the source's aspect that fits the box
 * (one side touches it, the other may be smaller).
 */
export function fittedSize(
  srcW: number,
  srcH: number,
  req: Pick<ThumbRequest, 'width' | 'height' | 'crop'>,
): { width: number; height: number } {
  if (req.crop) return { width: req.width, height: req.height };
  const scale = Math.min(req.width / srcW, req.height / srcH);
  return {
    width: Math.max(1, Math.min(req.width, Math.round(srcW * scale))),
    height: Math.max(1, Math.min(req.height, Math.round(srcH * scale))),
  };
}

/**
 * Renders a thumbnail of image bytes: the first frame (GIF, WebP), turned
 * upright per its EXIF orientation, scaled (and centre-cropped with `crop`),
 * then JPEG on white or PNG with its transparency. 3001 when the bytes do
 * not decode as an image.
 */
export async function renderThumb(bytes: Buffer, req: ThumbRequest): Promise<Thumb> {
  try {
    const source = sharp(bytes, { failOn: 'error' }).rotate();
    const meta = await sharp(bytes).metadata();
    const upright = (meta.orientation ?? 1) >= 5;
    const srcW = (upright ? meta.height : meta.width) ?? 0;
    const srcH = (upright ? meta.width : meta.height) ?? 0;
    if (srcW < 1 || srcH < 1) throw new ApiError(3001);
    const { width, height } = fittedSize(srcW, srcH, req);
    const resized = source.resize(width, height, { fit: req.crop ? 'cover' : 'fill', position: 'centre' });
    const out =
      req.type === 'png'
        ? await resized.png().toBuffer({ resolveWithObject: true })
        : await resized.flatten({ background: '#ffffff' }).jpeg({ quality: 85 }).toBuffer({ resolveWithObject: true });
    return { data: out.data, width: out.info.width, height: out.info.height, contentType: `image/${req.type}` };
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(3001);
  }
}

/** Rendered thumbnails of one emulator, by (content, box, crop, type), most recently used kept. */
export class ThumbCache {
  private readonly cache = new TranscodeCache(CACHE_BYTES);
  private readonly sizes = new Map<string, { width: number; height: number; contentType: string }>();

  /** The thumbnail of a stored blob, rendered once per (blob, box, crop, type). */
  async get(core: EmulatorCore, blob: string, size: number, req: ThumbRequest): Promise<Thumb> {
    if (size > MAX_THUMB_SOURCE_BYTES) throw new ApiError(3001, { emulator: `thumbnails of files up to ${MAX_THUMB_SOURCE_BYTES} bytes` });
    const key = `${blob}:${req.width}x${req.height}:${req.crop ? 1 : 0}:${req.type}`;
    let failure: unknown;
    const data = await this.cache.get(key, async () => {
      try {
        const thumb = await renderThumb(await core.store.blobs.read(blob), req);
        this.sizes.set(key, { width: thumb.width, height: thumb.height, contentType: thumb.contentType });
        return thumb.data;
      } catch (e) {
        failure = e;
        return undefined;
      }
    });
    const info = this.sizes.get(key);
    if (!data || !info) throw failure instanceof ApiError ? failure : new ApiError(3001);
    return { data, ...info };
  }
}

const caches = new WeakMap<EmulatorCore, ThumbCache>();

/** The thumbnail cache of an emulator (shared by its API and content servers). */
export function thumbsOf(core: EmulatorCore): ThumbCache {
  let cache = caches.get(core);
  if (!cache) {
    cache = new ThumbCache();
    caches.set(core, cache);
  }
  return cache;
}
