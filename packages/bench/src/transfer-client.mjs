// One client phase of the transfer bench, in a plain Node process of its own on the built packages
// (dist), so the peak RSS it reports is the client's alone. Arguments: phase, then a JSON object of
// settings. Phases: raw-upload, raw-download (the anchor: the file through a bare TCP socket),
// hashed-upload (the same, the server also computing SHA-1 and MD5), http-upload, http-download,
// binary-upload, binary-download (through the SDK).
// Prints one JSON line: { ms, peak, ...outcome }.
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { pipeline } from 'node:stream/promises';

const [phase, json] = process.argv.slice(2);
const settings = JSON.parse(json);

let peak = process.memoryUsage().rss;
const timer = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 10);

/** The raw anchor: one socket to the raw server, a command byte, then the file's bytes one way; `hashed` asks for the digests. */
async function raw(direction, hashed = false) {
  const socket = connect({ host: '127.0.0.1', port: settings.rawPort, allowHalfOpen: true });
  await new Promise((ok, fail) => socket.once('connect', ok).once('error', fail));
  const started = performance.now();
  if (direction === 'upload') {
    socket.write(hashed ? 'H' : 'U');
    // the server answers one byte once the file is on its disk
    const acknowledged = new Promise((ok, fail) => socket.once('data', ok).once('error', fail));
    await pipeline(createReadStream(settings.source), socket, { end: false });
    socket.end();
    await acknowledged;
    socket.destroy();
  } else {
    socket.write('D');
    await pipeline(socket, createWriteStream(settings.target));
  }
  return { ms: performance.now() - started, bytes: settings.size };
}

async function sdk(kind, direction) {
  const { createClient } = await import('@pcloudkit/core');
  // only what the phase needs is loaded, as an application would (a binary client does without undici)
  const transport =
    kind === 'binary'
      ? (await import('@pcloudkit/transport-binary')).binaryTransport({ tls: false })
      : (await import('@pcloudkit/transport-http')).httpTransport();
  let client = createClient({
    transport,
    region: { api: [settings.api], binapi: [settings.binapi] },
    auth: { accessToken: settings.token },
    timeout: 600_000,
  });
  let outcome;
  let started;
  if (direction === 'upload') {
    started = performance.now();
    const done = await client.call('uploadfile', { folderid: 0 }, { files: [{ name: settings.name, data: { path: settings.source } }] });
    const meta = done.metadata[0];
    outcome = { fileid: Number(meta.fileid), bytes: Number(meta.size), hash: String(meta.hash) };
  } else if (kind === 'http') {
    client = client.use((await import('@pcloudkit/transport-http')).downloads);
    started = performance.now();
    const link = await client.call('getfilelink', { fileid: settings.fileid });
    const done = await client.downloadToFile(link, settings.target);
    outcome = { bytes: done.bytes };
  } else {
    // the bytes over the binary protocol itself: a descriptor (methods-fileops' handle, on a connection
    // of its own), one file_pread data answer of the whole file, streamed to disk. The package is
    // loaded from its build in this repository: the bench does not depend on it.
    const { fileops } = await import(new URL('../../methods-fileops/dist/index.js', import.meta.url).href);
    const { pumpTo } = await import('@pcloudkit/core/node');
    client = client.use(fileops);
    started = performance.now();
    const handle = await client.open({ fileid: settings.fileid }, 0);
    const answer = await handle.preadStream(settings.size, 0);
    const done = await pumpTo(answer.body, createWriteStream(settings.target), 'file');
    await handle.close();
    outcome = { bytes: done.bytes };
  }
  const ms = performance.now() - started;
  await client.close();
  return { ms, ...outcome };
}

const [kind, direction] = phase.split('-');
const outcome = kind === 'raw' || kind === 'hashed' ? await raw(direction, kind === 'hashed') : await sdk(kind, direction);
clearInterval(timer);
// the kernel's high-water mark of this process's resident memory catches peaks between two samples
const hwm = /VmHWM:\s+(\d+) kB/.exec(await readFile('/proc/self/status', 'utf8').catch(() => ''))?.[1];
if (hwm) peak = Math.max(peak, Number(hwm) * 1024);
console.log(JSON.stringify({ ...outcome, peak }));
