/** Test helpers: one fileops session over one HTTP keep-alive or binary connection. */
import { Client } from 'undici';
import type { Emulator } from '../src/index.js';
import { frame, open, type Reader } from './binary-wire.js';
import { type Json, parseReply } from './helpers.js';

export type Params = Record<string, string | number>;

/** One fileops session: a single connection to one port, calls in order. */
export interface Session {
  call(method: string, params?: Params, payload?: Buffer): Promise<{ body: Json; data?: Buffer }>;
  /** Closes the connection politely (HTTP) or at once (binary). */
  close(): Promise<void>;
  /** Tears the connection down at once. */
  destroy(): Promise<void>;
}

/** Calls over one keep-alive HTTP connection (undici Client: a single socket). */
export function httpSession(emu: Emulator): Session {
  const client = new Client(emu.api, { pipelining: 1 });
  return {
    async call(method, params = {}, payload) {
      const qs = new URLSearchParams(Object.entries({ auth: emu.auth, ...params }).map(([k, v]) => [k, String(v)]));
      const res = await client.request({
        path: `/${method}?${qs}`,
        method: payload ? 'PUT' : 'GET',
        ...(payload ? { body: payload } : {}),
        headers: { connection: 'keep-alive' },
      });
      const bytes = Buffer.from(await res.body.arrayBuffer());
      if (/octet-stream/.test(String(res.headers['content-type']))) return { body: { result: 0 }, data: bytes };
      return { body: parseReply(bytes.toString('utf8')) };
    },
    close: () => client.close(),
    destroy: () => client.destroy(),
  };
}

/** Calls over one binary-protocol connection; logs in on the first call. */
export async function binarySession(emu: Emulator): Promise<Session & { reader: Reader }> {
  const reader = await open(emu);
  let first = true;
  return {
    reader,
    async call(method, params = {}, payload) {
      const all: Record<string, string | number | boolean> = first ? { auth: emu.auth, ...params } : { ...params };
      first = false;
      reader.socket.write(frame(method, all, payload));
      const a = await reader.answer();
      return { body: a.value as Json, ...(a.payload ? { data: a.payload } : {}) };
    },
    async close() {
      reader.socket.destroy();
    },
    async destroy() {
      reader.socket.destroy();
    },
  };
}
