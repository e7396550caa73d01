/**
 * Bundles src/page.ts for the browser with esbuild, from the packages'
 * TypeScript sources, and serves it on 127.0.0.1 (a port of its own, so
 * another origin than the emulator's).
 */
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type LocalServer, listenLocal } from '@pcloudkit/testkit';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The page as one ES module. `platform: 'browser'` makes any Node built-in
 * reached from the page's imports a build error, so a successful bundle is
 * itself a check that these packages stay free of Node modules.
 */
export async function bundlePage(): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    entryPoints: [join(root, 'src/page.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    sourcemap: 'inline',
    metafile: true,
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

const escapeJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function html(config: unknown): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pcloudkit in the browser</title><link rel="icon" href="data:,">
<script type="application/json" id="config">${escapeJson(config)}</script></head>
<body>
<h1>pcloudkit in the browser</h1>
<p><button id="popup-signin">Sign in with pCloud (popup)</button> <button id="redirect-signin">Sign in with pCloud (redirect)</button></p>
<pre id="signin" data-status="idle"></pre>
<script type="module" src="/app.js"></script>
</body></html>`;
}

/** Serves the page at `/` (any other path without an extension too: it is also the redirect page) and the bundle at `/app.js`. */
export async function servePage(code: string, config: { api: string; clientId: string }): Promise<LocalServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/app.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(code);
    } else if (req.method === 'GET' && !path.includes('.')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(html(config));
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  return listenLocal(server);
}
