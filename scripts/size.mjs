#!/usr/bin/env node
// Measures what pcloudkit adds to a browser app, minified and gzipped, and
// fails (exit 1) when the smallest useful app goes over its budget.
//
// 1. The budget app: a client on the fetch transport with token auth that
//    calls listfolder. Bundled by esbuild for the browser (ESM, minified,
//    workspace packages taken from their TypeScript sources), then gzipped
//    at level 9.
// 2. Each methods-* package: the bytes its plugin adds to a client, divided
//    by its number of methods.
//
// Usage: node scripts/size.mjs [--analyze]   (or pnpm size; --analyze lists
// the app's bundle by input file, biggest first)
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { analyzeMetafile, build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUDGET = 9 * 1024;

/** Bundles `code` (an ES module importing workspace packages) and returns its minified and gzipped sizes. */
async function measure(code, platform = 'browser') {
  const out = await build({
    stdin: { contents: code, resolveDir: root, sourcefile: 'size-entry.js', loader: 'js' },
    bundle: true,
    write: false,
    platform,
    format: 'esm',
    minify: platform === 'browser',
    target: 'es2022',
    conditions: ['source'],
    legalComments: 'none',
    logLevel: 'error',
    metafile: true,
    plugins: [workspace],
  });
  const bytes = out.outputFiles[0].contents;
  return { min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, text: out.outputFiles[0].text, metafile: out.metafile };
}

/** Resolves `@pcloudkit/<name>[/sub]` to the package's `source` export, wherever it is imported from. */
const packages = Object.fromEntries(
  readdirSync(join(root, 'packages')).flatMap((dir) => {
    try {
      const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
      return [[pkg.name, { dir: join(root, 'packages', dir), exports: pkg.exports ?? {} }]];
    } catch {
      return [];
    }
  }),
);
const workspace = {
  name: 'workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@pcloudkit\// }, (args) => {
      const [, scope, name, ...rest] = /^(@pcloudkit)\/([^/]+)(.*)$/.exec(args.path) ?? [];
      const pkg = packages[`${scope}/${name}`];
      const entry = pkg?.exports[`.${rest.join('')}`];
      const source = entry && typeof entry === 'object' ? entry.source : undefined;
      if (!source) return undefined; // let esbuild report it
      return { path: join(pkg.dir, source) };
    });
  },
};

/** Whether packages/transport-fetch exports `fetchTransport` yet (it may still be in the making). */
function hasFetchTransport() {
  try {
    return /export\s*\{[^}]*\bfetchTransport\b|export\s+(async\s+)?function\s+fetchTransport\b|export\s+const\s+fetchTransport\b/.test(
      readFileSync(join(root, 'packages/transport-fetch/src/index.ts'), 'utf8'),
    );
  } catch {
    return false;
  }
}

// A stand-in for the fetch transport while the package has no `fetchTransport`:
// the least a transport can do for a JSON method (GET with params, Bearer header).
const INLINE_TRANSPORT = `{
  name: 'fetch', hostKind: 'api',
  async call(r) {
    const origin = /^https?:/.test(r.host) ? r.host : 'https://' + r.host;
    const q = new URLSearchParams(Object.entries(r.params).map(([k, v]) => [k, String(v)]));
    const res = await fetch(origin + '/' + r.method + '?' + q, r.bearer ? { headers: { Authorization: 'Bearer ' + r.bearer }, signal: r.signal } : { signal: r.signal });
    return { result: await res.json(), host: r.host };
  },
  async close() {},
}`;

const realTransport = hasFetchTransport();
const app = `
import { createClient } from '@pcloudkit/core';
import { listfolder } from '@pcloudkit/methods-folder';
${realTransport ? "import { fetchTransport } from '@pcloudkit/transport-fetch';" : ''}
const client = createClient({
  transport: ${realTransport ? 'fetchTransport()' : INLINE_TRANSPORT},
  auth: { accessToken: localStorage.getItem('pcloud-token') },
});
const answer = await listfolder(client, { folderid: 0 });
document.body.textContent = answer.metadata.contents.map((m) => m.name).join('\\n');
`;

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const budgetApp = await measure(app);
const verdict = budgetApp.gzip <= BUDGET ? 'within' : 'OVER';
console.log(
  `app (createClient + ${realTransport ? 'transport-fetch' : 'inline fetch transport (transport-fetch not ready)'} + token auth + listfolder): ` +
    `${kb(budgetApp.min)} minified, ${kb(budgetApp.gzip)} gzipped (${budgetApp.gzip} bytes), ${verdict} the ${kb(BUDGET)} budget`,
);
if (process.argv.includes('--analyze')) console.log(await analyzeMetafile(budgetApp.metafile));

// Per-method cost: a client with the plugin, minus the same client without it.
const client = (extra) =>
  `import { createClient, memoryTransport } from '@pcloudkit/core';\n${extra.imports}\n` +
  `export const client = createClient({ transport: memoryTransport(() => ({ result: 0 })) })${extra.use};`;
const base = await measure(client({ imports: '', use: '' }));
const rows = [];
for (const [name, pkg] of Object.entries(packages).sort(([a], [b]) => a.localeCompare(b))) {
  if (!name.startsWith('@pcloudkit/methods-')) continue;
  // the plugin is the package's export built with definePlugin; its method count comes from `definitions`
  const src = readFileSync(join(pkg.dir, pkg.exports['.'].source), 'utf8');
  const plugin = /export const (\w+) = definePlugin\(/.exec(src)?.[1];
  if (!plugin) throw new Error(`${name}: no plugin export (export const x = definePlugin(...)) found`);
  const node = await measure(`export { definitions } from '${name}';`, 'node');
  const { definitions } = await import(`data:text/javascript;base64,${Buffer.from(node.text).toString('base64')}`);
  const withPlugin = await measure(client({ imports: `import { ${plugin} } from '${name}';`, use: `.use(${plugin})` }));
  const gzip = withPlugin.gzip - base.gzip;
  rows.push({ name, methods: definitions.length, gzip, perMethod: Math.round(gzip / definitions.length) });
}
console.log(`\nmethods packages (plugin cost over a bare client of ${kb(base.gzip)} gzipped):`);
const width = Math.max(...rows.map((r) => r.name.length));
for (const r of rows) {
  console.log(
    `  ${r.name.padEnd(width)}  ${String(r.methods).padStart(3)} methods  ${kb(r.gzip).padStart(8)}  ${String(r.perMethod).padStart(4)} B/method`,
  );
}

if (budgetApp.gzip > BUDGET) {
  console.error(`\nsize check failed: the app is ${budgetApp.gzip - BUDGET} bytes over the ${BUDGET}-byte budget`);
  process.exit(1);
}
