import type { IncomingMessage, ServerResponse } from 'node:http';

/** Escapes text for HTML content and quoted attribute values. */
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * A whole page for the emulator's browser-facing links (public link, upload
 * link): UTF-8, mobile viewport, an empty icon (so a browser asks for no
 * /favicon.ico) and the page's own `css`.
 */
export function htmlPage(title: string, css: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>${escapeHtml(title)}</title>
<style>${css}</style></head>
<body>${body}</body></html>`;
}

/** Answers with a page that is never cached nor framed; a HEAD gets the headers only. */
export function sendHtml(req: IncomingMessage, res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
  });
  res.end(req.method === 'HEAD' ? undefined : html);
}

/**
 * Pages are read-only: anything but GET or HEAD gets a 405 naming the allowed
 * methods, made by `page`. Returns whether it answered.
 */
export function refuseUnlessRead(req: IncomingMessage, res: ServerResponse, page: (body: string) => string): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return false;
  res.setHeader('Allow', 'GET, HEAD');
  sendHtml(req, res, 405, page('<p>Open this page with GET.</p>'));
  return true;
}
