import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { EmulatorCore } from '../core.js';
import { sleep } from '../core.js';
import type { ContentLink } from '../link-registry.js';
import {
  DEFAULT_AUDIO_BITRATE,
  MAX_TRANSCODE_BYTES,
  TranscodeCache,
  decodeWav,
  encodeMp3,
  isMp3,
  isWav,
  mp3CutOffset,
} from '../transcode.js';
import { type Thumb, thumbsOf } from '../thumbnail.js';
import { handleCors } from './api-server.js';
import { TRANSFER_PATH, transferLink } from '../methods/transfer.js';
import { pumpWithLimit, sendBody } from './limit.js';

/** Transcoded audio kept per emulator, in bytes of MP3. */
const TRANSCODE_CACHE_BYTES = 64 * 1024 * 1024;

interface Range {
  start: number;
  end: number;
}

/**
 * Parses a single `bytes=` range: 'invalid' when unsatisfiable (416),
 * undefined when absent, unsupported or itself invalid (a last byte before
 * the first, `bytes=5-2`), which RFC 9110 (14.1.1, 14.2) lets a server
 * ignore: the whole file is sent with 200.
 */
export function parseRange(header: string | undefined, size: number): Range | 'invalid' | undefined {
  if (!header) return undefined;
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header.trim());
  if (!m) return undefined; // multiple or odd ranges: serve the whole file
  const [, a, b] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'invalid';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  if (b !== '' && Number(b) < start) return undefined;
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || start > end) return 'invalid';
  return { start, end };
}

/** Paces a stream to `bytesPerSecond`. */
function throttle(bytesPerSecond: number): Transform {
  const began = Date.now();
  let sent = 0;
  const slice = Math.max(1024, Math.floor(bytesPerSecond / 10));
  return new Transform({
    transform(chunk: Buffer, _e, cb: TransformCallback) {
      void (async () => {
        for (let off = 0; off < chunk.length; off += slice) {
          const piece = chunk.subarray(off, off + slice);
          sent += piece.length;
          const due = began + (sent / bytesPerSecond) * 1000;
          const wait = due - Date.now();
          if (wait > 0) await sleep(wait);
          this.push(piece);
        }
        cb();
      })();
    },
  });
}

/**
 * Request handler of a content server. Links look like `/<key>/<name>`
 * (or `/<key>` with skipfilename); every content server knows every link.
 */
export function createContentHandler(core: EmulatorCore) {
  const transcoded = new TranscodeCache(TRANSCODE_CACHE_BYTES);

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await serve(req, res);
    } catch (e) {
      console.error('[emulator] content request failed:', e);
      req.socket?.destroy();
    }
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const plain = (status: number, text: string, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...extra });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (handleCors(req, res, 'GET, HEAD, OPTIONS')) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(405, 'method not allowed\n', { Allow: 'GET, HEAD, OPTIONS' });
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://content.invalid');
    } catch {
      return plain(400, 'bad request\n');
    }
    const key = url.pathname.split('/')[1] ?? '';
    const link = key === TRANSFER_PATH ? transferLink(core, url.pathname) : core.links.find(key);
    if (!link) return plain(404, 'link not found\n');
    if (link === 'expired') return plain(410, 'link expired\n');
    if (link.publink && !link.publink.live()) return plain(410, 'public link deleted, expired or used up\n');
    const delay = core.faults.delayFor('content');
    if (delay > 0) await sleep(delay);

    if (link.kind === 'hls') return servePlaylist(req, res, link);
    if (link.kind === 'thumb') return serveThumb(req, res, link);
    if (link.kind === 'zip') return serveZip(req, res, link);

    let type = link.forcedownload ? 'application/octet-stream' : (link.contenttypeOverride ?? link.contenttype);
    const headers: Record<string, string | number> = { 'Accept-Ranges': 'bytes', 'Cache-Control': 'private, no-store' };
    if (link.forcedownload) headers['Content-Disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(link.name)}`;

    if (link.kind === 'audio' && (await serveAudio(req, res, link, url, headers))) return;

    const range = parseRange(req.headers.range, link.size);
    if (range === 'invalid') {
      res.writeHead(416, { 'Content-Range': `bytes */${link.size}`, 'Content-Length': 0 });
      return void res.end();
    }
    headers['Content-Type'] = type;
    if (range) {
      headers['Content-Range'] = `bytes ${range.start}-${range.end}/${link.size}`;
      headers['Content-Length'] = range.end - range.start + 1;
      res.writeHead(206, headers);
    } else {
      headers['Content-Length'] = link.size;
      res.writeHead(200, headers);
    }
    if (req.method === 'HEAD' || link.size === 0) return void res.end();
    type = '';
    const body = core.store.blobs.open(link.blob, range ?? { start: 0, end: link.size - 1 });
    send(req, res, body, link);
  }

  /**
   * Serves an audio link as MP3, as pCloud does: WAV is transcoded at the
   * link's bitrate (once per file and bitrate, then cached), MP3 is served
   * as stored. `start` (seconds) cuts at the frame boundary nearest to it.
   * False when the file is neither (other formats: the caller serves the
   * stored bytes).
   */
  async function serveAudio(
    req: IncomingMessage,
    res: ServerResponse,
    link: ContentLink,
    url: URL,
    headers: Record<string, string | number>,
  ): Promise<boolean> {
    const head = await readHead(core, link.blob, Math.min(link.size, 64 * 1024));
    const wav = isWav(head);
    if (!wav && !isMp3(head)) return false;
    if (link.size > MAX_TRANSCODE_BYTES) {
      if (!wav) return false; // a big MP3 is served as stored, from its start
      const text = `the emulator transcodes WAV files of up to ${MAX_TRANSCODE_BYTES} bytes\n`;
      res.writeHead(501, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      res.end(req.method === 'HEAD' ? undefined : text);
      return true;
    }
    const kbps = link.abitrate ?? DEFAULT_AUDIO_BITRATE;
    const mp3 = wav
      ? await transcoded.get(`${link.blob}:${kbps}`, async () => {
          const pcm = decodeWav(await core.store.blobs.read(link.blob));
          return pcm && encodeMp3(pcm, kbps);
        })
      : await core.store.blobs.read(link.blob);
    if (!mp3) return false; // a WAV the emulator cannot decode (compressed, odd sample width)
    const startSec = Number(url.searchParams.get('start') ?? '0');
    const body = mp3.subarray(Number.isFinite(startSec) ? mp3CutOffset(mp3, startSec) : 0);
    headers['Content-Type'] = link.forcedownload ? 'application/octet-stream' : (link.contenttypeOverride ?? 'audio/mpeg');
    sendBuffer(req, res, link, body, headers);
    return true;
  }

  /** Sends bytes made in memory (transcoded audio, thumbnails), honouring a `Range` header. */
  function sendBuffer(
    req: IncomingMessage,
    res: ServerResponse,
    link: ContentLink,
    body: Buffer,
    headers: Record<string, string | number>,
  ): void {
    const range = parseRange(req.headers.range, body.length);
    if (range === 'invalid') {
      res.writeHead(416, { 'Content-Range': `bytes */${body.length}`, 'Content-Length': 0 });
      return void res.end();
    }
    if (range) {
      headers['Content-Range'] = `bytes ${range.start}-${range.end}/${body.length}`;
      headers['Content-Length'] = range.end - range.start + 1;
      res.writeHead(206, headers);
    } else {
      headers['Content-Length'] = body.length;
      res.writeHead(200, headers);
    }
    if (req.method === 'HEAD' || body.length === 0) return void res.end();
    send(req, res, Readable.from([range ? body.subarray(range.start, range.end + 1) : body]), link);
  }

  /**
   * Serves a thumbnail link: the image rendered from the file's content at
   * the link's size, crop and type (cached, shared with the API's getthumb).
   */
  async function serveThumb(req: IncomingMessage, res: ServerResponse, link: ContentLink): Promise<void> {
    let thumb: Thumb;
    try {
      thumb = await thumbsOf(core).get(core, link.blob, link.size, link.thumb!);
    } catch {
      const text = 'thumbnail could not be made\n';
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      return void res.end(req.method === 'HEAD' ? undefined : text);
    }
    const headers: Record<string, string | number> = {
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'private, no-store',
      'Content-Type': thumb.contentType,
    };
    sendBuffer(req, res, link, thumb.data, headers);
  }

  /**
   * Serves a getziplink archive: made again from the stored files for each
   * request and streamed, so no range requests (its length is known, though).
   */
  function serveZip(req: IncomingMessage, res: ServerResponse, link: ContentLink): void {
    const headers: Record<string, string | number> = {
      'Accept-Ranges': 'none',
      'Cache-Control': 'private, no-store',
      'Content-Type': link.forcedownload ? 'application/octet-stream' : 'application/zip',
      'Content-Length': link.size,
    };
    if (link.forcedownload) headers['Content-Disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(link.name)}`;
    res.writeHead(200, headers);
    if (req.method === 'HEAD' || !link.zip) return void res.end();
    const body = link.zip();
    // a client that goes away half-way: drop the archive, which closes the file it was reading
    res.once('close', () => body.destroy());
    send(req, res, body, link);
  }

  function send(req: IncomingMessage, res: ServerResponse, body: Readable, link: ContentLink): void {
    let stream: Readable = body;
    if (link.maxspeed) stream = stream.pipe(throttle(link.maxspeed));
    const length = Number(res.getHeader('content-length'));
    link.publink?.served(Number.isFinite(length) ? length : 0, !/^bytes=\s*[1-9]/i.test(req.headers.range ?? ''));
    const drop = core.faults.sendLimit('content', req.socket, Number.isFinite(length) ? length : undefined);
    body.on('error', () => req.socket?.destroy());
    if (drop !== undefined) {
      void pumpWithLimit(stream, res, req.socket, drop);
      return;
    }
    sendBody(stream, res, length);
  }

  function servePlaylist(req: IncomingMessage, res: ServerResponse, link: ContentLink): void {
    const text = [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-TARGETDURATION:10',
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXTINF:10.0,',
      link.segmentPath ?? '',
      '#EXT-X-ENDLIST',
      '',
    ].join('\n');
    res.writeHead(200, {
      'Content-Type': link.contenttypeOverride ?? 'application/vnd.apple.mpegurl',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(req.method === 'HEAD' ? undefined : text);
  }
}

async function readHead(core: EmulatorCore, blob: string, n: number): Promise<Buffer> {
  if (n <= 0) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const c of core.store.blobs.open(blob, { start: 0, end: n - 1 })) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
