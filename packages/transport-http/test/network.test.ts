import { afterEach, describe, expect, it } from 'vitest';
import { AbortError, ProtocolError, TimeoutError, TransportError, defineMethod, param } from '@pcloudkit/core';
import { httpTransport } from '../src/index.js';
import { freePort, json, startRawServer, startServer } from './helpers.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});
function transport(options?: Parameters<typeof httpTransport>[0]) {
  const t = httpTransport(options);
  cleanup.push(() => t.close());
  return t;
}

describe('network failures', () => {
  it('gives TransportError with network: true on a refused port', async () => {
    const port = await freePort();
    const host = `http://127.0.0.1:${port}`;
    const err = await transport()
      .call({ method: 'userinfo', host, params: {}, responseType: 'json' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.network).toBe(true);
    expect(err.host).toBe(host);
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(err.cause).toBeDefined();
  });

  it('gives TransportError with network: true for a name that does not resolve', async () => {
    const err = await transport()
      .call({ method: 'userinfo', host: 'http://no-such-host.invalid', params: {}, responseType: 'json' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.network).toBe(true);
  });

  it('gives TransportError with network: false when the server closes after reading the request', async () => {
    const raw = await startRawServer((socket) => socket.once('data', () => socket.destroy()));
    cleanup.push(raw.close);
    const err = await transport()
      .call({ method: 'userinfo', host: raw.origin, params: {}, responseType: 'json' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.network).toBe(false);
  });

  it('gives TransportError (not a hang) when the body is cut short of its Content-Length', async () => {
    const raw = await startRawServer((socket) =>
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"result":0,"na');
        setTimeout(() => socket.destroy(), 20);
      }),
    );
    cleanup.push(raw.close);
    const err = await transport()
      .call({ method: 'userinfo', host: raw.origin, params: {}, responseType: 'json' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.network).toBe(false);
  });

  it('gives ProtocolError for truncated JSON in a connection-close framed answer', async () => {
    const raw = await startRawServer((socket) =>
      socket.once('data', () =>
        socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"result":0,"na'),
      ),
    );
    cleanup.push(raw.close);
    const err = await transport()
      .call({ method: 'userinfo', host: raw.origin, params: {}, responseType: 'json' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ProtocolError);
  });

  it('gives ProtocolError when the server speaks something other than HTTP', async () => {
    const raw = await startRawServer((socket) => socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.6\r\n')));
    cleanup.push(raw.close);
    const err = await transport()
      .call({ method: 'userinfo', host: raw.origin, params: {}, responseType: 'json' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.message).toMatch(/did not answer in HTTP/);
  });
});

describe('a server that never answers', () => {
  async function silent() {
    const raw = await startRawServer(() => {});
    cleanup.push(raw.close);
    return raw;
  }

  it('honours an AbortSignal: AbortError, no hang', async () => {
    const raw = await silent();
    const controller = new AbortController();
    const pending = transport().call({ method: 'userinfo', host: raw.origin, params: {}, responseType: 'json', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const err = await pending.catch((e) => e);
    expect(err).toBeInstanceOf(AbortError);
  });

  it('passes through a core error the signal was aborted with (the client aborts with TimeoutError)', async () => {
    const raw = await silent();
    const controller = new AbortController();
    const pending = transport().call({ method: 'userinfo', host: raw.origin, params: {}, responseType: 'json', signal: controller.signal });
    setTimeout(() => controller.abort(new TimeoutError(50)), 50);
    expect(await pending.catch((e) => e)).toBeInstanceOf(TimeoutError);
  });

  it('fails fast with AbortError on an already aborted signal, without connecting', async () => {
    const raw = await silent();
    const err = await transport()
      .call({ method: 'userinfo', host: raw.origin, params: {}, responseType: 'json', signal: AbortSignal.abort() })
      .catch((e) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(raw.connections()).toBe(0);
  });

  it('gives up after headersTimeout with a TransportError', async () => {
    const raw = await silent();
    const err = await transport({ headersTimeout: 100 })
      .call({ method: 'userinfo', host: raw.origin, params: {}, responseType: 'json' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.network).toBe(false);
    expect(err.message).toMatch(/UND_ERR_HEADERS_TIMEOUT/);
  });

  it('aborts a data stream that stalls mid-body', async () => {
    const raw = await startRawServer((socket) =>
      socket.once('data', () =>
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: 1000\r\n\r\nabc'),
      ),
    );
    cleanup.push(raw.close);
    const controller = new AbortController();
    const answer = await transport().call({
      method: 'getzip',
      host: raw.origin,
      params: {},
      responseType: 'data',
      signal: controller.signal,
    });
    const reader = answer.data!.body.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toBe('abc');
    setTimeout(() => controller.abort(), 30);
    const err = await reader.read().catch((e) => e);
    expect(err).toBeInstanceOf(AbortError);
  });
});

describe('connections', () => {
  it('reuses one keep-alive connection for sequential calls (connections: 1)', async () => {
    const s = await startServer((_q, res) => json(res, '{"result":0}'));
    cleanup.push(s.close);
    const t = transport({ connections: 1 });
    for (let i = 0; i < 10; i++) await t.call({ method: 'getdigest', host: s.origin, params: { i }, responseType: 'json' });
    expect(s.requests.length).toBe(10);
    expect(s.connections()).toBe(1);
  });

  it('reuses keep-alive connections with the default pool', async () => {
    // undici checks an idle socket for one event-loop turn before reusing it,
    // so back-to-back calls may alternate between two sockets; never more.
    const s = await startServer((_q, res) => json(res, '{"result":0}'));
    cleanup.push(s.close);
    const t = transport();
    for (let i = 0; i < 20; i++) await t.call({ method: 'getdigest', host: s.origin, params: { i }, responseType: 'json' });
    expect(s.connections()).toBeLessThanOrEqual(2);
  });

  it('spreads concurrent calls over at most `connections` sockets', async () => {
    const s = await startServer((_q, res) => {
      setTimeout(() => json(res, '{"result":0}'), 20);
    });
    cleanup.push(s.close);
    const t = transport({ connections: 3 });
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => t.call({ method: 'getdigest', host: s.origin, params: { i }, responseType: 'json' })),
    );
    expect(s.connections()).toBe(3);
  });

  it('pipelines: several requests are written on one socket before the first answer', async () => {
    // A raw server that answers only once it holds `n` whole requests from the same socket.
    const n = 4;
    const raw = await startRawServer((socket) => {
      let buffer = '';
      socket.on('data', (d) => {
        buffer += d.toString('latin1');
        const heads = buffer.split('\r\n\r\n').slice(0, -1);
        if (heads.length < n) return;
        buffer = '';
        for (const head of heads) {
          const id = /[?&]id=(\d+)/.exec(head)![1];
          const body = `{"result":0,"id":"${id}","keepalive":${/connection: keep-alive/i.test(head)}}`;
          socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
        }
      });
    });
    cleanup.push(raw.close);
    const t = transport({ connections: 1, pipelining: n });
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        t.call({ method: 'getdigest', host: raw.origin, params: { id: i }, responseType: 'json', signal: AbortSignal.timeout(10_000) }),
      ),
    );
    expect(answers.map((a) => a.result.id)).toEqual(['0', '1', '2', '3']);
    expect(answers.every((a) => a.result.keepalive === true)).toBe(true);
    expect(raw.connections()).toBe(1);
  });

  it('does not pipeline anything behind a long poll (a definition with longPoll, its param given)', async () => {
    // The server holds the poll for 100 ms and records whether it had answered when each request arrived.
    // The method is not called `diff`: the transport goes by the definition's trait, not by a name.
    const seen: string[] = [];
    let diffAnswered = false;
    const raw = await startRawServer((socket) => {
      let buffer = '';
      socket.on('data', (d) => {
        buffer += d.toString('latin1');
        const heads = buffer.split('\r\n\r\n');
        buffer = heads.pop()!;
        for (const head of heads) {
          const path = head.split(' ')[1]!;
          seen.push(`${path} (diff answered: ${diffAnswered})`);
          if (path.startsWith('/subscribe'))
            setTimeout(() => {
              diffAnswered = true;
              reply(socket, '{"result":0,"entries":["event"]}');
            }, 100);
          else reply(socket, '{"result":0}');
        }
      });
    });
    function reply(socket: import('node:net').Socket, body: string) {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    }
    cleanup.push(raw.close);
    const t = transport({ connections: 1, pipelining: 4 });
    const definition = defineMethod({
      name: 'subscribe',
      group: 'test',
      params: { since: param.int(), wait: param.flag() },
      longPoll: 'wait',
    });
    const diff = t.call({ method: 'subscribe', host: raw.origin, params: { since: 1, wait: 1 }, definition, responseType: 'json' });
    await new Promise((r) => setTimeout(r, 20));
    const other = t.call({ method: 'userinfo', host: raw.origin, params: {}, responseType: 'json' });
    expect((await diff).result.entries).toEqual(['event']);
    await other;
    // userinfo went out only after the diff's answer had arrived
    expect(seen).toEqual(['/subscribe?since=1&wait=1 (diff answered: false)', '/userinfo (diff answered: true)']);
  });

  it('keeps connection-bound methods on one socket of their own even without a connectionKey', async () => {
    const s = await startServer((_q, res) => {
      setTimeout(() => json(res, '{"result":0}'), 10);
    });
    cleanup.push(s.close);
    const t = transport({ connections: 4 });
    const bound = defineMethod({ name: 'file_read', group: 'test', params: { fd: param.int() }, connectionBound: true });
    await t.call({ method: 'a', host: s.origin, params: {}, responseType: 'json' });
    // Concurrent calls: pooled ones spread over several sockets, connection-bound ones share one.
    await Promise.all([
      ...Array.from({ length: 4 }, () =>
        t.call({ method: 'file_read', host: s.origin, params: { fd: 1 }, definition: bound, responseType: 'json' }),
      ),
      ...Array.from({ length: 4 }, () => t.call({ method: 'b', host: s.origin, params: {}, responseType: 'json' })),
    ]);
    const socketsOf = (m: string) => new Set(s.requests.filter((r) => r.url.startsWith(`/${m}`)).map((r) => r.socket));
    const bo = socketsOf('file_read');
    expect(bo.size).toBe(1);
    expect(socketsOf('b').size).toBeGreaterThan(1);
    for (const pooled of [...socketsOf('a'), ...socketsOf('b')]) expect(bo.has(pooled)).toBe(false);
  });

  it('keeps calls with a connectionKey on their own socket, apart from the pool', async () => {
    const s = await startServer((_q, res) => json(res, '{"result":0}'));
    cleanup.push(s.close);
    const t = transport({ connections: 4 });
    await t.call({ method: 'a', host: s.origin, params: {}, responseType: 'json' });
    for (let i = 0; i < 3; i++)
      await t.call({ method: 'file_read', host: s.origin, params: {}, responseType: 'json', connectionKey: 'fd' });
    await t.call({ method: 'b', host: s.origin, params: {}, responseType: 'json' });
    await t.call({ method: 'file_read', host: s.origin, params: {}, responseType: 'json', connectionKey: 'other' });
    const socketOf = (m: string) => s.requests.filter((r) => r.url.startsWith(`/${m}`)).map((r) => r.socket);
    const keyed = socketOf('file_read');
    expect(new Set(keyed.slice(0, 3)).size).toBe(1);
    expect(keyed[3]).not.toBe(keyed[0]);
    expect(socketOf('a')[0]).toBe(socketOf('b')[0]);
    expect(keyed).not.toContain(socketOf('a')[0]);
  });

  it('release(key) closes the socket of that key only; the next call with the key opens a new one', async () => {
    const s = await startServer((_q, res) => json(res, '{"result":0}'));
    cleanup.push(s.close);
    const t = transport();
    const call = (key: string) => t.call({ method: `k_${key}`, host: s.origin, params: {}, responseType: 'json', connectionKey: key });
    await call('A');
    await call('B');
    await t.release!('A');
    await call('A');
    await call('B');
    const socketsOf = (key: string) => s.requests.filter((r) => r.url.startsWith(`/k_${key}`)).map((r) => r.socket);
    expect(socketsOf('A')[1]).not.toBe(socketsOf('A')[0]);
    expect(socketsOf('B')[1]).toBe(socketsOf('B')[0]);
    await t.release!('no such key');
  });

  it('close() drops the sockets; a later call fails without connecting, as over binary', async () => {
    const s = await startServer((_q, res) => json(res, '{"result":0}'));
    cleanup.push(s.close);
    const t = transport();
    await t.call({ method: 'a', host: s.origin, params: {}, responseType: 'json' });
    await t.close();
    const error = await t.call({ method: 'a', host: s.origin, params: {}, responseType: 'json' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toBe('http: the transport is closed');
    expect(s.connections()).toBe(1);
  });

  it('goes through a dispatcher you bring, and leaves it open on close()', async () => {
    const { Agent } = await import('undici');
    const s = await startServer((_q, res) => json(res, '{"result":0}'));
    cleanup.push(s.close);
    let dispatched = 0;
    const agent = new Agent().compose((dispatch) => (opts, handler) => {
      dispatched++;
      return dispatch(opts, handler);
    });
    cleanup.push(() => agent.close());
    const t = transport({ dispatcher: agent });
    await t.call({ method: 'a', host: s.origin, params: {}, responseType: 'json' });
    await t.close();
    // the dispatcher still works for its owner
    const after = await agent.request({ origin: s.origin, path: '/a', method: 'GET' });
    expect(await after.body.json()).toEqual({ result: 0 });
    expect(dispatched).toBe(2);
  });
});
