/**
 * Writes the method reference (methods/*.md, gitignored) from the facts the
 * SDK itself uses: the catalogue (`@pcloudkit/catalog`: summaries, params,
 * rules, answer fields, error codes and their messages) and each method
 * package's `definitions` and plugin (package, plugin, member name, login,
 * the params the SDK really accepts). Nothing here restates a method fact by
 * hand; the only hand-written table is the advice per error code range.
 *
 * Run by scripts/build.mjs with `node --conditions=source --import tsx`, so
 * the packages are read from their TypeScript sources (no build needed).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CatalogMethod, type CatalogParam, errorMessages, findMethod, sdkAllowances } from '@pcloudkit/catalog';
import type { AnyMethod, ParamInfo, Plugin } from '@pcloudkit/core';
import { isMethod } from '@pcloudkit/core';
import { errorHint } from './hints.js';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(docs, 'methods');

/** The 17 method packages, in the order the sidebar lists them (the catalogue's group order). */
export const METHOD_PACKAGES = [
  'general',
  'auth',
  'oauth2',
  'folder',
  'file',
  'fileops',
  'streaming',
  'thumbnails',
  'archiving',
  'revisions',
  'trash',
  'collection',
  'sharing',
  'publinks',
  'uploadlinks',
  'transfer',
  'newsletter',
] as const;

/** One method as the reference shows it: the SDK definition joined with its catalogue entry. */
export interface MethodEntry {
  wire: string;
  pkg: string;
  /** Export name of the plugin holding it, or undefined when only the standalone function exists. */
  pluginExport?: string;
  /** `name` of that plugin. */
  pluginName?: string;
  /** Member name on `client.use(plugin)`. */
  member?: string;
  definition: AnyMethod;
  catalog: CatalogMethod;
}

export interface PackageEntry {
  slug: string;
  pkg: string;
  /** The package's methods, sorted by wire name (the order of its `definitions`). */
  methods: MethodEntry[];
}

function isPlugin(value: unknown): value is Plugin {
  const p = value as Plugin;
  return (
    !!value &&
    typeof value === 'object' &&
    typeof p.name === 'string' &&
    !!p.methods &&
    typeof p.methods === 'object' &&
    !Array.isArray(p.methods)
  );
}

/** Loads every method package and joins its definitions with the catalogue. */
export async function loadPackages(): Promise<PackageEntry[]> {
  const result: PackageEntry[] = [];
  for (const slug of METHOD_PACKAGES) {
    const pkg = `@pcloudkit/methods-${slug}`;
    const mod = (await import(pkg)) as Record<string, unknown>;
    const definitions = mod.definitions as readonly AnyMethod[] | undefined;
    if (!Array.isArray(definitions)) throw new Error(`${pkg} exports no definitions list`);
    const plugins = Object.entries(mod).filter((e): e is [string, Plugin] => isPlugin(e[1]));
    const catalogOrder = (name: string) => {
      const m = findMethod(name);
      if (!m) throw new Error(`${pkg}: ${name} is not in the catalogue`);
      return m;
    };
    const methods = definitions.filter(isMethod).map((definition): MethodEntry => {
      const catalog = catalogOrder(definition.name);
      for (const [exportName, plugin] of plugins) {
        const member = Object.entries(plugin.methods).find(([, m]) => m === definition)?.[0];
        if (member) return { wire: definition.name, pkg, pluginExport: exportName, pluginName: plugin.name, member, definition, catalog };
      }
      return { wire: definition.name, pkg, definition, catalog };
    });
    result.push({ slug, pkg, methods });
  }
  return result;
}

/** Text for a markdown table cell or paragraph: no HTML, no Vue interpolation, no cell breaks. */
export function text(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\{/g, '&#123;')
    .replace(/\}/g, '&#125;')
    .replace(/\|/g, '\\|')
    .replace(/\n+/g, ' ');
}

/** Inline code for a table cell. */
const code = (value: string) => `<code>${text(value)}</code>`;

function typeOf(p: ParamInfo): string {
  switch (p.type) {
    case 'int':
      return 'integer';
    case 'flag':
      return 'flag (boolean)';
    case 'int-list':
      return 'integer list';
    case 'string-list':
      return 'string list';
    default:
      return p.type;
  }
}

function rulesOf(p: ParamInfo, m: MethodEntry): string {
  const rules: string[] = [];
  if (p.oneOf) {
    const members = m.definition.oneOf[p.oneOf] ?? [];
    rules.push(`exactly one of ${members.map(code).join(', ')}`);
  } else if (p.required) rules.push('**required**');
  else rules.push('optional');
  if (p.atMostOne) {
    const members = m.definition.atMostOne[p.atMostOne] ?? [];
    rules.push(`at most one of ${members.map(code).join(', ')}`);
  }
  if (p.requires) rules.push(`needs ${code(p.requires)}`);
  if (p.min !== undefined && p.max !== undefined) rules.push(`${p.min} to ${p.max}`);
  else if (p.min !== undefined) rules.push(`at least ${p.min}`);
  else if (p.max !== undefined) rules.push(`at most ${p.max}`);
  if (p.enum) rules.push(`one of ${p.enum.map((v) => code(JSON.stringify(v))).join(', ')}`);
  return rules.join('; ');
}

function paramSummary(p: ParamInfo, m: MethodEntry): string {
  const fromCatalog: CatalogParam | undefined = m.catalog.params.find((c) => c.name === p.name);
  if (fromCatalog) return fromCatalog.summary;
  const extra = sdkAllowances[m.wire]?.extra?.[p.name];
  return extra ? `${extra[0]!.toUpperCase()}${extra.slice(1)}.` : '';
}

// ---------------------------------------------------------------------------
// Examples

const SAMPLE_INTS: Record<string, string> = {
  folderid: '0',
  tofolderid: '0',
  fileid: '1234',
  tofileid: '1235',
  fd: 'fd',
  count: '1024',
  offset: '0',
  length: '1024',
  limit: '20',
  size: '256',
  revisionid: '1',
  shareid: '42',
  sharerequestid: '42',
  linkid: '42',
  uploadlinkid: '42',
  collectionid: '7',
  diffid: '0',
  progresshash: "'upload-1'",
  permissions: '1',
  tokenid: '42',
  abitrate: '192',
};

const SAMPLE_STRINGS: Record<string, string> = {
  path: '/Documents/report.pdf',
  topath: '/Backup/report.pdf',
  frompath: '/Documents',
  name: 'Reports',
  toname: 'report-2024.pdf',
  mail: 'friend@example.com',
  code: 'XZkB7nZ0u8QnRkVyXv',
  password: 'your password',
  oldpassword: 'old password',
  newpassword: 'new password',
  comment: 'Quarterly figures',
  url: 'https://example.com/file.zip',
  filename: 'report.pdf',
  username: 'you@example.com',
  client_id: 'your client id',
  client_secret: 'your client secret',
  redirect_uri: 'http://127.0.0.1:8080/callback',
  language: 'en',
  message: 'Here are the files',
  reason: 'no longer needed',
  sendermail: 'you@example.com',
  receivermails: 'friend@example.com',
  contenttype: 'audio/mpeg',
  type: 'write',
};

function sample(p: ParamInfo): string {
  switch (p.type) {
    case 'int': {
      if (SAMPLE_INTS[p.name]) return SAMPLE_INTS[p.name]!;
      if (p.min !== undefined) return String(p.min);
      return '1';
    }
    case 'string': {
      if (p.enum?.length) return JSON.stringify(p.enum[0]);
      return `'${(SAMPLE_STRINGS[p.name] ?? 'value').replace(/'/g, "\\'")}'`;
    }
    case 'bool':
    case 'flag':
      return 'true';
    case 'datetime':
      return "new Date('2024-01-01T00:00:00Z')";
    case 'int-list':
      return '[1234, 1235]';
    case 'string-list':
      return p.name.includes('mail') ? "['friend@example.com']" : "['value']";
    default:
      return "'value'";
  }
}

/** The params an example passes: every required one, the first member of each one-of set, and what those need. */
export function exampleParams(m: MethodEntry): Record<string, string> {
  const list = m.definition.paramList;
  const chosen = new Set<string>();
  for (const p of list) if (p.required && !p.oneOf) chosen.add(p.name);
  for (const members of Object.values(m.definition.oneOf)) if (members[0]) chosen.add(members[0]);
  for (const name of [...chosen]) {
    const needs = list.find((p) => p.name === name)?.requires;
    if (needs) chosen.add(needs);
  }
  const params: Record<string, string> = {};
  for (const p of list) if (chosen.has(p.name)) params[p.name] = sample(p);
  return params;
}

function paramsLiteral(params: Record<string, string>): string {
  const entries = Object.entries(params);
  if (entries.length === 0) return '';
  return `{ ${entries.map(([k, v]) => (k === v ? k : `${k}: ${v}`)).join(', ')} }`;
}

/** The call line of an example, plus any options it needs. */
function callOf(m: MethodEntry): { call: string; setup: string[] } {
  const params = exampleParams(m);
  const setup: string[] = [];
  let literal = paramsLiteral(params);
  const args: string[] = [];
  if (m.catalog.data === 'upload') {
    // Uploads carry their bytes in the call options (a multipart part over HTTP, or the bare body for payload uploads).
    if (!literal && m.definition.params.folderid) literal = '{ folderid: 0 }';
    args.push(literal || '{}');
    args.push("{ files: [{ name: 'hello.txt', data: new TextEncoder().encode('hello') }] }");
    literal = '';
  } else if (literal) args.push(literal);
  if (m.definition.params.fd) {
    setup.push('// `fd` is a descriptor from file_open on the same connection (see the fileops package).');
    setup.push("const { fd } = await client.file_open({ path: '/notes.txt', flags: 0x0042 }); // O_WRITE | O_CREAT");
  }
  const joined = args.join(', ');
  const call = m.member ? `await client.${m.member}(${joined})` : `await ${m.wire}(client${joined ? `, ${joined}` : ''})`;
  return { call, setup };
}

/** Methods whose answer has several shapes (a union type): their examples print the whole answer. */
const SEVERAL_SHAPES = new Set(['uploadprogress']);

function resultLines(m: MethodEntry, name: string): string[] {
  if (m.catalog.data === 'download') {
    return [
      `// A data answer: ${name}.body is a web ReadableStream of the bytes.`,
      `const bytes = new Uint8Array(await new Response(${name}.body).arrayBuffer());`,
    ];
  }
  const fields = SEVERAL_SHAPES.has(m.wire) ? [] : m.catalog.output.slice(0, 3).map((o) => `${name}.${o.name}`);
  return fields.length ? [`console.log(${fields.join(', ')});`] : [`console.log(${name});`];
}

/** The example on one transport, as a TypeScript code block. */
export function example(m: MethodEntry, transport: 'http' | 'binary'): string {
  const imports = ["import { createClient } from '@pcloudkit/core';"];
  imports.push(
    transport === 'http'
      ? "import { httpTransport } from '@pcloudkit/transport-http';"
      : "import { binaryTransport } from '@pcloudkit/transport-binary';",
  );
  const fromPkg = [m.pluginExport, m.member ? undefined : m.wire].filter(Boolean);
  imports.push(`import { ${fromPkg.join(', ')} } from '${m.pkg}';`);
  const options = [transport === 'http' ? '  transport: httpTransport(),' : '  transport: binaryTransport(),'];
  if (m.definition.auth) options.push('  auth: { accessToken: process.env.PCLOUD_TOKEN! },');
  const use = m.pluginExport ? `.use(${m.pluginExport})` : '';
  const { call, setup } = callOf(m);
  const lines = [...imports, '', 'const client = createClient({', ...options, `})${use};`, ''];
  lines.push(...setup);
  lines.push(`const answer = ${call};`);
  lines.push(...resultLines(m, 'answer'));
  lines.push('await client.close();');
  return ['```ts', ...lines, '```'].join('\n');
}

// ---------------------------------------------------------------------------
// Pages

export function methodSection(m: MethodEntry): string {
  const c = m.catalog;
  const d = m.definition;
  const parts: string[] = [];
  parts.push(`## ${m.wire} {#${m.wire}}`);
  parts.push(text(c.summary));
  const facts = [
    `**Login:** ${d.auth ? 'needed' : 'not needed'}`,
    `**Package:** ${code(m.pkg)}`,
    m.pluginExport
      ? `**Plugin:** ${code(m.pluginExport)} (name ${code(m.pluginName!)}), called as ${code(`client.${m.member}()`)}`
      : `**Plugin:** none; call the standalone function ${code(`${m.wire}(client)`)}${sdkAllowances[m.wire]?.outsidePlugin ? ` (${text(sdkAllowances[m.wire]!.outsidePlugin!)})` : ''}`,
  ];
  facts.push(`**TypeScript:** [${code(m.wire)} in the API reference](/api/${m.pkg}#${m.wire}) (its params and result types)`);
  const traits: string[] = [];
  if (c.data === 'upload') traits.push('sends file bytes');
  if (c.data === 'download') traits.push('answers with bytes');
  if (c.connectionBound) traits.push('works on one persistent connection only');
  if (c.longPoll) traits.push(`long poll when ${code(c.longPoll)} is given`);
  if (d.idempotent) traits.push('safe to retry');
  if (traits.length) facts.push(`**Traits:** ${traits.join(', ')}`);
  parts.push(facts.join('<br>\n'));

  parts.push(`### Params {#${m.wire}-params}`);
  if (d.paramList.length === 0) parts.push('None.');
  else {
    const rows = d.paramList.map((p) => `| ${code(p.name)} | ${typeOf(p)} | ${rulesOf(p, m)} | ${text(paramSummary(p, m))} |`);
    parts.push(['| param | type | rules | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n'));
  }

  parts.push(`### Result {#${m.wire}-result}`);
  if (c.data === 'download')
    parts.push('A data answer: the bytes as a web `ReadableStream` in `body`, with `length` and `contentType` when known.');
  else if (c.output.length === 0) parts.push('Only `result: 0`.');
  else {
    const rows = c.output.map((o) => `| ${code(o.name)} | ${text(o.type)} | ${text(o.summary)} |`);
    parts.push(['| field | type | meaning |', '| --- | --- | --- |', ...rows].join('\n'));
  }

  parts.push(`### Errors {#${m.wire}-errors}`);
  if (c.errors.length === 0) parts.push('None documented.');
  else {
    const rows = c.errors.map((e) => `| ${e} | ${text(errorMessages[e] ?? '(no message known)')} | ${text(errorHint(e))} |`);
    parts.push(['| code | message | what to do |', '| --- | --- | --- |', ...rows].join('\n'));
  }

  if (c.notes.length) {
    parts.push(`### Notes {#${m.wire}-notes}`);
    parts.push("From the catalogue: pCloud's documentation, and what the project learned about the method.");
    parts.push(c.notes.map((n) => `- ${text(n)}`).join('\n'));
  }

  parts.push(`### Example {#${m.wire}-example}`);
  parts.push(
    [
      '::: code-group',
      example(m, 'http').replace('```ts', '```ts [HTTP]'),
      '',
      example(m, 'binary').replace('```ts', '```ts [binary]'),
      ':::',
    ].join('\n'),
  );
  return parts.join('\n\n');
}

function groupPage(p: PackageEntry): string {
  const plugin = p.methods.find((m) => m.pluginExport);
  const intro = [
    '---',
    `title: ${p.slug} methods`,
    'outline: [2, 2]',
    '---',
    '',
    `# ${p.slug} methods`,
    '',
    `Package ${code(p.pkg)}${plugin ? `, plugin ${code(plugin.pluginExport!)}` : ''}: ${p.methods.length} method${p.methods.length === 1 ? '' : 's'}. Install it with`,
    '',
    '```sh',
    `npm install @pcloudkit/core @pcloudkit/transport-http ${p.pkg}`,
    '```',
    '',
    `and add it to a client with ${code(`createClient({ ... }).use(${plugin?.pluginExport ?? p.slug})`)}. Every method is also exported as a standalone function, ${code(`${p.methods[0]!.wire}(client, params)`)}, for bundles that keep only what they use.`,
    '',
    '| method | summary |',
    '| --- | --- |',
    ...p.methods.map((m) => `| [${m.wire}](#${m.wire}) | ${text(m.catalog.summary)} |`),
  ];
  return `${[intro.join('\n'), ...p.methods.map(methodSection)].join('\n\n')}\n`;
}

function indexPage(packages: PackageEntry[]): string {
  const total = packages.reduce((n, p) => n + p.methods.length, 0);
  const lines = [
    '---',
    'title: Method reference',
    '---',
    '',
    '# Method reference',
    '',
    `All ${total} pCloud methods pcloudkit covers, one page per method package. Each entry lists the params with their types and rules, the answer's fields, the error codes with pCloud's message and what to do about them, and an example on the HTTP and the binary transport.`,
    '',
    "The pages are generated at build time from `@pcloudkit/catalog` and the method packages' own definitions, so they say exactly what the SDK checks and sends.",
    '',
  ];
  for (const p of packages) {
    lines.push(`## [${p.slug}](./${p.slug}.md) {#${p.slug}}`, '');
    lines.push(p.methods.map((m) => `[${m.wire}](./${p.slug}.md#${m.wire})`).join(' · '), '');
  }
  return lines.join('\n');
}

/** Writes methods/*.md and methods/sidebar.json; returns the number of methods. */
export async function writeMethodPages(): Promise<number> {
  const packages = await loadPackages();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const p of packages) writeFileSync(join(out, `${p.slug}.md`), groupPage(p));
  writeFileSync(join(out, 'index.md'), indexPage(packages));
  const sidebar = packages.map((p) => ({
    text: p.slug,
    link: `/methods/${p.slug}`,
    collapsed: true,
    items: p.methods.map((m) => ({ text: m.wire, link: `/methods/${p.slug}#${m.wire}` })),
  }));
  writeFileSync(join(out, 'sidebar.json'), `${JSON.stringify(sidebar, null, 2)}\n`);
  return packages.reduce((n, p) => n + p.methods.length, 0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const n = await writeMethodPages();
  console.log(`method reference: ${n} methods written to ${out}`);
}
