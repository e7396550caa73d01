import { Readable } from 'node:stream';
import type { CallContext, MethodGroup } from '../context.js';
import { DataReply } from '../context.js';
import type { ContentLink } from '../link-registry.js';
import { ApiError } from '../errors.js';
import type { Body } from '../json.js';
import { isValidContentType, typeInfoFor } from '../mime.js';
import type { FileRec, Version } from '../store.js';
import { MAX_CONVERT_BYTES, convertText, guessEncoding, isUtf8Name, knownEncoding } from '../text-encoding.js';
import { DEFAULT_AUDIO_BITRATE } from '../transcode.js';

/** Lowest accepted `maxspeed`, bytes per second. */
export const MIN_SPEED = 1024;

function linkOptions(c: CallContext): Pick<ContentLink, 'forcedownload'> & { contenttypeOverride?: string; maxspeed?: number } {
  const p = c.params;
  const out: Pick<ContentLink, 'forcedownload'> & { contenttypeOverride?: string; maxspeed?: number } = {
    forcedownload: p.flag('forcedownload'),
  };
  const ct = p.str('contenttype');
  if (ct !== undefined && ct !== '') {
    if (!isValidContentType(ct)) throw new ApiError(1005);
    out.contenttypeOverride = ct;
  }
  const maxspeed = p.int('maxspeed');
  if (maxspeed !== undefined) {
    if (maxspeed < MIN_SPEED) throw new ApiError(2011, { minspeed: MIN_SPEED });
    out.maxspeed = maxspeed;
  }
  return out;
}

function checkRange(c: CallContext, name: string, min: number, max: number): number | undefined {
  const v = c.params.int(name);
  if (v === undefined) return undefined;
  // pCloud documents the range but no error for leaving it (1005 is about contenttype): take the nearest bound
  return Math.min(max, Math.max(min, v));
}

function checkResolution(c: CallContext): void {
  const r = c.params.str('resolution');
  if (r === undefined) return;
  const m = /^(\d+)x(\d+)$/.exec(r);
  if (!m || +m[1]! < 64 || +m[2]! < 64 || +m[1]! > 1280 || +m[2]! > 960)
    throw new ApiError(1005, { emulator: 'resolution must be WIDTHxHEIGHT between 64x64 and 1280x960' });
}

/** A content link to a version of a file, with the call's link options; the answer of the *link methods. */
export function makeLink(
  c: CallContext,
  file: FileRec,
  version: Version,
  kind: ContentLink['kind'],
  extra: Partial<ContentLink> = {},
  nameOverride?: string,
): Body {
  const link: Omit<ContentLink, 'expires'> = {
    userid: file.owner,
    fileid: file.id,
    blob: version.blob,
    size: version.size,
    name: file.name,
    contenttype: file.contenttype,
    kind,
    ...linkOptions(c),
    ...extra,
  };
  const { path, expires } = c.core.links.add(link, {
    skipFilename: c.params.flag('skipfilename'),
    ...(nameOverride !== undefined ? { name: nameOverride } : {}),
  });
  return { hosts: [...c.core.server.contentHosts], path, expires: c.time(Math.floor(expires / 1000)) };
}

const isVideo = (f: FileRec) => typeInfoFor(f.contenttype, f.name).category === 2;
const isAudio = (f: FileRec) => typeInfoFor(f.contenttype, f.name).category === 3;

/** getvideolinks' answer for a file (also served through public links). */
export function videoLinks(c: CallContext, file: FileRec, version: Version, extra: Partial<ContentLink> = {}): Body {
  if (!isVideo(file)) throw new ApiError(2044);
  const link = makeLink(c, file, version, 'video', extra);
  // the emulator does not transcode: the only variant is the original
  return {
    variants: [
      {
        ...link,
        width: 0,
        height: 0,
        duration: '0.0',
        fps: '0',
        videobitrate: 0,
        audiobitrate: 0,
        videocodec: 'unknown',
        audiocodec: 'unknown',
        isoriginal: true,
        rotate: 0,
        audiosamplerate: 0,
      },
    ],
  };
}

/** getaudiolink's answer for a file (also served through public links). */
export function audioLink(c: CallContext, file: FileRec, version: Version, extra: Partial<ContentLink> = {}): Body {
  if (!isAudio(file) && !isVideo(file)) throw new ApiError(2044);
  const abitrate = checkRange(c, 'abitrate', 16, 320) ?? DEFAULT_AUDIO_BITRATE;
  return makeLink(c, file, version, 'audio', { abitrate, ...extra });
}

/** gettextfile's answer for a version of a file (also served through public links). */
export async function textFile(c: CallContext, file: FileRec, version: Version): Promise<DataReply> {
  const p = c.params;
  const ctOverride = p.str('contenttype');
  if (ctOverride !== undefined && ctOverride !== '' && !isValidContentType(ctOverride)) throw new ApiError(1005);
  const from = p.str('fromencoding') || undefined;
  const to = p.str('toencoding') || 'utf-8';
  // pCloud names no error of its own for an unknown encoding; getpubtextfile's list has 1005
  if (from !== undefined && !knownEncoding(from)) throw new ApiError(1005, { emulator: `unknown fromencoding ${from}` });
  if (!knownEncoding(to)) throw new ApiError(1005, { emulator: `unknown toencoding ${to}` });
  const forcedownload = p.flag('forcedownload');
  let contentType = forcedownload ? 'application/octet-stream' : ctOverride || file.contenttype;
  const filename = forcedownload ? file.name : undefined;
  const blobs = c.store.blobs;
  // a file too big to convert in memory is guessed from its start, and served only if nothing needs converting
  const big = version.size > MAX_CONVERT_BYTES;
  const bytes = big ? undefined : await blobs.read(version.blob);
  const head = bytes ?? Buffer.concat((await blobs.open(version.blob, { start: 0, end: 64 * 1024 - 1 }).toArray()) as Buffer[]);
  const source = from ?? guessEncoding(head, big);
  if (isUtf8Name(source) && isUtf8Name(to)) {
    const raw = bytes ? Readable.from([bytes]) : blobs.open(version.blob);
    return new DataReply(raw, version.size, contentType, filename);
  }
  if (!bytes) throw new ApiError(5000, { emulator: `conversion limited to ${MAX_CONVERT_BYTES} bytes` });
  const out = convertText(bytes, source, to);
  if (!forcedownload && !ctOverride && /^text\//.test(contentType)) contentType = `${contentType}; charset=${to}`;
  return new DataReply(Readable.from([out]), out.length, contentType, filename);
}

export const streamingMethods: MethodGroup = {
  getfilelink(c) {
    const { file } = c.targetFile();
    return makeLink(c, file, c.version(file), 'file');
  },

  getvideolink(c) {
    const { file } = c.targetFile();
    if (!isVideo(file)) throw new ApiError(2044);
    checkRange(c, 'abitrate', 16, 320);
    checkRange(c, 'vbitrate', 16, 4000);
    checkResolution(c);
    return makeLink(c, file, c.version(file), 'video');
  },

  getvideolinks(c) {
    const { file } = c.targetFile();
    return videoLinks(c, file, c.version(file));
  },

  getaudiolink(c) {
    const { file } = c.targetFile();
    return audioLink(c, file, c.version(file));
  },

  gethlslink(c) {
    const { file } = c.targetFile();
    if (!isVideo(file)) throw new ApiError(2044);
    checkRange(c, 'abitrate', 16, 320);
    checkRange(c, 'vbitrate', 16, 4000);
    checkResolution(c);
    const version = c.version(file);
    const { path: segPath } = c.core.links.add({
      userid: file.owner,
      fileid: file.id,
      blob: version.blob,
      size: version.size,
      name: file.name,
      contenttype: file.contenttype,
      kind: 'file',
      forcedownload: false,
    });
    const dot = file.name.lastIndexOf('.');
    const base = dot > 0 ? file.name.slice(0, dot) : file.name;
    return makeLink(
      c,
      file,
      version,
      'hls',
      { segmentPath: segPath, contenttype: 'application/vnd.apple.mpegurl' } as Partial<ContentLink>,
      `${base}.m3u8`,
    );
  },

  async gettextfile(c) {
    const { file } = c.targetFile();
    return textFile(c, file, c.version(file));
  },
};
