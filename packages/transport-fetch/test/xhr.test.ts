import { createHash } from 'node:crypto';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, type Progress } from '@pcloudkit/core';
import { startEmulator } from '@pcloudkit/emulator';
import { fetchTransport } from '../src/index.js';

/**
 * A small XMLHttpRequest over node:http, standing in for the browser's so the
 * transport's XHR upload path runs against the real emulator. It sends the
 * body in 16 KiB writes and reports upload progress as each write is flushed,
 * which is what a browser reports too.
 */
class NodeXhr {
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  onabort: (() => void) | null = null;
  responseType = '';
  status = 0;
  responseText = '';
  private method = 'GET';
  private url = '';
  private headers: Record<string, string> = {};
  private answerHeaders: Record<string, string | string[] | undefined> = {};
  private req: ClientRequest | undefined;
  static sent = 0;
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  getResponseHeader(name: string): string | null {
    const v = this.answerHeaders[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  }
  abort() {
    this.req?.destroy();
    this.onabort?.();
  }
  async send(body: FormData | Blob) {
    NodeXhr.sent++;
    const encoded = new Request(this.url, { method: 'POST', body });
    const bytes = new Uint8Array(await encoded.arrayBuffer());
    const type = encoded.headers.get('content-type');
    const headers = { ...this.headers, 'content-length': String(bytes.length), ...(type ? { 'content-type': type } : {}) };
    const req = httpRequest(this.url, { method: this.method, headers }, (res) => {
      this.status = res.statusCode ?? 0;
      this.answerHeaders = res.headers;
      res.setEncoding('utf8');
      res.on('data', (c: string) => (this.responseText += c));
      res.on('end', () => this.onload?.());
    });
    this.req = req;
    req.on('error', () => this.onerror?.());
    let at = 0;
    const next = () => {
      if (at >= bytes.length) return void req.end();
      const piece = bytes.subarray(at, at + 16 * 1024);
      at += piece.length;
      req.write(piece, () => {
        this.upload.onprogress?.({ lengthComputable: true, loaded: at, total: bytes.length });
        next();
      });
    };
    next();
  }
}

let emu: Awaited<ReturnType<typeof startEmulator>>;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, region: 'eu' });
  (globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest = NodeXhr;
});
afterAll(async () => {
  delete (globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest;
  await emu?.stop();
});

describe('uploads through XMLHttpRequest where the runtime has it', () => {
  it('reports upload progress step by step, and the file arrives whole', async () => {
    const t = fetchTransport();
    const data = new Uint8Array(500_000).map((_, i) => (i * 31 + 5) & 255);
    const events: Progress[] = [];
    const before = NodeXhr.sent;
    const up = await t.call({
      method: 'uploadfile',
      host: emu.api,
      params: { auth: emu.auth, folderid: 0, renameifexists: 1 },
      files: [{ name: 'xhr.bin', data: new Blob([data]) }],
      responseType: 'json',
      onUploadProgress: (p) => events.push(p),
    });
    expect(NodeXhr.sent).toBe(before + 1);
    expect(up.result.result).toBe(0);
    const fileid = (up.result.metadata as Array<{ fileid: number }>)[0]!.fileid;
    const sum = await t.call({ method: 'checksumfile', host: emu.api, params: { auth: emu.auth, fileid }, responseType: 'json' });
    expect(sum.result.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(events.length).toBeGreaterThan(20);
    for (let i = 1; i < events.length; i++) expect(events[i]!.loaded).toBeGreaterThanOrEqual(events[i - 1]!.loaded);
    expect(events[0]).toEqual({ loaded: 0, total: data.length });
    expect(events.at(-1)).toEqual({ loaded: data.length, total: data.length });
  });

  it('uses fetch when no progress is asked for, and aborts an XHR upload with AbortError', async () => {
    const t = fetchTransport();
    const before = NodeXhr.sent;
    const r = await t.call({
      method: 'uploadfile',
      host: emu.api,
      params: { auth: emu.auth, folderid: 0, renameifexists: 1 },
      files: [{ name: 'plain.txt', data: new TextEncoder().encode('plain') }],
      responseType: 'json',
    });
    expect(r.result.result).toBe(0);
    expect(NodeXhr.sent).toBe(before);

    emu.faults.delay('uploadfile', 400);
    try {
      const controller = new AbortController();
      const pending = t.call({
        method: 'uploadfile',
        host: emu.api,
        params: { auth: emu.auth, folderid: 0 },
        files: [{ name: 'aborted.txt', data: new TextEncoder().encode('never stored') }],
        responseType: 'json',
        signal: controller.signal,
        onUploadProgress: () => {},
      });
      setTimeout(() => controller.abort(), 50);
      await expect(pending).rejects.toBeInstanceOf(AbortError);
      // Let the emulator finish the delayed request before it is stopped.
      await new Promise((resolve) => setTimeout(resolve, 600));
    } finally {
      emu.faults.clear();
    }
  });
});
