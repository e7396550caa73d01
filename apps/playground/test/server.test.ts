/**
 * The playground's JSON API over real sockets, with the embedded emulator:
 * method listing, binary calls through the bridge, server-side validation,
 * uploads, data answers, credentials and the request guards.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAIL_PATH } from '@pcloudkit/emulator';
import { startPlayground, type Playground } from '../src/server/app.js';
import { readMultipart, partText } from '../src/server/multipart.js';
import { buildRegistry } from '../src/server/registry.js';
import { problems } from '../src/ui/form.js';
import { encodeParams, type ValidationError } from '@pcloudkit/core';
import { errorMessages, findMethod } from '@pcloudkit/catalog';

let app: Playground;
let settings: { emulator: { api: string; accessToken: string; binary: string } };

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(new URL(path, app.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-playground': '1', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

beforeAll(async () => {
  app = await startPlayground({ port: 0, users: [{ email: 'bob@pcloudkit.test', password: 'bobs-Secret-42' }] });
  settings = (await (await fetch(new URL('/api/settings', app.url))).json()) as typeof settings;
});
afterAll(async () => {
  await app?.close();
});

describe('multipart reader', () => {
  const boundary = 'XyZ--b0undary';
  const body = Buffer.concat([
    Buffer.from(`preamble\r\n--${boundary}\r\nContent-Disposition: form-data; name="call"\r\n\r\n{"a":1}\r\n`),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256)),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);

  test('reads the same parts whatever the chunking', async () => {
    for (const size of [1, 2, 3, 7, 16, 64, body.length]) {
      const chunks = async function* () {
        for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
      };
      const parts: { name: string; filename?: string; bytes: Buffer }[] = [];
      for await (const part of readMultipart(chunks(), boundary)) {
        if (part.filename === undefined) parts.push({ name: part.name, bytes: Buffer.from(await partText(part)) });
        else {
          const got: Buffer[] = [];
          for await (const c of part.body) got.push(c);
          parts.push({ name: part.name, filename: part.filename, bytes: Buffer.concat(got) });
        }
      }
      expect(parts.map((p) => [p.name, p.filename])).toEqual([
        ['call', undefined],
        ['file', 'x.bin'],
      ]);
      expect(parts[0]!.bytes.toString()).toBe('{"a":1}');
      expect([...parts[1]!.bytes]).toEqual(Array.from({ length: 300 }, (_, i) => i % 256));
    }
  });

  test('a truncated body is an error, not a hang', async () => {
    const cut = body.subarray(0, body.length - 40);
    const run = async () => {
      const source = async function* () {
        yield cut;
      };
      for await (const part of readMultipart(source(), boundary)) for await (const _ of part.body);
    };
    await expect(run()).rejects.toThrow(/ended early/);
  });
});

describe('registry', () => {
  test('lists every definition of the method packages with its plugin export', () => {
    const registry = buildRegistry();
    const link = registry.get('getaudiolink')!;
    expect(link.info).toMatchObject({ group: 'streaming', pkg: '@pcloudkit/methods-streaming', plugin: 'streaming', auth: true });
    expect(link.info.oneOf.target).toEqual(expect.arrayContaining(['fileid', 'path']));
    expect(link.info.params.find((p) => p.name === 'abitrate')).toMatchObject({ type: 'int', min: 16, max: 320 });
    expect(registry.get('uploadfile')!.info.data).toBe('upload');
    // The account and newsletter packages are listed with their plugins.
    expect(registry.get('register')!.info).toMatchObject({ pkg: '@pcloudkit/methods-auth', plugin: 'account', auth: false });
    expect(registry.get('newsletter_subscribe')!.info.pkg).toBe('@pcloudkit/methods-newsletter');
    // Sharing, public links, upload links and transfers, with the methods an anonymous visitor calls marked so.
    for (const [pkg, plugin, count] of [
      ['@pcloudkit/methods-sharing', 'sharing', 8],
      ['@pcloudkit/methods-publinks', 'publinks', 21],
      ['@pcloudkit/methods-uploadlinks', 'uploadlinks', 1],
      ['@pcloudkit/methods-transfer', 'transfer', 1],
    ] as const) {
      const listed = [...registry.values()].filter((e) => e.info.pkg === pkg);
      expect(listed.length, pkg).toBeGreaterThanOrEqual(count);
      expect(listed.every((e) => e.info.plugin === plugin)).toBe(true);
    }
    for (const name of [
      'showpublink',
      'getpubthumb',
      'getpubzip',
      'showuploadlink',
      'uploadtolink',
      'uploadlinkprogress',
      'sharerequestinfo',
    ])
      expect(registry.get(name)!.info.auth, name).toBe(false);
    expect(registry.get('uploadtolink')!.info.data).toBe('upload');
    for (const [name, { definition }] of registry) expect(definition.name).toBe(name);
    expect(registry.size).toBe(new Set([...registry.values()].map((e) => e.definition)).size);
  });

  test('adds what the catalogue knows beyond the definitions: answer fields and documented errors', () => {
    const info = buildRegistry().get('getaudiolink')!.info;
    const catalogued = findMethod('getaudiolink')!;
    expect(info.output.map((o) => o.name)).toEqual(catalogued.output.map((o) => o.name));
    expect(info.output.map((o) => o.name)).toContain('hosts');
    expect(info.errors.map((e) => e.code)).toEqual(catalogued.errors);
    expect(info.errors.find((e) => e.code === 2009)).toEqual({ code: 2009, message: errorMessages[2009] });
    expect(info.errors.every((e) => e.message !== '')).toBe(true);
  });
});

describe('form checks', () => {
  const info = (name: string) => buildRegistry().get(name)!.info;
  /** The message core's client.request gives for the same params (without its `method: ` prefix). */
  function coreSays(name: string, params: Record<string, unknown>): string | undefined {
    try {
      encodeParams(buildRegistry().get(name)!.definition, params);
      return undefined;
    } catch (error) {
      return (error as ValidationError).message.replace(`${name}: `, '');
    }
  }

  test("are core's checks: same verdicts and messages as encodeParams", () => {
    for (const [name, values] of [
      ['getaudiolink', {}],
      ['getaudiolink', { fileid: 'abc' }],
      ['getaudiolink', { fileid: '1', abitrate: '9000' }],
      ['getaudiolink', { fileid: '1', path: '/a' }],
      ['listfolder', { folderid: '0' }],
      ['getfilelink', { path: '/a', maxspeed: '-' }],
    ] as const) {
      const found = problems(info(name), values);
      expect(found[0]?.message, `${name} ${JSON.stringify(values)}`).toBe(coreSays(name, values));
    }
  });

  test('report every problem at once, each at its param', () => {
    expect(problems(info('getaudiolink'), { fileid: 'x', abitrate: '9000' })).toEqual([
      { param: 'fileid', message: `'fileid' must be an integer, got the string "x"` },
      { param: 'abitrate', message: `'abitrate' must be at most 320, got 9000` },
    ]);
    expect(problems(info('getaudiolink'), { abitrate: '1' })).toEqual([
      { param: 'fileid|path', message: `one of 'fileid' or 'path' is required (target)` },
      { param: 'abitrate', message: `'abitrate' must be at least 16, got 1` },
    ]);
    // 64-bit ids stay exact decimal strings and pass.
    expect(problems(info('getfilelink'), { fileid: '9007199254740993' })).toEqual([]);
  });
});

describe('JSON API', () => {
  /** A binary call through the bridge, with the demo user's credentials as the page sends them. */
  async function bridge(method: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const credentials = { kind: 'access_token', token: settings.emulator.accessToken };
    return post('/api/call', { method, params, transport: 'binary', target: 'emulator', credentials, ...extra });
  }

  test('GET /api/methods lists every method with its params and the emulator the page calls directly', async () => {
    const res = await fetch(new URL('/api/methods', app.url));
    const json = (await res.json()) as any;
    const names = json.methods.map((m: { name: string }) => m.name);
    expect(names).toEqual(expect.arrayContaining(['getapiserver', 'listfolder', 'uploadfile', 'getaudiolink', 'gettextfile']));
    expect(json.settings.emulator).toMatchObject({ running: true, api: app.emulatorApi });
    // The token the page's HTTP calls use works on the emulator directly.
    const direct = await fetch(`${app.emulatorApi}/userinfo`, {
      headers: { authorization: `Bearer ${json.settings.emulator.accessToken}` },
    });
    expect(((await direct.json()) as { result: number }).result).toBe(0);
    expect(json.methods.find((m: { name: string }) => m.name === 'getaudiolink').media).toBe('audio');
  });

  test('the bridge refuses HTTP calls: the page makes those itself', async () => {
    const { status, json } = await post('/api/call', { method: 'listfolder', params: { path: '/Music' }, transport: 'http' });
    expect(status).toBe(400);
    expect(json.error.message).toMatch(/straight to the target/);
  });

  test('POST /api/call runs a binary call and reports the request as sent, with credentials redacted', async () => {
    const { json } = await bridge('listfolder', { path: '/Music' });
    expect(json.error).toBeNull();
    expect(json.request).toMatchObject({ method: 'listfolder', transport: 'binary', host: settings.emulator.binary });
    expect(json.request.params).toMatchObject({ path: '/Music', timeformat: 'timestamp' });
    expect(json.request.bearer).toBe('[redacted]');
    expect(json.response).toContain('"name": "tone.wav"');
    expect(typeof json.timing).toBe('number');
    expect(json.frames.length).toBeGreaterThanOrEqual(2);
    // The token never comes back, not even inside the frames' hex.
    const hexToken = Buffer.from(settings.emulator.accessToken).toString('hex');
    expect(JSON.stringify(json.frames)).not.toContain(hexToken);
  });

  test('file hashes come back exact (64-bit) in the response text', async () => {
    const { json } = await bridge('listfolder', { path: '/Music' });
    const shown = /"hash": (\d+)/.exec(json.response)?.[1];
    // The digits the emulator itself sends for the same listing.
    const direct = await fetch(`${app.emulatorApi}/listfolder?path=/Music&auth=${encodeURIComponent((await emulatorToken()) ?? '')}`);
    const sent = /"hash":\s*(\d+)/.exec(await direct.text())?.[1];
    expect(sent).toMatch(/^\d+$/);
    expect(shown).toBe(sent);
  });

  test('core validation errors name the param and nothing is sent', async () => {
    const { json } = await bridge('getaudiolink', { fileid: 'abc' });
    expect(json.error).toMatchObject({ name: 'ValidationError', code: 'PCLOUD_VALIDATION_ERROR', param: 'fileid' });
    expect(json.request.host).toBeUndefined();
    expect(json.frames).toEqual([]);
  });

  test('API errors carry result code and class', async () => {
    const { json } = await bridge('getfilelink', { path: '/missing.bin' });
    expect(json.error).toMatchObject({ name: 'ApiError', result: 2009, errorClass: 'state' });
    expect(json.response).toContain('"result": 2009');
  });

  test('link answers come with ready URLs', async () => {
    const { json } = await bridge('getaudiolink', { path: '/Music/tone.wav' });
    expect(json.links[0].kind).toBe('audio');
    const res = await fetch(json.links[0].urls[0]);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(44);
  });

  test('data answers are downloadable from /api/data/<id>', async () => {
    const { json } = await bridge('gettextfile', { path: '/Documents/readme.txt' });
    expect(json.error).toBeNull();
    expect(json.data.preview).toContain('pcloudkit emulator');
    const res = await fetch(new URL(json.data.url, app.url));
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename\*=UTF-8''readme\.txt/);
    expect(await res.text()).toBe(json.data.preview);
  });

  test('POST /api/upload streams a multipart file into uploadfile over the binary protocol', async () => {
    const bytes = new Uint8Array(256 * 1024).map((_, i) => (i * 7) % 251);
    const form = new FormData();
    const credentials = { kind: 'access_token', token: settings.emulator.accessToken };
    form.append(
      'call',
      JSON.stringify({
        method: 'uploadfile',
        params: { path: '/Documents', renameifexists: true },
        transport: 'binary',
        target: 'emulator',
        credentials,
      }),
    );
    form.append('size', String(bytes.length));
    form.append('file', new Blob([bytes]), 'blob.bin');
    const res = await fetch(new URL('/api/upload', app.url), { method: 'POST', headers: { 'x-playground': '1' }, body: form });
    const json = (await res.json()) as any;
    expect(json.error).toBeNull();
    expect(json.request.files).toEqual([{ name: 'blob.bin', size: bytes.length, contentType: 'application/octet-stream' }]);
    expect(json.response).toContain(`"size": ${bytes.length}`);
    // Read it back through a link and compare the bytes.
    const fileid = /"fileids": \[\s*(\d+)/.exec(json.response)![1]!;
    const link = await bridge('getfilelink', { fileid });
    const back = new Uint8Array(await (await fetch(link.json.links[0].urls[0])).arrayBuffer());
    expect(Buffer.compare(Buffer.from(back), Buffer.from(bytes))).toBe(0);
  });

  test('anonymous methods run over the bridge without credentials: a public link and an upload link', async () => {
    const anonymous = (method: string, params: Record<string, unknown>) =>
      post('/api/call', { method, params, transport: 'binary', target: 'emulator' });
    // The demo user makes a public link of a file; a visitor without a token reads it by its code.
    const made = await bridge('getfilepublink', { path: '/Music/tone.wav' });
    expect(made.json.error).toBeNull();
    const code = /"code": "([^"]+)"/.exec(made.json.response)![1]!;
    const shown = await anonymous('showpublink', { code });
    expect(shown.json.error).toBeNull();
    expect(shown.json.request.bearer).toBeUndefined();
    expect(shown.json.response).toContain('"name": "tone.wav"');
    expect((await anonymous('showpublink', { code: `${code}x` })).json.error).toMatchObject({ name: 'ApiError', result: 7001 });
    // An upload link on a new folder; a visitor uploads a file through /api/upload, the owner sees it.
    const folder = await bridge('createfolderifnotexists', { path: '/Dropbox for visitors' });
    expect(folder.json.error).toBeNull();
    const link = await bridge('createuploadlink', { path: '/Dropbox for visitors', comment: 'Send me your photos' });
    expect(link.json.error).toBeNull();
    const upcode = /"code": "([^"]+)"/.exec(link.json.response)![1]!;
    const form = new FormData();
    form.append(
      'call',
      JSON.stringify({ method: 'uploadtolink', params: { code: upcode, names: 'A visitor' }, transport: 'binary', target: 'emulator' }),
    );
    form.append('size', '11');
    form.append('file', new Blob(['hello there']), 'visitor.txt');
    const res = await fetch(new URL('/api/upload', app.url), { method: 'POST', headers: { 'x-playground': '1' }, body: form });
    const sent = (await res.json()) as any;
    expect(sent.error).toBeNull();
    const listing = await bridge('listfolder', { path: '/Dropbox for visitors' });
    expect(listing.json.response).toContain('"name": "visitor.txt"');
  });

  test('sharing over the bridge: the demo user offers a folder, anyone reads the offer by its code, Bob accepts it', async () => {
    const folder = `/For Bob ${Date.now()}`;
    expect((await bridge('createfolderifnotexists', { path: folder })).json.error).toBeNull();
    const offered = await bridge('sharefolder', { path: folder, mail: 'bob@pcloudkit.test', permissions: 0 });
    expect(offered.json.error).toBeNull();
    const mails = (
      (await (await fetch(`${app.emulatorApi}${MAIL_PATH}`)).json()) as { mails: { kind: string; to: string; code?: string }[] }
    ).mails;
    const code = mails.filter((m) => m.kind === 'share' && m.to === 'bob@pcloudkit.test').at(-1)!.code!;
    const info = await post('/api/call', { method: 'sharerequestinfo', params: { code }, transport: 'binary', target: 'emulator' });
    expect(info.json.error).toBeNull();
    expect(info.json.request.bearer).toBeUndefined();
    expect(info.json.response).toContain('"tomail": "bob@pcloudkit.test"');
    expect(info.json.response).toContain(`"sharename": "${folder.slice(1)}"`);
    const users = (await (await fetch(new URL('/api/emulator/users', app.url))).json()) as { users: { userid: number; email: string }[] };
    const bob = users.users.find((u) => u.email === 'bob@pcloudkit.test')!;
    const { json: signed } = await post('/api/emulator/signin', { userid: bob.userid });
    const asBob = { credentials: { kind: 'auth', token: signed.auth } };
    // Before accepting, Bob cannot see the folder; after, he reads it (read only: he cannot create in it).
    expect((await bridge('listfolder', { path: folder }, asBob)).json.error).toMatchObject({ result: 2005 });
    expect((await bridge('acceptshare', { code }, asBob)).json.error).toBeNull();
    expect((await bridge('listfolder', { path: folder }, asBob)).json.error).toBeNull();
    expect((await bridge('createfolder', { path: `${folder}/not allowed` }, asBob)).json.error).toMatchObject({ name: 'ApiError' });
  });

  test('the server keeps no token: each binary call brings its own, and it is never echoed', async () => {
    const token = 'tok-SECRET-1234567890';
    // A token the emulator does not know: refused with pCloud's code, the token scrubbed everywhere.
    const { json } = await bridge('userinfo', {}, { credentials: { kind: 'auth', token } });
    expect(json.error).toMatchObject({ name: 'ApiError', result: 2000 });
    expect(JSON.stringify(json)).not.toContain(token);
    expect(JSON.stringify(json.frames)).not.toContain(Buffer.from(token).toString('hex'));
    // pCloud calls that need a login are refused before anything is sent when no token comes with them.
    const refused = await post('/api/call', { method: 'userinfo', params: {}, transport: 'binary', target: 'pcloud' });
    expect(refused.status).toBe(409);
    // There is nowhere to store a token any more.
    expect((await post('/api/settings', { token })).status).toBe(404);
  });

  test('lists the emulator users and signs one in with a fresh auth token that works on both ports', async () => {
    const listed = (await (await fetch(new URL('/api/emulator/users', app.url))).json()) as any;
    const bob = listed.users.find((u: { email: string }) => u.email === 'bob@pcloudkit.test');
    expect(bob).toMatchObject({ emailverified: true });
    expect(listed.users.map((u: { email: string }) => u.email)).toContain('demo@pcloudkit.test');
    expect(JSON.stringify(listed)).not.toContain('bobs-Secret-42'); // passwords stay in the emulator
    const { status, json } = await post('/api/emulator/signin', { userid: bob.userid });
    expect(status).toBe(200);
    expect(json.email).toBe('bob@pcloudkit.test');
    const direct = (await (await fetch(`${app.emulatorApi}/userinfo?auth=${encodeURIComponent(json.auth)}`)).json()) as any;
    expect(direct.email).toBe('bob@pcloudkit.test');
    const binary = await bridge('userinfo', {}, { credentials: { kind: 'auth', token: json.auth } });
    expect(binary.json.response).toContain('"email": "bob@pcloudkit.test"');
    expect((await post('/api/emulator/signin', { userid: 999_999 })).status).toBe(404);
    expect((await post('/api/emulator/signin', { userid: bob.userid }, { 'x-playground': '0' })).status).toBe(403);
  });

  test('POSTs need the x-playground header and a local Host', async () => {
    expect((await post('/api/call', { method: 'getapiserver' }, { 'x-playground': '0' })).status).toBe(403);
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL('/api/methods', app.url);
      request({ host: u.hostname, port: u.port, path: u.pathname, headers: { host: 'attacker.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(403);
  });
});

/** The demo user's session token, for one direct call to the emulator. */
async function emulatorToken(): Promise<string | undefined> {
  const { DEMO } = await import('@pcloudkit/emulator');
  const res = await fetch(
    `${app.emulatorApi}/userinfo?getauth=1&username=${encodeURIComponent(DEMO.username)}&password=${encodeURIComponent(DEMO.password)}`,
  );
  return ((await res.json()) as { auth?: string }).auth;
}
