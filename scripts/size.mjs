#!/usr/bin/env node
// Measures what pcloudkit adds to a browser app, minified and gzipped, and
// fails (exit 1) when the smallest useful app goes over its budget.
//
// 1. The budget app: a client on the fetch transport with token auth that
//    calls listfolder. Bundled by esbuild for the browser (ESM, minified,
//    workspace packages taken from their TypeScript sources, their
//    `sideEffects: false` honoured as for an installed package), then
//    gzipped at level 9. The parts the packages load with `import()` on
//    first use (uploads, data answers, the details of failures, password
//    login) are left out, as a bundler that splits chunks leaves them out of
//    the page's first load; the same app with them inlined is printed too.
// 2. Each methods-* package: the bytes its plugin (every method) adds to a
//    client, per method, and what importing a single method adds.
//
// Usage: node scripts/size.mjs [--analyze]   (or pnpm size; --analyze lists
// the app's bundle by input file, biggest first). packages/transport-fetch's
// size test runs the same measurement in CI (measureApp, BUDGET).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { analyzeMetafile, build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The budget of the app, minified and gzipped: 9 KB. */
export const BUDGET = 9 * 1024;

/** `@pcloudkit/*` package name → its folder and exports. */
const packages = Object.fromEntries(
  readdirSync(join(root, 'packages')).flatMap((dir) => {
    try {
      const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
      return [[pkg.name, { dir: join(root, 'packages', dir), exports: pkg.exports ?? {}, sideEffects: pkg.sideEffects }]];
    } catch {
      return [];
    }
  }),
);

/**
 * Resolves `@pcloudkit/<name>[/sub]`, wherever it is imported from, to the
 * package's `source` export, or with `from: 'dist'` to its built ESM file
 * (what an install from npm gets). `dirs` maps a package name to a folder that
 * stands for the package's own folder there (a build made elsewhere).
 */
const workspace = (from = 'source', dirs = {}) => ({
  name: 'workspace-packages',
  setup(b) {
    b.onResolve({ filter: /^@pcloudkit\// }, (args) => {
      const [, scope, name, ...rest] = /^(@pcloudkit)\/([^/]+)(.*)$/.exec(args.path) ?? [];
      const pkg = packages[`${scope}/${name}`];
      const entry = pkg?.exports[`.${rest.join('')}`];
      const file = entry && typeof entry === 'object' ? (from === 'dist' ? entry.import?.default : entry.source) : undefined;
      if (!file) return undefined; // let esbuild report it
      // A plugin's answer replaces esbuild's package.json lookup, so the package's sideEffects is passed on here.
      return { path: join(dirs[`${scope}/${name}`] ?? pkg.dir, file), ...(pkg.sideEffects === false ? { sideEffects: false } : {}) };
    });
  },
});

/** Leaves `import()`ed modules out of the bundle, as chunks a split build loads on first use. */
const lazyChunks = {
  name: 'lazy-chunks',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined));
  },
};

/**
 * Bundles `code` (an ES module importing workspace packages) and returns its
 * minified and gzipped sizes. `lazy: 'split'` leaves out what is loaded with
 * `import()`; `'inline'` bundles it too. `from: 'dist'` takes the packages'
 * built files (from `dirs`, see workspace()).
 */
export async function measure(code, { platform = 'browser', lazy = 'inline', from = 'source', dirs = {} } = {}) {
  const out = await build({
    stdin: { contents: code, resolveDir: root, sourcefile: 'size-entry.js', loader: 'js' },
    bundle: true,
    write: false,
    platform,
    format: 'esm',
    minify: platform === 'browser',
    target: 'es2022',
    ...(from === 'source' ? { conditions: ['source'] } : {}),
    legalComments: 'none',
    logLevel: 'error',
    metafile: true,
    plugins: lazy === 'split' ? [workspace(from, dirs), lazyChunks] : [workspace(from, dirs)],
  });
  const bytes = out.outputFiles[0].contents;
  return { min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, text: out.outputFiles[0].text, metafile: out.metafile };
}

/** The budget app's source. */
export const APP = `
import { createClient } from '@pcloudkit/core';
import { listfolder } from '@pcloudkit/methods-folder';
import { fetchTransport } from '@pcloudkit/transport-fetch';
const client = createClient({
  transport: fetchTransport(),
  auth: { accessToken: localStorage.getItem('pcloud-token') },
});
const answer = await listfolder(client, { folderid: 0 });
document.body.textContent = answer.metadata.contents.map((m) => m.name).join('\\n');
`;

/**
 * The budget app measured: `first` is what the page loads before its first
 * call (lazily loaded parts left out), `all` the same app with every lazily
 * loaded part bundled in.
 */
export async function measureApp() {
  const [first, all] = await Promise.all([measure(APP, { lazy: 'split' }), measure(APP)]);
  return { first, all };
}

/** The packages the budget app imports. */
export const APP_PACKAGES = ['core', 'methods-folder', 'transport-fetch'];

/**
 * The budget app's first load from built packages: their `dist/` files, or
 * with `dirs` (package name → folder holding its `dist/`) a build made elsewhere.
 */
export function measureBuiltApp(dirs = {}) {
  return measure(APP, { lazy: 'split', from: 'dist', dirs });
}

/**
 * What each methods package costs over a bare client: its plugin (every
 * method) and one method imported on its own, gzipped bytes.
 */
export async function measureMethods() {
  const client = (imports, use = '') =>
    `import { createClient, memoryTransport } from '@pcloudkit/core';\n${imports}\n` +
    `export const client = createClient({ transport: memoryTransport(() => ({ result: 0 })) })${use};`;
  const base = await measure(client(''), { lazy: 'split' });
  const rows = [];
  for (const [name, pkg] of Object.entries(packages).sort(([a], [b]) => a.localeCompare(b))) {
    if (!name.startsWith('@pcloudkit/methods-')) continue;
    // the plugin is the package's export built with definePlugin; its methods come from `definitions`
    const src = readFileSync(join(pkg.dir, pkg.exports['.'].source), 'utf8');
    const plugin = /export const (\w+) = (?:\/\* @__PURE__ \*\/ )?definePlugin\(/.exec(src)?.[1];
    if (!plugin) throw new Error(`${name}: no plugin export (export const x = definePlugin(...)) found`);
    const node = await measure(`export { definitions } from '${name}';`, { platform: 'node' });
    const { definitions } = await import(`data:text/javascript;base64,${Buffer.from(node.text).toString('base64')}`);
    const one = definitions[0].name;
    const [all, single] = await Promise.all([
      measure(client(`import { ${plugin} } from '${name}';`, `.use(${plugin})`), { lazy: 'split' }),
      measure(client(`import { ${one} } from '${name}';\nexport { ${one} };`), { lazy: 'split' }),
    ]);
    // the package's other methods that came along with the single one (their wire names are in the bundle)
    // (names core itself calls, such as logout, are in every client and do not count)
    const pulled = definitions
      .map((d) => d.name)
      .filter((n) => n !== one && single.text.includes(`"${n}"`) && !base.text.includes(`"${n}"`));
    rows.push({ name, methods: definitions.length, all: all.gzip - base.gzip, one, single: single.gzip - base.gzip, pulled });
  }
  return { base: base.gzip, rows };
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

async function main() {
  const { first, all } = await measureApp();
  const verdict = first.gzip <= BUDGET ? 'within' : 'OVER';
  console.log(
    'app (createClient + transport-fetch + token auth + listfolder): ' +
      `${kb(first.min)} minified, ${kb(first.gzip)} gzipped (${first.gzip} bytes), ${verdict} the ${kb(BUDGET)} budget`,
  );
  console.log(
    `  with every part loaded on first use bundled in (uploads, data answers, failure details, password login): ${kb(all.gzip)} gzipped (${all.gzip} bytes)`,
  );
  console.log('  pcloud-sdk-js, for comparison: 37.7 KB gzipped for a listfolder app');
  // The same app from the built packages, when they are built: what an app gets from npm.
  const built = APP_PACKAGES.every((p) => existsSync(join(root, 'packages', p, 'dist/index.js')));
  if (built) {
    const dist = await measureBuiltApp();
    console.log(`  the same app from the built packages (dist/, as installed from npm): ${kb(dist.gzip)} gzipped (${dist.gzip} bytes)`);
  }
  if (process.argv.includes('--analyze')) console.log(await analyzeMetafile(first.metafile));

  const { base, rows } = await measureMethods();
  console.log(
    `\nmethods packages, gzipped bytes over a bare client of ${kb(base)} (plugin = every method; one = a single method imported alone):`,
  );
  const width = Math.max(...rows.map((r) => r.name.length));
  console.log(`  ${'package'.padEnd(width)}  methods    plugin  per method  one method`);
  for (const r of rows) {
    console.log(
      `  ${r.name.padEnd(width)}  ${String(r.methods).padStart(7)}  ${kb(r.all).padStart(8)}  ${`${Math.round(r.all / r.methods)} B`.padStart(10)}  ${`${r.single} B`.padStart(10)} (${r.one})` +
        (r.pulled.length > 0 ? `, pulls in ${r.pulled.join(', ')}` : ''),
    );
  }

  if (first.gzip > BUDGET) {
    console.error(`\nsize check failed: the app is ${first.gzip - BUDGET} bytes over the ${BUDGET}-byte budget`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
