/**
 * Turns a playground call into something that repeats it elsewhere:
 * TypeScript with pcloudkit (HTTP or binary, against a fresh emulator, this
 * playground's emulator or pCloud), the request as a URL, and a `curl`
 * command. What the page shows has the emulator user's token masked; the
 * copy writes it in, so the copied text runs as it is. A pCloud token is
 * never written: the snippets read it from the environment.
 */
import { encodeParams, wirePairs } from '@pcloudkit/core';
import type { MethodInfo } from '../server/registry.js';
import type { Credentials } from '../shared/output.js';
import { definitionsByName } from '../shared/sources.js';
import type { FormValues } from './form.js';

/** This playground's embedded emulator, as the page knows it. */
export interface PlaygroundEmulator {
  /** Origin of its HTTP API, `http://127.0.0.1:PORT`. */
  api: string;
  /** `host:port` of its binary-protocol port. */
  binary: string;
}

export interface CodeInput {
  method: MethodInfo;
  values: FormValues;
  transport: 'http' | 'binary';
  target: 'emulator' | 'pcloud';
  /** The pCloud account's region and token kind (never the token). */
  pcloud?: { region: 'us' | 'eu'; kind: 'access_token' | 'auth' };
  fileName?: string;
  /**
   * Emulator calls: `'fresh'` starts a new emulator inside the snippet (its
   * demo account), `'playground'` talks to this playground's emulator as the
   * user the call ran as. Default `'fresh'`.
   */
  emulator?: 'fresh' | 'playground';
  /** Needed for the `'playground'` variant, the URL and curl of emulator calls. */
  playground?: PlaygroundEmulator;
  /** The emulator user's credentials the call ran with. */
  credentials?: Credentials;
  /** Write the emulator user's token itself (what Copy puts in the clipboard) instead of a mask. */
  reveal?: boolean;
}

/** What stands for the emulator user's token in what the page shows. */
export const MASK = '[token: Copy writes it here]';
const PCLOUD_API = { us: 'https://api.pcloud.com', eu: 'https://eapi.pcloud.com' } as const;
const SAFE = 2n ** 53n - 1n;

let definitions: ReturnType<typeof definitionsByName> | undefined;

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

function literal(method: MethodInfo, name: string, value: string | boolean): string {
  const p = method.params.find((q) => q.name === name);
  if (typeof value === 'boolean') return String(value);
  if (p?.type === 'int' && /^-?\d+$/.test(value)) {
    const n = BigInt(value);
    return n > SAFE || n < -SAFE ? `${value}n` : String(n);
  }
  return quote(value);
}

function key(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`;
}

function objectLiteral(method: MethodInfo, values: FormValues): string {
  const entries = Object.entries(values);
  if (!entries.length) return '{}';
  return `{ ${entries.map(([k, v]) => `${key(k)}: ${literal(method, k, v)}`).join(', ')} }`;
}

/** The token as the output shows it. */
function token(input: CodeInput): string {
  return input.reveal ? (input.credentials?.token ?? '') : MASK;
}

/** Whether the snippet runs against this playground's emulator. */
function onPlayground(input: CodeInput): input is CodeInput & { playground: PlaygroundEmulator } {
  return input.target === 'emulator' && input.emulator === 'playground' && input.playground !== undefined;
}

/** TypeScript that makes the same call with pcloudkit and prints the answer. */
export function toTypeScript(input: CodeInput): string {
  const { method, values, transport, target } = input;
  const lines: string[] = [];
  // The page itself runs HTTP calls with transport-fetch: the snippet does the same.
  const transportPkg = transport === 'binary' ? '@pcloudkit/transport-binary' : '@pcloudkit/transport-fetch';
  const transportFn = transport === 'binary' ? 'binaryTransport' : 'fetchTransport';
  const usePlugin = Boolean(method.plugin);
  const fresh = target === 'emulator' && !onPlayground(input);
  lines.push(`import { createClient } from '@pcloudkit/core';`);
  lines.push(`import { ${transportFn} } from '${transportPkg}';`);
  lines.push(`import { ${usePlugin ? method.plugin : method.name} } from '${method.pkg}';`);
  if (fresh) lines.push(`import { startEmulator } from '@pcloudkit/emulator';`);
  // transport-fetch takes Blobs, not paths: Node opens the file as one.
  const blobUpload = method.data === 'upload' && transport === 'http';
  if (blobUpload) lines.push(`import { openAsBlob } from 'node:fs';`);
  lines.push('');
  if (fresh) {
    lines.push(`// A new emulator with its demo account, on free ports.`);
    lines.push(`const emulator = await startEmulator({ port: 0 });`);
    lines.push(`const client = createClient({`);
    lines.push(`  transport: ${transportFn}(${transport === 'binary' ? '{ tls: false }' : ''}),`);
    lines.push(`  auth: { accessToken: emulator.access_token },`);
    lines.push(
      transport === 'binary'
        ? // biome-ignore lint/suspicious/noTemplateCurlyInString: the generated code holds a template literal
          '  region: { api: [emulator.api], binapi: [`${emulator.binary!.host}:${emulator.binary!.port}`] },'
        : `  region: { api: [emulator.api], binapi: [emulator.apiHost] },`,
    );
    lines.push(`});`);
  } else if (onPlayground(input)) {
    const c = input.credentials;
    if (c && !input.reveal) lines.push(`// The emulator user's token is masked here: Copy writes it in.`);
    lines.push(`// This playground's emulator${c ? ', as the user the call ran as' : ''}.`);
    lines.push(`const client = createClient({`);
    lines.push(`  transport: ${transportFn}(${transport === 'binary' ? '{ tls: false }' : ''}),`);
    if (c) lines.push(`  auth: { ${c.kind === 'auth' ? 'authToken' : 'accessToken'}: ${quote(token(input))} },`);
    lines.push(`  region: { api: [${quote(input.playground.api)}], binapi: [${quote(input.playground.binary)}] },`);
    lines.push(`});`);
  } else {
    const region = input.pcloud?.region ?? 'us';
    const auth = input.pcloud?.kind === 'auth' ? `{ authToken: process.env.PCLOUD_AUTH! }` : `{ accessToken: process.env.PCLOUD_TOKEN! }`;
    lines.push(`const client = createClient({`);
    lines.push(`  transport: ${transportFn}(),`);
    if (method.auth) lines.push(`  auth: ${auth}, // export ${input.pcloud?.kind === 'auth' ? 'PCLOUD_AUTH' : 'PCLOUD_TOKEN'} first`);
    lines.push(`  region: '${region}',`);
    lines.push(`});`);
  }
  lines.push('');
  const args = objectLiteral(method, values);
  let options = '';
  if (method.data === 'upload') {
    const name = input.fileName ?? 'file.bin';
    const source = blobUpload ? `await openAsBlob(${quote(`./${name}`)})` : `{ path: ${quote(`./${name}`)} }`;
    options = `, { files: [{ name: ${quote(name)}, data: ${source} }] }`;
  }
  const call = usePlugin ? `client.use(${method.plugin}).${method.name}(${args}${options})` : `${method.name}(client, ${args}${options})`;
  if (method.data === 'download') {
    lines.push(`const { body } = await ${call};`);
    lines.push(`console.log(await new Response(body).text());`);
  } else {
    lines.push(`const result = await ${call};`);
    lines.push(`console.dir(result, { depth: null });`);
  }
  lines.push(`await client.close();`);
  if (fresh) lines.push(`await emulator.stop();`);
  return `${lines.join('\n')}\n`;
}

/**
 * The request as one URL: the target's API origin, the method, its params as
 * pCloud reads them, and the credentials. `undefined` when the params do not
 * pass core's checks. Emulator calls go to this playground's emulator.
 */
export function toUrl(input: CodeInput): string | undefined {
  const origin = input.target === 'pcloud' ? PCLOUD_API[input.pcloud?.region ?? 'us'] : input.playground?.api;
  if (!origin) return undefined;
  definitions ??= definitionsByName();
  const found = definitions.get(input.method.name);
  if (!found) return undefined;
  let pairs: [string, string][];
  try {
    pairs = wirePairs(encodeParams(found.definition, input.values));
  } catch {
    return undefined;
  }
  const query = new URLSearchParams(pairs);
  if (input.method.auth) {
    if (input.target === 'pcloud') {
      // a placeholder: a pCloud token is never written into what the page shows or copies
      query.set(input.pcloud?.kind === 'auth' ? 'auth' : 'access_token', 'PCLOUD_TOKEN');
    } else if (input.credentials) {
      query.set(input.credentials.kind === 'auth' ? 'auth' : 'access_token', token(input));
    }
  }
  const text = query.toString();
  return `${origin}/${input.method.name}${text ? `?${text}` : ''}`;
}

/** A `curl` command for the request (uploads send the file as a form); a pCloud token comes from `$PCLOUD_TOKEN`. */
export function toCurl(input: CodeInput): string | undefined {
  const url = toUrl(input);
  if (!url) return undefined;
  // URLSearchParams percent-encodes quotes, `$` and backticks: the URL is safe inside double quotes too.
  const quoted =
    input.target === 'pcloud' && url.includes('=PCLOUD_TOKEN') ? `"${url.replace('=PCLOUD_TOKEN', '=$PCLOUD_TOKEN')}"` : shell(url);
  const parts = ['curl', '-sS'];
  if (input.method.data === 'upload') parts.push('-F', shell(`file=@./${input.fileName ?? 'file.bin'}`));
  parts.push(quoted);
  return parts.join(' ');
}

function shell(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
