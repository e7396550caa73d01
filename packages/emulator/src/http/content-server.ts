import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { EmulatorCore } from '../core.js';
import { sleep } from '../core.js';
import type { ContentLink } from '../link-registry.js';
import { pumpWithLimit } from './limit.js';

interface Range {
  start: number;
  end: number;
}

/** Parses a single `bytes=` range; 'invalid' when unsatisfiable, undefined when absent/unsupported. */
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

interface WavLayout {
  dataOffset: number;
  dataSize: number;
  byteRate: number;
  blockAlign: number;
  fmt: Buffer;
}

/** Finds the fmt and data chunks of a RIFF/WAVE file from its first bytes. */
function wavLayout(head: Buffer, total: number): WavLayout | undefined {
  if (head.length < 12 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') return undefined;
  let off = 12;
  let fmt: Buffer | undefined;
  while (off + 8 <= head.length) {
    const id = head.toString('latin1', off, off + 4);
    const size = head.readUInt32LE(off + 4);
    if (id === 'fmt ') fmt = head.subarray(off + 8, off + 8 + size);
    if (id === 'data') {
      if (!fmt || fmt.length < 16) return undefined;
      return {
        dataOffset: off + 8,
        dataSize: Math.min(size, total - off - 8),
        byteRate: fmt.readUInt32LE(8),
        blockAlign: fmt.readUInt16LE(12),
        fmt,
      };
    }
    off += 8 + size + (size % 2);
  }
  return undefined;
}

function wavHeader(fmt: Buffer, dataSize: number): Buffer {
  const h = Buffer.alloc(12 + 8 + fmt.length + 8);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(h.length - 8 + dataSize, 4);
  h.write('WAVE', 8, 'latin1');
  h.write('fmt ', 12, 'latin1');
  h.writeUInt32LE(fmt.length, 16);
  fmt.copy(h, 20);
  h.write('data', 20 + fmt.length, 'latin1');
  h.writeUInt32LE(dataSize, 24 + fmt.length);
  return h;
}

/**
 * Request handler of a content server. Links look like `/<key>/<name>`
 * (or `/<key>` with skipfilename); every content server knows every link.
 */
export function createContentHandler(core: EmulatorCore) {
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
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(405, 'method not allowed\n', { Allow: 'GET, HEAD' });
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://content.invalid');
    } catch {
      return plain(400, 'bad request\n');
    }
    const key = url.pathname.split('/')[1] ?? '';
    const link = core.links.find(key);
    if (!link) return plain(404, 'link not found\n');
    if (link === 'expired') return plain(410, 'link expired\n');
    const delay = core.faults.delayFor('content');
    if (delay > 0) await sleep(delay);

    if (link.kind === 'hls') return servePlaylist(req, res, link);

    let type = link.forcedownload ? 'application/octet-stream' : (link.contenttypeOverride ?? link.contenttype);
    const headers: Record<string, string | number> = { 'Accept-Ranges': 'bytes', 'Cache-Control': 'private, no-store' };
    if (link.forcedownload) headers['Content-Disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(link.name)}`;

    // audio links honour ?start=<seconds> for WAV by skipping whole sample frames
    const startSec = Number(url.searchParams.get('start') ?? '0');
    if ((link.kind === 'audio' || link.kind === 'video') && startSec > 0 && Number.isFinite(startSec)) {
      const head = await readHead(core, link.blob, Math.min(link.size, 64 * 1024));
      const wav = wavLayout(head, link.size);
      if (wav && wav.byteRate > 0 && wav.blockAlign > 0) {
        let skip = Math.floor((startSec * wav.byteRate) / wav.blockAlign) * wav.blockAlign;
        if (skip > wav.dataSize) skip = wav.dataSize;
        const remaining = wav.dataSize - skip;
        const header = wavHeader(wav.fmt, remaining);
        headers['Content-Type'] = type;
        headers['Content-Length'] = header.length + remaining;
        res.writeHead(200, headers);
        if (req.method === 'HEAD') return void res.end();
        const body =
          remaining > 0
            ? core.store.blobs.open(link.blob, { start: wav.dataOffset + skip, end: wav.dataOffset + wav.dataSize - 1 })
            : Readable.from([]);
        res.write(header);
        return send(req, res, body, link);
      }
    }

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

  function send(req: IncomingMessage, res: ServerResponse, body: Readable, link: ContentLink): void {
    let stream: Readable = body;
    if (link.maxspeed) stream = stream.pipe(throttle(link.maxspeed));
    const drop = core.faults.dropFor('content');
    body.on('error', () => req.socket?.destroy());
    if (drop !== undefined) {
      void pumpWithLimit(stream, res, req.socket, drop);
      return;
    }
    stream.pipe(res);
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
