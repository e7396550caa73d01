import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';

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
