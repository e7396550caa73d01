/**
 * The playground's HTTP server (node:http, no framework): static UI files,
 * the method list, and a bridge for the binary transport (browsers cannot
 * speak it; HTTP calls go from the page straight to the target). It listens
 * on 127.0.0.1 by default and keeps no token: the page sends the credentials
 * of each binary call with it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { UploadFile } from '@pcloudkit/core';
import { MAIL_PATH, startEmulator, type Emulator, type SeedUser } from '@pcloudkit/emulator';
import { describeError, type CallOutput, type Credentials, type TransportName } from '../shared/output.js';
import { DataStore, runBinaryCall, type CallInput, type Target } from './calls.js';
import { Handles, type FileopsTarget, type HandleOp } from './fileops.js';
import type { Whence } from '@pcloudkit/methods-fileops';
import { boundaryOf, MultipartError, partText, readMultipart } from './multipart.js';
import { buildRegistry, type Entry } from './registry.js';

export interface PlaygroundOptions {
  /** Port to listen on; `0` picks a free one. Default 4310. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Start the embedded emulator. Default true. */
  emulator?: boolean;
  /** More accounts for the embedded emulator beside the demo user (the switcher lists them). */
  users?: SeedUser[];
  /** Folder with the built UI. Default: found next to the server. */
  publicDir?: string;
}

export interface Playground {
  url: string;
  /** The embedded emulator's API origin, when it runs. */
  emulatorApi?: string;
  /** Binary calls the bridge is running right now (a cancelled call leaves at once). */
  runningCalls(): number;
  close(): Promise<void>;
}

/** What `GET /api/settings` answers (and `GET /api/methods` next to the methods). */
export interface Settings {
  emulator:
    | {
        running: true;
        /** Origin of the emulator's HTTP API, which the page calls directly. */
        api: string;
        /** The demo user, signed in when the page opens. */
        username: string;
        /** The demo user's OAuth2 access token (a local, throw-away account). */
        accessToken: string;
        binary: string;
        /** Path of the emulator's outbox on its API origin (not a pCloud method; takes no credentials). */
        mailPath: string;
        /** The emulator's demo OAuth2 app (a local stand-in: its secret protects nothing), for the authorize page. */
        oauth: { clientId: string; clientSecret: string };
      }
    | { running: false; problem: string };
}

/** A binary call from the page: the method, its params, and the credentials to use. */
export interface BridgeCall extends CallInput {
  credentials?: Credentials;
  region: 'us' | 'eu';
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.ico': 'image/x-icon',
};

function findPublicDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../public'), resolve(here, '../../dist/public')];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0]!;
}

/** The emulator's binary-protocol `host:port`. */
function binaryHostOf(emu: Emulator): string {
  const { host, port } = emu.binary!; // started with the default `binary: true`
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readJson(req: IncomingMessage, limit = 1024 * 1024): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
    throw new HttpError(415, 'send JSON (content-type: application/json)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new HttpError(400, 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

/** Checks and normalises `{ method, params, transport: 'binary', target, credentials?, region? }`. */
/** Where a call goes and as whom: `{ target, credentials?, region? }` of a request body. */
function connectionInput(body: Record<string, unknown>): Pick<BridgeCall, 'target' | 'region' | 'credentials'> {
  const { target = 'emulator', credentials, region = 'us' } = body;
  if (target !== 'emulator' && target !== 'pcloud') throw new HttpError(400, "'target' must be 'emulator' or 'pcloud'");
  if (region !== 'us' && region !== 'eu') throw new HttpError(400, "'region' must be 'us' or 'eu'");
  let creds: Credentials | undefined;
  if (credentials !== undefined && credentials !== null) {
    const c = credentials as Record<string, unknown>;
    if (typeof c !== 'object' || typeof c.token !== 'string' || c.token === '' || (c.kind !== 'auth' && c.kind !== 'access_token'))
      throw new HttpError(400, "'credentials' must be { kind: 'access_token' | 'auth', token }");
    creds = { kind: c.kind, token: c.token };
  }
  return { target, region, credentials: creds };
}

function callInput(body: Record<string, unknown>): BridgeCall {
  const { method, params, transport = 'binary' } = body;
  if (typeof method !== 'string') throw new HttpError(400, "'method' must be a string");
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params)))
    throw new HttpError(400, "'params' must be an object");
  if (transport === 'http')
    throw new HttpError(
      400,
      'HTTP calls go from the page straight to the target (transport-fetch); this bridge runs the binary transport only',
    );
  if (transport !== 'binary') throw new HttpError(400, "'transport' must be 'binary'");
  return { method, params: (params ?? {}) as Record<string, unknown>, ...connectionInput(body) };
}

/** `transport` of a file handle or resumable upload: both run here (descriptors live on one connection). */
function fileopsTransport(body: Record<string, unknown>): TransportName {
  if (body.transport !== 'http' && body.transport !== 'binary') throw new HttpError(400, "'transport' must be 'http' or 'binary'");
  return body.transport;
}

function int(value: unknown, name: string, min = 0): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min)
    throw new HttpError(400, `'${name}' must be an integer of at least ${min}`);
  return n;
}

const WHENCE = new Set(['start', 'current', 'end']);
/** Largest file the resumable upload panel takes (it is held in memory). */
const UPLOAD_LARGE_LIMIT = 256 * 1024 * 1024;

function handleOp(body: Record<string, unknown>): HandleOp {
  switch (body.op) {
    case 'read':
      return { op: 'read', count: int(body.count, 'count') };
    case 'write':
      if (typeof body.text !== 'string') throw new HttpError(400, "'text' must be a string");
      return { op: 'write', text: body.text };
    case 'seek':
      if (!WHENCE.has(String(body.whence ?? 'start'))) throw new HttpError(400, "'whence' must be start, current or end");
      return { op: 'seek', offset: int(body.offset, 'offset', Number.MIN_SAFE_INTEGER), whence: String(body.whence ?? 'start') as Whence };
    case 'truncate':
      return { op: 'truncate', length: int(body.length, 'length') };
    case 'size':
    case 'checksum':
    case 'close':
      return { op: body.op };
    default:
      throw new HttpError(400, "'op' must be read, write, seek, size, checksum, truncate or close");
  }
}

function authOf(credentials: Credentials): Target['auth'] {
  return credentials.kind === 'auth' ? { authToken: credentials.token } : { accessToken: credentials.token };
}

/** Starts the playground server (and, by default, an emulator in the same process). */
export async function startPlayground(options: PlaygroundOptions = {}): Promise<Playground> {
  const host = options.host ?? '127.0.0.1';
  const publicDir = options.publicDir ?? findPublicDir();
  const registry = buildRegistry();
  const data = new DataStore();
  const handles = new Handles();
  let running = 0;

  /**
   * Runs a bridged binary call under a signal that fires when the page goes
   * away before the answer (its Cancel button aborts the fetch, which closes
   * the request): the call, its connection and any blocking wait end then.
   */
  async function bridged(
    req: IncomingMessage,
    res: ServerResponse,
    run: (signal: AbortSignal) => Promise<CallOutput>,
  ): Promise<CallOutput> {
    const ctl = new AbortController();
    const gone = () => {
      if (!res.writableFinished) ctl.abort(new Error('the page cancelled the call'));
    };
    res.once('close', gone);
    req.once('aborted', gone);
    running += 1;
    try {
      return await run(ctl.signal);
    } finally {
      running -= 1;
      res.off('close', gone);
      req.off('aborted', gone);
    }
  }

  let emulator: Emulator | undefined;
  let emulatorProblem = 'started with --no-emulator';
  if (options.emulator !== false) {
    try {
      emulator = await startEmulator({ port: 0, users: options.users ?? [] });
    } catch (error) {
      emulatorProblem = `the emulator failed to start: ${(error as Error).message}`;
    }
  }

  function targetFor(input: BridgeCall): Target {
    const secrets = input.credentials ? [input.credentials.token] : [];
    if (input.target === 'emulator') {
      if (!emulator) throw new HttpError(409, `The emulator is not running (${emulatorProblem}).`);
      return {
        region: { api: [emulator.api], binapi: [binaryHostOf(emulator)] },
        auth: input.credentials ? authOf(input.credentials) : undefined,
        secrets,
        tls: false,
      };
    }
    return { region: input.region, auth: input.credentials ? authOf(input.credentials) : undefined, secrets, tls: true };
  }

  function fileopsTarget(body: Record<string, unknown>): FileopsTarget {
    const transport = fileopsTransport(body);
    const { region, auth, secrets, tls } = targetFor({ method: '', params: {}, ...connectionInput(body) });
    return { transport, region, auth, secrets, tls };
  }

  /**
   * The resumable upload: a multipart form (a `call` field with the target
   * and `path`, then the file), answered as a stream of JSON lines (progress
   * events, then `{ type: 'done' }` with the outcome) so the page can show
   * the progress and each reconnection as they happen.
   */
  async function handleUploadLarge(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const boundary = boundaryOf(req.headers['content-type']);
    if (!boundary) throw new HttpError(415, 'send multipart/form-data');
    let call: Record<string, unknown> | undefined;
    let bytes: Buffer | undefined;
    try {
      for await (const part of readMultipart(req, boundary)) {
        if (part.filename !== undefined) {
          const chunks: Buffer[] = [];
          let size = 0;
          for await (const chunk of part.body) {
            size += chunk.length;
            if (size > UPLOAD_LARGE_LIMIT)
              throw new HttpError(413, `the playground takes files of at most ${UPLOAD_LARGE_LIMIT} bytes here`);
            chunks.push(Buffer.from(chunk));
          }
          bytes = Buffer.concat(chunks);
        } else if (part.name === 'call') {
          try {
            call = JSON.parse(await partText(part)) as Record<string, unknown>;
          } catch {
            throw new HttpError(400, "the 'call' field is not valid JSON");
          }
        } else await partText(part);
      }
    } catch (error) {
      req.resume();
      if (error instanceof MultipartError) throw new HttpError(400, error.message);
      throw error;
    }
    if (!call || !bytes) throw new HttpError(400, "send a 'call' field, then the file");
    const target = fileopsTarget(call);
    if (typeof call.path !== 'string' || !call.path.startsWith('/')) throw new HttpError(400, "'path' must be an absolute path");
    const chunkSize = int(call.chunkSize ?? 65536, 'chunkSize', 1);
    res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
    const line = (value: unknown) => res.write(`${JSON.stringify(value)}\n`);
    const out = await handles.uploadLarge(target, bytes, call.path, chunkSize, line);
    line({ type: 'done', ...out });
    res.end();
  }

  function entryFor(input: BridgeCall): Entry {
    const entry = registry.get(input.method);
    if (!entry) throw new HttpError(404, `unknown method '${input.method}'`);
    if (input.method === 'authorize')
      throw new HttpError(
        400,
        "authorize is a page people sign in on, not an API call: open its URL in a browser (the playground's authorize panel builds it and signs in through it)",
      );
    if (input.target === 'pcloud' && entry.definition.auth && !input.credentials) {
      throw new HttpError(409, 'Enter a pCloud token (pCloud token…) before calling methods that need a login.');
    }
    return entry;
  }

  function settings(): Settings {
    return {
      emulator: emulator
        ? {
            running: true,
            api: emulator.api,
            username: emulator.username,
            accessToken: emulator.access_token,
            binary: binaryHostOf(emulator),
            mailPath: MAIL_PATH,
            oauth: { clientId: emulator.client_id, clientSecret: emulator.client_secret },
          }
        : { running: false, problem: emulatorProblem },
    };
  }

  async function handleUpload(req: IncomingMessage, signal: AbortSignal): Promise<CallOutput> {
    const boundary = boundaryOf(req.headers['content-type']);
    if (!boundary) throw new HttpError(415, 'send multipart/form-data');
    const parts = readMultipart(req, boundary);
    let input: BridgeCall | undefined;
    let size: number | undefined;
    try {
      for (;;) {
        const next = await parts.next();
        if (next.done) throw new HttpError(400, 'the form has no file part');
        const part = next.value;
        if (part.filename !== undefined) {
          if (!input) throw new HttpError(400, "the 'call' field must come before the file");
          const entry = entryFor(input);
          if (entry.definition.data !== 'upload') throw new HttpError(400, `${input.method} does not take files`);
          const file: UploadFile = { name: part.filename || 'upload.bin', data: part.body, size, contentType: part.contentType };
          const output = await runBinaryCall(entry, input, targetFor(input), { files: [file], data, signal });
          for (;;) if ((await parts.next()).done) break; // read what is left of the form
          return output;
        }
        const text = await partText(part);
        if (part.name === 'call') {
          try {
            input = callInput(JSON.parse(text) as Record<string, unknown>);
          } catch (error) {
            throw error instanceof HttpError ? error : new HttpError(400, "the 'call' field is not valid JSON");
          }
        } else if (part.name === 'size') {
          const n = Number(text);
          if (Number.isSafeInteger(n) && n >= 0) size = n;
        }
      }
    } catch (error) {
      req.resume(); // let the browser finish sending before it reads our answer
      if (error instanceof MultipartError) throw new HttpError(400, error.message);
      throw error;
    }
  }

  async function serveStatic(res: ServerResponse, pathname: string): Promise<void> {
    const rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const full = normalize(join(publicDir, rel));
    if (!full.startsWith(publicDir + sep) && full !== publicDir) throw new HttpError(404, 'not found');
    let body: Buffer;
    try {
      body = await readFile(full);
    } catch {
      if (rel === 'index.html') {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`The playground UI is not built (looked in ${publicDir}). Run: pnpm --filter @pcloudkit/playground build\n`);
        return;
      }
      throw new HttpError(404, 'not found');
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(full)] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': 'no-cache',
    });
    res.end(body);
  }

  const allowedHosts = new Set(['localhost', '127.0.0.1', '[::1]', host.includes(':') ? `[${host}]` : host]);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://playground.invalid');
    // Refuse other sites' pages (DNS rebinding, cross-site forms): the server holds a token.
    const hostname = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    if (host !== '0.0.0.0' && host !== '::' && !allowedHosts.has(hostname)) throw new HttpError(403, 'unexpected Host header');
    if (req.method === 'POST' && req.headers['x-playground'] !== '1')
      throw new HttpError(403, "POST requests need the header 'x-playground: 1'");

    const path = url.pathname;
    if (req.method === 'GET' && path === '/api/methods') {
      const methods = [...registry.values()].map((e) => e.info);
      return send(res, 200, { methods, settings: settings() });
    }
    if (req.method === 'GET' && path === '/api/settings') return send(res, 200, settings());
    if (path === '/api/emulator/users' || path === '/api/emulator/signin') {
      if (!emulator) throw new HttpError(409, `The emulator is not running (${emulatorProblem}).`);
      const { store } = emulator.core;
      // Every account of the embedded emulator: the demo user, --user ones and those `register` created.
      if (req.method === 'GET' && path === '/api/emulator/users') {
        const users = [...store.users.values()].map((u) => ({ userid: u.userid, email: u.email, emailverified: u.emailverified }));
        return send(res, 200, { users });
      }
      if (req.method === 'POST' && path === '/api/emulator/signin') {
        // The emulator's operator signs a user in without their password: a fresh auth token, as emulator.createUser gives.
        const { userid } = await readJson(req);
        const user = typeof userid === 'number' ? store.users.get(userid) : undefined;
        if (!user) throw new HttpError(404, 'no such user in the emulator');
        const token = store.createToken(user.userid, 'auth', 'pcloudkit playground');
        return send(res, 200, { userid: user.userid, email: user.email, auth: token.token });
      }
      throw new HttpError(405, 'method not allowed');
    }
    if (req.method === 'POST' && path === '/api/call') {
      const input = callInput(await readJson(req));
      const entry = entryFor(input);
      if (entry.definition.data === 'upload') throw new HttpError(400, `${input.method} takes a file: use /api/upload`);
      const output = await bridged(req, res, (signal) => runBinaryCall(entry, input, targetFor(input), { data, signal }));
      return send(res, 200, output);
    }
    if (req.method === 'POST' && path === '/api/upload')
      return send(res, 200, await bridged(req, res, (signal) => handleUpload(req, signal)));
    if (req.method === 'POST' && path === '/api/fileops/open') {
      const body = await readJson(req);
      if (typeof body.path !== 'string' || !body.path.startsWith('/')) throw new HttpError(400, "'path' must be an absolute path");
      return send(res, 200, await handles.open(fileopsTarget(body), body.path, int(body.flags ?? 0, 'flags')));
    }
    if (req.method === 'POST' && path === '/api/fileops/op') {
      const body = await readJson(req);
      const out = await handles.op(String(body.id), handleOp(body));
      if (!out) throw new HttpError(404, 'no such open handle (closed, or the server restarted)');
      return send(res, 200, out);
    }
    if (req.method === 'POST' && path === '/api/fileops/upload') return handleUploadLarge(req, res);
    if (req.method === 'POST' && path === '/api/fileops/drop') {
      // Cuts the connection while the emulator answers the next file_pwrite: the chunk is stored but its answer is lost,
      // so the resumable upload has to reconnect and ask the server how much it has.
      if (!emulator) throw new HttpError(409, `The emulator is not running (${emulatorProblem}).`);
      emulator.faults.dropAfterBytes('file_pwrite', 1, { times: 1 });
      return send(res, 200, { armed: true });
    }
    const dataMatch = /^\/api\/data\/([a-z0-9]+)$/.exec(path);
    if (req.method === 'GET' && dataMatch) {
      const item = data.get(dataMatch[1]!);
      if (!item) throw new HttpError(404, 'no such data answer (the playground keeps the last 20)');
      const inline = url.searchParams.get('inline') === '1';
      res.writeHead(200, {
        'content-type': item.contentType ?? 'application/octet-stream',
        'content-length': item.bytes.length,
        'content-disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(item.filename)}`,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      res.end(item.bytes);
      return;
    }
    if (path.startsWith('/api/')) throw new HttpError(404, 'no such API route');
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method not allowed');
    return serveStatic(res, path);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof HttpError) return send(res, error.status, { error: { name: 'PlaygroundError', message: error.message } });
      send(res, 500, { error: describeError(error, []) });
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 4310, host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${shownHost}:${port}/`,
    emulatorApi: emulator?.api,
    runningCalls: () => running,
    async close() {
      await handles.closeAll();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await emulator?.stop();
    },
  };
}
