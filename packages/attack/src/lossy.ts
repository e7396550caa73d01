import { connect, createServer, type Socket } from 'node:net';

/** What a lossy proxy did to the connections and answers that went through it. */
export interface LossStats {
  connections: number;
  /** Connections closed before anything was forwarded (nothing reached the server). */
  refused: number;
  /** Answers cut part-way (the server had run the call). */
  cut: number;
  answers: number;
}

export interface LossyProxy {
  /** `127.0.0.1:PORT` to send the clients to. */
  readonly host: string;
  readonly stats: LossStats;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of `target` (`host:port`) that loses traffic the way
 * a bad network does: a share `rate / 2` of new connections is closed at
 * once, and a share `rate` of the answer chunks coming back is cut after a
 * few bytes (both sides closed). Deterministic for a given `seed`.
 */
export async function lossyProxy(target: string, rate: number, seed = 0x10551): Promise<LossyProxy> {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
  const i = target.lastIndexOf(':');
  const [host, port] = [target.slice(0, i), Number(target.slice(i + 1))];
  const stats: LossStats = { connections: 0, refused: 0, cut: 0, answers: 0 };
  const open = new Set<Socket>();
  const server = createServer((client) => {
    stats.connections += 1;
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    if (random() < rate / 2) {
      stats.refused += 1;
      client.destroy();
      return;
    }
    const upstream = connect(port, host);
    open.add(upstream);
    upstream.on('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => undefined);
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      stats.answers += 1;
      if (random() < rate) {
        stats.cut += 1;
        upstream.pause();
        client.end(chunk.subarray(0, 1 + Math.floor(random() * Math.min(chunk.length - 1, 40))), () => {
          client.destroy();
          upstream.destroy();
        });
        return;
      }
      if (!client.write(chunk)) {
        upstream.pause();
        client.once('drain', () => upstream.resume());
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const local = typeof address === 'object' && address ? address.port : 0;
  return {
    host: `127.0.0.1:${local}`,
    stats,
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      }),
  };
}
