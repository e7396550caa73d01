// One phase of the bench in a plain Node process of its own, on the built package (dist), so its
// peak RSS is the client's alone. Arguments: phase (large | plain | download), transport (binary | http),
// then a JSON object of settings. Prints one JSON line with the outcome.
import { readFile } from 'node:fs/promises';
import { createClient } from '@pcloudkit/core';
import { fileops } from '@pcloudkit/methods-fileops/node';

const [phase, kind, json] = process.argv.slice(2);
const settings = JSON.parse(json);
const writes = [];
// What each file_pwrite handed to the connection: its offset and the bytes its progress reached.
// Every call's method, start and end (ms since the phase started), for PCLOUDKIT_BENCH_TIMELINE.
const calls = [];
const record = (next) => async (request) => {
  const call = [request.method, performance.now() - (globalThis.started ?? 0)];
  calls.push(call);
  try {
    return await recordWrite(next)(request);
  } finally {
    call.push(performance.now() - (globalThis.started ?? 0));
  }
};
const recordWrite = (next) => async (request) => {
  if (request.method !== 'file_pwrite') return next(request);
  let loaded = 0;
  const inner = request.onUploadProgress;
  try {
    return await next({
      ...request,
      onUploadProgress: (p) => {
        loaded = p.loaded;
        inner?.(p);
      },
    });
  } finally {
    writes.push([Number(request.params.offset), loaded]);
  }
};
// Only what the phase needs is loaded, as an application would (a binary upload does without undici).
const transport =
  kind === 'binary'
    ? (await import('@pcloudkit/transport-binary')).binaryTransport({ tls: false })
    : (await import('@pcloudkit/transport-http')).httpTransport();
let client = createClient({
  transport,
  region: { api: [settings.api], binapi: [settings.binapi] },
  auth: { accessToken: settings.token },
  timeout: 300_000,
  middleware: [record],
}).use(fileops);
if (phase === 'download') client = client.use((await import('@pcloudkit/transport-http')).downloads);

let peak = process.memoryUsage().rss;
const parts = { heapUsed: 0, external: 0, arrayBuffers: 0 };
const timer = setInterval(() => {
  const m = process.memoryUsage();
  peak = Math.max(peak, m.rss);
  for (const k of Object.keys(parts)) parts[k] = Math.max(parts[k], m[k]);
}, 10);
const started = performance.now();
globalThis.started = started;
let outcome;
if (phase === 'large') {
  const done = await client.uploadLarge(
    { path: settings.source },
    { folderid: settings.folderid, name: settings.name },
    { chunkSize: settings.chunk, ...settings.options },
  );
  outcome = { fileid: done.metadata.fileid, sent: done.sent, resumes: done.resumes, checksums: done.checksums, writes };
} else if (phase === 'plain') {
  const done = await client.call(
    'uploadfile',
    { folderid: settings.folderid },
    { files: [{ name: settings.name, data: { path: settings.source } }] },
  );
  outcome = { fileid: done.metadata[0].fileid };
} else {
  const link = await client.call('getfilelink', { fileid: settings.fileid });
  const done = await client.downloadToFile(link, settings.target, { verify: { fileid: settings.fileid } });
  outcome = { bytes: done.bytes, resumes: done.resumes, checksums: done.checksums };
}
const ms = performance.now() - started;
clearInterval(timer);
await client.close();
// The kernel's high-water mark of this process's resident memory (getrusage's maxRSS would also count
// the parent's memory at fork time).
const hwm = /VmHWM:\s+(\d+) kB/.exec(await readFile('/proc/self/status', 'utf8').catch(() => ''))?.[1];
if (hwm) peak = Math.max(peak, Number(hwm) * 1024);
// CPU time of this process (every thread), in ms
const { user, system } = process.cpuUsage();
console.log(JSON.stringify({ ms, peak, parts, cpu: (user + system) / 1000, calls, ...outcome }));
