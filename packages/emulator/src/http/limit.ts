import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { FileRange } from '../file-range.js';

/**
 * Sends `body` as the rest of an answer whose headers announced `length`
 * bytes: a file's bytes through {@link FileRange.sendTo} (no new memory per
 * chunk), any other stream piped. A body that fails, or ends short of
 * `length`, closes the connection: the client sees a cut answer, never a
 * wrong one.
 */
export function sendBody(body: Readable, res: ServerResponse, length: number): void {
  const cut = () => res.socket?.destroy();
  if (body instanceof FileRange) {
    body.sendTo(res).then((sent) => (sent < length ? cut() : res.end()), cut);
    return;
  }
  body.on('error', cut);
  body.pipe(res);
}

/**
 * Writes `stream` into `res` but cuts the connection once `limit` body bytes
 * went out (the `dropAfterBytes` fault). Headers are already written.
 */
export async function pumpWithLimit(stream: Readable, res: ServerResponse, socket: Socket, limit: number): Promise<void> {
  let sent = 0;
  const cut = () => {
    stream.destroy();
    socket.destroy();
  };
  try {
    if (limit <= 0) {
      res.flushHeaders();
      socket.end();
      setTimeout(cut, 50).unref();
      return;
    }
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      const room = limit - sent;
      const piece = buf.length > room ? buf.subarray(0, room) : buf;
      sent += piece.length;
      if (sent >= limit) {
        await new Promise<void>((r) => res.write(piece, () => r()));
        cut();
        return;
      }
      if (!res.write(piece)) await new Promise<void>((r) => res.once('drain', r));
    }
    res.end();
  } catch {
    cut();
  }
}

/** Time limits against slow and silent clients, in milliseconds (0 = no limit). */
export interface TimeLimits {
  /** A request head (HTTP headers, a binary request header) must be complete this long after it started. */
  header: number;
  /** A request body may go this long without a byte; the whole upload may take as long as it needs. */
  body: number;
  /** An HTTP keep-alive connection waits this long for its next request. */
  idle: number;
  /** The same on the binary port, whose clients keep connections open between calls. */
  binaryIdle: number;
}

/** Limits real uploads over slow links survive: a stall of a minute, not a slow transfer, ends a request. */
export const DEFAULT_TIME_LIMITS: Readonly<TimeLimits> = Object.freeze({
  header: 60_000,
  body: 60_000,
  idle: 60_000,
  binaryIdle: 600_000,
});

/** Connections one client address may hold open at once on each port. */
export const DEFAULT_CONNECTIONS_PER_ADDRESS = 256;

/**
 * Refuses (closes at once) a connection from an address that already holds
 * `max` open connections to `server`. 0 or Infinity turns the cap off.
 */
export function capConnectionsPerAddress(server: NetServer, max: number): void {
  if (!(max > 0) || !Number.isFinite(max)) return;
  const open = new Map<string, number>();
  // added after the server's own listener (which readBodiesToHalfClose looks for first); a refused socket just closes
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const n = open.get(address) ?? 0;
    if (n >= max) {
      socket.destroy();
      return;
    }
    open.set(address, n + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}

/**
 * Cuts the connection when the body of `req` goes `ms` without a byte (no
 * traffic on the socket), until the body has been read to its end. Only for
 * requests that announce a body.
 */
export function bodyIdleLimit(req: IncomingMessage, ms: number): void {
  if (ms <= 0 || req.complete) return;
  const h = req.headers;
  const announced = h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0');
  if (!announced) return;
  const socket = req.socket;
  socket.setTimeout(ms);
  req.once('end', () => socket.setTimeout(0));
}
