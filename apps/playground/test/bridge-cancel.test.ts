/**
 * The binary bridge lets go of a call when the page stops waiting for it
 * (the Cancel button aborts the page's fetch or upload): the call is
 * aborted, its connection closed, and the server keeps answering.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startPlayground, type Playground } from '../src/server/app.js';

let app: Playground;
let settings: { emulator: { api: string; accessToken: string } };
const credentials = () => ({ kind: 'access_token', token: settings.emulator.accessToken });

beforeAll(async () => {
  app = await startPlayground({ port: 0 });
  settings = (await (await fetch(new URL('/api/settings', app.url))).json()) as typeof settings;
});
afterAll(async () => {
  await app?.close();
});

function call(body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(new URL('/api/call', app.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-playground': '1' },
    body: JSON.stringify(body),
    signal,
  });
}

test('a blocking diff is aborted on the server when the page aborts its request', async () => {
  const head = (await (await call({ method: 'diff', params: { last: 0 }, target: 'emulator', credentials: credentials() })).json()) as {
    response: string;
  };
  const diffid = /"diffid":\s*(\d+)/.exec(head.response)![1];
  const ctl = new AbortController();
  const pending = call({ method: 'diff', params: { diffid, block: true }, target: 'emulator', credentials: credentials() }, ctl.signal);
  await expect.poll(() => app.runningCalls()).toBe(1);
  await new Promise((r) => setTimeout(r, 300));
  expect(app.runningCalls()).toBe(1); // still blocked: nothing changed
  ctl.abort();
  await expect(pending).rejects.toThrow();
  await expect.poll(() => app.runningCalls(), { timeout: 3000 }).toBe(0);
  // the bridge goes on serving
  const next = (await (await call({ method: 'getapiserver', params: {}, target: 'emulator' })).json()) as { error: unknown };
  expect(next.error).toBeNull();
});

test('an upload the page abandons half-way ends its call too', async () => {
  const boundary = 'cancel-b0undary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="call"\r\n\r\n${JSON.stringify({
      method: 'uploadfile',
      params: { folderid: '0', renameifexists: true },
      target: 'emulator',
      credentials: credentials(),
    })}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="never.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const ctl = new AbortController();
  // a body that sends its start, then waits (as a slow upload does) until the page gives up
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(head);
      c.enqueue(new Uint8Array(64 * 1024));
    },
  });
  const pending = fetch(new URL('/api/upload', app.url), {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-playground': '1' },
    body,
    signal: ctl.signal,
    duplex: 'half',
  } as RequestInit);
  await expect.poll(() => app.runningCalls()).toBe(1);
  ctl.abort();
  await expect(pending).rejects.toThrow();
  await expect.poll(() => app.runningCalls(), { timeout: 3000 }).toBe(0);
  const next = (await (await call({ method: 'getapiserver', params: {}, target: 'emulator' })).json()) as { error: unknown };
  expect(next.error).toBeNull();
});
