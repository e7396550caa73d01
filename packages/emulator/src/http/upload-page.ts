import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorCore } from '../core.js';
import { errorMessage } from '../errors.js';
import { linkRefusal } from '../methods/uploadlinks.js';
import { escapeHtml as esc, htmlPage, refuseUnlessRead, sendHtml } from './html.js';

/** Status of the page for each refusal of the link. */
const STATUS: Readonly<Record<number, number>> = { 7001: 404, 7002: 410, 7004: 410, 7007: 403, 7008: 403 };

const CSS = `body{font:16px system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}
blockquote{background:#f3f5f8;border-left:4px solid #17bed0;margin:1rem 0;padding:.75rem 1rem;white-space:pre-wrap}
label{display:block;margin:.75rem 0}input[type=text],textarea{width:100%;box-sizing:border-box}
progress{width:100%}#status{margin-top:1rem}`;

const page = (title: string, body: string) => htmlPage(title, CSS, body);

/**
 * The page behind an upload link (`GET /puplink?code=...`), like pCloud's
 * `#page=puplink`: it shows the owner's comment and a form where an
 * anonymous visitor picks files, says who they are, and uploads them with
 * `uploadtolink`, watching the progress through `uploadlinkprogress`. The
 * form also works without scripts (a plain multipart POST, the code first).
 */
export function createUploadPage(core: EmulatorCore) {
  return function uploadPage(req: IncomingMessage, res: ServerResponse): void {
    const send = (status: number, html: string) => sendHtml(req, res, status, html);
    if (refuseUnlessRead(req, res, (body) => page('Upload link', body))) return;
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const code = url.searchParams.get('code') ?? '';
    const link = code ? core.store.uploadLinkByCode(code) : undefined;
    const refusal = link ? linkRefusal(core, link) : 7001;
    if (!link || refusal !== undefined) {
      const code = refusal ?? 7001;
      return send(STATUS[code] ?? 404, page('Upload link', `<h1>Upload link</h1><p>${esc(errorMessage(code))}</p>`));
    }
    const body = `<h1>Upload files</h1>
<p>The owner of this link asks:</p>
<blockquote id="comment">${esc(link.comment)}</blockquote>
<form id="form" method="post" action="/uploadtolink" enctype="multipart/form-data">
<input type="hidden" name="code" value="${esc(link.code)}">
<label>Your name <input type="text" name="names" id="names" autocomplete="name"></label>
<label>Comment for the owner <textarea name="comment" id="note" rows="2"></textarea></label>
<label>Files <input type="file" name="file" id="files" multiple required></label>
<button type="submit">Upload</button>
</form>
<progress id="bar" max="1" value="0" hidden></progress>
<p id="status" role="status"></p>
<script>
const form = document.getElementById('form');
const status = document.getElementById('status');
const bar = document.getElementById('bar');
form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const data = new FormData();
  const hash = Math.random().toString(36).slice(2);
  const q = new URLSearchParams({ code: ${JSON.stringify(link.code)}, progresshash: hash });
  for (const k of ['names', 'comment']) { const v = form.elements[k].value; if (v) q.set(k, v); }
  for (const f of document.getElementById('files').files) data.append('file', f, f.name);
  bar.hidden = false; bar.value = 0; status.textContent = 'Uploading...';
  const poll = setInterval(async () => {
    const p = await (await fetch('/uploadlinkprogress?' + new URLSearchParams({ code: q.get('code'), progresshash: hash }))).json();
    if (p.result === 0 && p.total) bar.value = p.uploaded / p.total;
  }, 300);
  try {
    const r = await (await fetch('/uploadtolink?' + q, { method: 'POST', body: data })).json();
    status.textContent = r.result === 0 ? 'Uploaded. Thank you!' : 'Refused: ' + r.error;
    if (r.result === 0) { bar.value = 1; form.reset(); }
  } catch (e) {
    status.textContent = 'The upload failed: ' + e;
  } finally {
    clearInterval(poll);
  }
});
</script>`;
    send(200, page('Upload files', body));
  };
}
