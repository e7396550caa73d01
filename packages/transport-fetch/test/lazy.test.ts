// The parts of this package loaded with import() on first use (uploads, data
// answers, failure details) are separate chunks in a split bundle, which a
// browser fetches when they are first needed. When one cannot be fetched
// (the network is down), the call must still end with the right core error.
// Here the transport is bundled with those chunks missing and run in Node.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Transport, TransportRequest } from '@pcloudkit/core';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkg = join(import.meta.dirname, '..');
let dir: string;
let bundled: {
  fetchTransport(options: { fetch: typeof fetch }): Transport;
  ProtocolError: new (...args: never[]) => Error;
  TransportError: new (...args: never[]) => Error;
  AbortError: new (...args: never[]) => Error;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pcloudkit-lazy-'));
  const out = await build({
    stdin: {
      contents:
        "export { fetchTransport } from './src/index.ts';\nexport { AbortError, ProtocolError, TransportError } from '@pcloudkit/core';",
      resolveDir: pkg,
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    conditions: ['source'],
    logLevel: 'error',
    // the lazily loaded modules stay import()s of files that are not there
    plugins: [
      {
        name: 'missing-chunks',
        setup: (b) => b.onResolve({ filter: /.*/ }, (a) => (a.kind === 'dynamic-import' ? { path: a.path, external: true } : undefined)),
      },
    ],
  });
  const file = join(dir, 'transport.mjs');
  writeFileSync(file, out.outputFiles[0]!.contents);
  bundled = await import(pathToFileURL(file).href);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const request = (extra: Partial<TransportRequest> = {}): TransportRequest => ({
  method: 'listfolder',
  host: 'http://127.0.0.1:9',
  params: { folderid: 0 },
  responseType: 'json',
  ...extra,
});
const answer =
  (body: string, type = 'application/json') =>
  async () =>
    new Response(body, { headers: { 'content-type': type } });

describe('lazily loaded parts that cannot be loaded', () => {
  it('a good JSON answer needs none of them', async () => {
    const t = bundled.fetchTransport({ fetch: answer('{"result":0,"hash":18446744073709551615}') });
    const { result } = await t.call(request());
    expect(result).toEqual({ result: 0, hash: 18446744073709551615n });
  });

  it('a bad answer is still a ProtocolError naming the method and host', async () => {
    const t = bundled.fetchTransport({ fetch: answer('<html>gateway</html>', 'text/html') });
    const error = await t.call(request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(bundled.ProtocolError);
    expect((error as Error).message).toBe('listfolder on http://127.0.0.1:9: the answer is not a pCloud JSON object');
  });

  it('a failed fetch is a network TransportError, an aborted one an AbortError', async () => {
    const t = bundled.fetchTransport({
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const error = await t.call(request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(bundled.TransportError);
    expect(error).toMatchObject({ network: true, host: 'http://127.0.0.1:9' });
    expect((error as Error).message).toContain('Failed to fetch');

    const controller = new AbortController();
    controller.abort();
    const aborted = await t.call(request({ signal: controller.signal })).catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(bundled.AbortError);
  });

  it('a data answer or an upload fails as a network TransportError', async () => {
    const t = bundled.fetchTransport({ fetch: answer('file bytes', 'application/octet-stream') });
    const data = await t.call(request({ method: 'getthumb', responseType: 'data' })).catch((e: unknown) => e);
    expect(data).toBeInstanceOf(bundled.TransportError);
    expect(data).toMatchObject({ network: true });
    expect((data as Error).message).toMatch(/^could not load a part of @pcloudkit\/transport-fetch/);

    const upload = await t
      .call(request({ method: 'uploadfile', files: [{ name: 'a.txt', data: new Uint8Array([1, 2, 3]) }] }))
      .catch((e: unknown) => e);
    expect(upload).toBeInstanceOf(bundled.TransportError);
    expect((upload as Error).message).toMatch(/^could not load a part/);
  });
});
