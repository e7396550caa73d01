import { createClient } from '@pcloudkit/core';
import { binaryTransport } from '@pcloudkit/transport-binary';
import { httpTransport } from '@pcloudkit/transport-http';
import { fileops, O_CREAT, O_WRITE } from '@pcloudkit/methods-fileops';
import { randomBytes, createHash } from 'node:crypto';
const s = JSON.parse(process.argv[2]);
const data = randomBytes(128 * 1048576);
for (const kind of ['binary', 'http']) {
  const client = createClient({
    transport: kind === 'binary' ? binaryTransport({ tls: false }) : httpTransport(),
    region: { api: [s.api], binapi: [s.binapi] },
    auth: { accessToken: s.token },
  }).use(fileops);
  let t = performance.now();
  await client.call('uploadfile', { folderid: 0 }, { files: [{ name: `p-${kind}`, data }] });
  const plain = performance.now() - t;
  t = performance.now();
  const h = await client.open({ folderid: 0, name: `r-${kind}` }, O_CREAT | O_WRITE);
  const C = 8 * 1048576;
  const times = [];
  for (let o = 0; o < data.length; o += C) {
    const a = performance.now();
    await h.pwrite(data.subarray(o, o + C), o);
    times.push((performance.now() - a).toFixed(0));
  }
  const w = performance.now() - t;
  await h.close();
  const closed = performance.now() - t;
  t = performance.now();
  createHash('sha1').update(data);
  createHash('md5').update(data);
  const hashing = performance.now() - t;
  console.log(
    kind,
    { plain: plain.toFixed(0), writes: w.toFixed(0), withClose: closed.toFixed(0), clientHash: hashing.toFixed(0) },
    times.join(' '),
  );
  await client.close();
}
