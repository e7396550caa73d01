/** Turns a playground call into a TypeScript snippet that does the same with pcloudkit. */
import type { MethodInfo } from '../server/registry.js';
import type { FormValues } from './form.js';

export interface CodeInput {
  method: MethodInfo;
  values: FormValues;
  transport: 'http' | 'binary';
  target: 'emulator' | 'pcloud';
  /** The pCloud account's region and token kind (never the token). */
  pcloud?: { region: 'us' | 'eu'; kind: 'access_token' | 'auth' };
  fileName?: string;
}

const SAFE = 2n ** 53n - 1n;

function literal(method: MethodInfo, name: string, value: string | boolean): string {
  const p = method.params.find((q) => q.name === name);
  if (typeof value === 'boolean') return String(value);
  if (p?.type === 'int' && /^-?\d+$/.test(value)) {
    const n = BigInt(value);
    return n > SAFE || n < -SAFE ? `${value}n` : String(n);
  }
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

function key(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`;
}

function objectLiteral(method: MethodInfo, values: FormValues): string {
  const entries = Object.entries(values);
  if (!entries.length) return '{}';
  return `{ ${entries.map(([k, v]) => `${key(k)}: ${literal(method, k, v)}`).join(', ')} }`;
}

export function toTypeScript(input: CodeInput): string {
  const { method, values, transport, target } = input;
  const lines: string[] = [];
  // The page itself runs HTTP calls with transport-fetch: the snippet does the same.
  const transportPkg = transport === 'binary' ? '@pcloudkit/transport-binary' : '@pcloudkit/transport-fetch';
  const transportFn = transport === 'binary' ? 'binaryTransport' : 'fetchTransport';
  const usePlugin = Boolean(method.plugin);
  lines.push(`import { createClient } from '@pcloudkit/core';`);
  lines.push(`import { ${transportFn} } from '${transportPkg}';`);
  lines.push(`import { ${usePlugin ? method.plugin : method.name} } from '${method.pkg}';`);
  if (target === 'emulator') lines.push(`import { startEmulator } from '@pcloudkit/emulator';`);
  // transport-fetch takes Blobs, not paths: Node opens the file as one.
  const blobUpload = method.data === 'upload' && transport === 'http';
  if (blobUpload) lines.push(`import { openAsBlob } from 'node:fs';`);
  lines.push('');
  if (target === 'emulator') {
    lines.push(`const emulator = await startEmulator({ port: 0 });`);
    lines.push(`const client = createClient({`);
    lines.push(`  transport: ${transportFn}(${transport === 'binary' ? '{ tls: false }' : ''}),`);
    lines.push(`  auth: { accessToken: emulator.access_token },`);
    lines.push(
      transport === 'binary'
        ? // biome-ignore lint/suspicious/noTemplateCurlyInString: the generated code holds a template literal
          '  region: { api: [emulator.api], binapi: [`${emulator.binary!.host}:${emulator.binary!.port}`] }, // its binary-protocol port'
        : `  region: { api: [emulator.api], binapi: [emulator.apiHost] },`,
    );
    lines.push(`});`);
  } else {
    const region = input.pcloud?.region ?? 'us';
    const auth = input.pcloud?.kind === 'auth' ? `{ authToken: process.env.PCLOUD_AUTH! }` : `{ accessToken: process.env.PCLOUD_TOKEN! }`;
    lines.push(`const client = createClient({`);
    lines.push(`  transport: ${transportFn}(),`);
    lines.push(`  auth: ${auth},`);
    lines.push(`  region: '${region}',`);
    lines.push(`});`);
  }
  lines.push('');
  const args = objectLiteral(method, values);
  let options = '';
  if (method.data === 'upload') {
    const name = input.fileName ?? 'file.bin';
    const source = blobUpload ? `await openAsBlob(${literal(method, '', `./${name}`)})` : `{ path: ${literal(method, '', `./${name}`)} }`;
    options = `, { files: [{ name: ${literal(method, '', name)}, data: ${source} }] }`;
  }
  const call = usePlugin ? `client.use(${method.plugin}).${method.name}(${args}${options})` : `${method.name}(client, ${args}${options})`;
  if (method.data === 'download') {
    lines.push(`const { body, contentType } = await ${call};`);
    lines.push(`console.log(contentType, await new Response(body).text());`);
  } else {
    lines.push(`const result = await ${call};`);
    lines.push(`console.log(result);`);
  }
  lines.push(`await client.close();`);
  if (target === 'emulator') lines.push(`await emulator.stop();`);
  return `${lines.join('\n')}\n`;
}
