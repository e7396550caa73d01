// Builds the playground: the server (Node, ESM, packages left external) into
// dist/server and the browser UI (one bundled script + static files, with
// the parts of @pcloudkit/core it uses) into dist/public. `--ui` builds only the UI (used by the browser tests).
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const uiOnly = process.argv.includes('--ui');
const out = process.env.PLAYGROUND_DIST ?? join(root, 'dist');

export async function buildUi(outDir = join(out, 'public')) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  cpSync(join(root, 'src/ui/public'), outDir, { recursive: true });
  await build({
    entryPoints: [join(root, 'src/ui/main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // Workspace packages from their TypeScript sources: the UI bundle needs no package build.
    conditions: ['source'],
    target: 'es2022',
    minify: true,
    // Error classes are shown by name (ApiError, ValidationError): keep the names minifying would shorten.
    keepNames: true,
    sourcemap: true,
    logLevel: 'warning',
  });
}

async function buildServer() {
  rmSync(join(out, 'server'), { recursive: true, force: true });
  await build({
    entryPoints: [join(root, 'src/server/main.ts')],
    outdir: join(out, 'server'),
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
}

await buildUi();
if (!uiOnly) await buildServer();
