/**
 * Builds the site: `pnpm run docs` at the repository root (`pnpm docs` without
 * `run` is pnpm's own command that opens a package's web page), `pnpm build` here.
 *
 * 1. methods/: the method reference, from the catalogue and the method
 *    packages' definitions (scripts/methods.ts, run on the TypeScript sources).
 * 2. api/: the TypeScript API reference of every published package, from its
 *    TSDoc comments (TypeDoc with typedoc-plugin-markdown).
 * 3. dist/: the static site (VitePress), with its local search index.
 *
 * `--generate-only` stops after steps 1 and 2 (for `vitepress dev`).
 * Everything runs offline.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(docs, '..', '..');
const generateOnly = process.argv.includes('--generate-only');

function run(label, command, args) {
  const start = Date.now();
  const r = spawnSync(command, args, { cwd: docs, stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '' } });
  if (r.status !== 0) {
    console.error(`docs: ${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  console.log(`docs: ${label} took ${((Date.now() - start) / 1000).toFixed(1)} s`);
}

/** Entry points of every published (non-private) package: each `exports` entry with a `source` file, `./methods` aside (the index re-exports it). */
function apiEntryPoints() {
  const entries = [];
  for (const dir of readdirSync(join(repo, 'packages')).sort()) {
    const file = join(repo, 'packages', dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    if (pkg.private) continue;
    for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
      if (sub === './methods' || typeof target !== 'object' || !target.source) continue;
      entries.push(relative(docs, join(repo, 'packages', dir, target.source)));
    }
  }
  return entries;
}

// 1. Method reference.
run('method reference', process.execPath, ['--conditions=source', '--import', 'tsx', 'scripts/methods.ts']);

// 2. API reference.
const entryPoints = apiEntryPoints();
const typedocConfig = {
  $schema: 'https://typedoc-plugin-markdown.org/schema.json',
  entryPoints,
  entryPointStrategy: 'resolve',
  tsconfig: './tsconfig.typedoc.json',
  name: 'pcloudkit API reference',
  plugin: ['typedoc-plugin-markdown', 'typedoc-vitepress-theme', './scripts/typedoc-names.mjs'],
  out: 'api',
  readme: 'none',
  entryFileName: 'index.md',
  outputFileStrategy: 'modules',
  hidePageHeader: true,
  hideBreadcrumbs: true,
  useHTMLAnchors: true,
  excludePrivate: true,
  excludeInternal: true,
  excludeExternals: true,
  disableSources: true,
  sort: ['source-order'],
  validation: { notExported: false, invalidLink: false, rewrittenLink: false },
  logLevel: 'Warn',
};
writeFileSync(join(docs, 'typedoc.json'), `${JSON.stringify(typedocConfig, null, 2)}\n`);
rmSync(join(docs, 'api'), { recursive: true, force: true });
run('API reference', process.execPath, [join(docs, 'node_modules/typedoc/bin/typedoc'), '--options', 'typedoc.json']);
const apiPages = readdirSync(join(docs, 'api'), { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.md') && f !== 'index.md')
  .sort();
const apiSidebar = apiPages.map((f) => {
  const link = `/api/${f.replace(/\.md$/, '')}`;
  return { text: f.replace(/\.md$/, '').replace(/\/index$/, ''), link };
});
writeFileSync(join(docs, 'api', 'sidebar.json'), `${JSON.stringify(apiSidebar, null, 2)}\n`);

// 3. The site.
if (generateOnly) process.exit(0);
run('VitePress build', process.execPath, [join(docs, 'node_modules/vitepress/bin/vitepress.js'), 'build', '.']);
