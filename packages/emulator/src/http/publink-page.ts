import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorCore } from '../core.js';
import { errorMessage } from '../errors.js';
import type { ContentLink } from '../link-registry.js';
import {
  gate,
  linkChildren,
  linkName,
  linkTop,
  linkedFile,
  openLink,
  PASSWORD_NEEDED,
  PUBLINK_PAGE,
  type OpenLink,
} from '../methods/publinks.js';
import { typeInfoFor } from '../mime.js';
import type { FileRec, FolderRec } from '../store.js';
import { DEFAULT_AUDIO_BITRATE } from '../transcode.js';
import { escapeHtml as esc, htmlPage, refuseUnlessRead, sendHtml } from './html.js';

/** Status of the page for each refusal of the link. */
const STATUS: Readonly<Record<number, number>> = { 7001: 404, 7002: 410, 7004: 410, 7005: 403, 7006: 403, [PASSWORD_NEEDED]: 401 };

const CSS = `body{font:16px system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem}
ul{list-style:none;padding-left:1.2rem}li{margin:.3rem 0}audio{display:block;width:100%;margin:.2rem 0}
.size{color:#667;font-size:.85em}`;

const page = (title: string, body: string) => htmlPage(title, CSS, body);

const isAudio = (f: FileRec) => typeInfoFor(f.contenttype, f.name).category === 3;

/**
 * The page behind a public link (`GET /publink?code=...`), like pCloud's
 * `#page=publink`: for anonymous visitors, it lists a shared folder (or
 * tree, or collection) with a download link per file and a player for
 * audio files, and asks for the password of a protected link. A program
 * that does not ask for HTML (no `text/html` in Accept) opening a file
 * link, or any visitor following a file's link (`fileid`), is sent on to
 * the content server, which serves the bytes and counts the download;
 * `audio=1` goes to the transcoded audio, `zip=1` to the whole link as a ZIP.
 */
export function createPublinkPage(core: EmulatorCore) {
  return function publinkPage(req: IncomingMessage, res: ServerResponse): void {
    const send = (status: number, html: string) => sendHtml(req, res, status, html);
    if (refuseUnlessRead(req, res, (body) => page('Public link', body))) return;
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const q = url.searchParams;
    const code = q.get('code') ?? '';
    const password = q.get('linkpassword') ?? undefined;
    const open = openLink(core.store, code, password || undefined);
    if (typeof open === 'number') {
      const form =
        open === PASSWORD_NEEDED
          ? `<form method="get" action="${PUBLINK_PAGE}"><input type="hidden" name="code" value="${esc(code)}">
<label>Password <input type="password" name="linkpassword" autofocus></label> <button>Open</button></form>
${password ? '<p>Wrong password.</p>' : ''}`
          : `<p>${esc(errorMessage(open))}</p>`;
      return send(STATUS[open] ?? 404, page('Public link', `<h1>Public link</h1>${form}`));
    }
    const own = (extra: Record<string, string>) => {
      const p = new URLSearchParams({ code, ...(password ? { linkpassword: password } : {}), ...extra });
      return `${PUBLINK_PAGE}?${p}`;
    };
    const fileidText = q.get('fileid');
    const wantsHtml = (req.headers.accept ?? '').includes('text/html');
    if (q.get('zip') === '1') return redirect(res, zipUrl(core, open, password));
    if (fileidText !== null || (open.link.kind === 'file' && !wantsHtml)) {
      const file = linkedFile(core.store, open, fileidText === null ? undefined : Number(fileidText));
      if (!file) return send(404, page('Public link', `<h1>Public link</h1><p>${esc(errorMessage(2009))}</p>`));
      return redirect(res, fileUrl(core, open, file, q.get('audio') === '1'));
    }
    const fileItem = (f: FileRec) =>
      `<li>📄 <a href="${esc(own({ fileid: String(f.id) }))}" download>${esc(f.name)}</a> <span class="size">${f.current.size} bytes</span>` +
      (isAudio(f) ? `<audio controls preload="none" src="${esc(own({ fileid: String(f.id), audio: '1' }))}"></audio>` : '') +
      '</li>';
    const folderItem = (f: FolderRec): string => {
      const kids = linkChildren(core.store, open, f);
      return `<li>📁 ${esc(f.name)}<ul>${kids.folders.map(folderItem).join('')}${kids.files.map(fileItem).join('')}</ul></li>`;
    };
    const top = linkTop(core.store, open);
    const name = linkName(core.store, open);
    const list = `<ul>${top.folders.map(folderItem).join('')}${top.files.map(fileItem).join('')}</ul>`;
    const zip = open.link.kind === 'file' ? '' : `<p><a href="${esc(own({ zip: '1' }))}">Download everything as a ZIP</a></p>`;
    send(200, page(name, `<h1>${esc(name)}</h1><p>Shared with a public link.</p>${list}${zip}`));
  };
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { Location: location, 'Content-Length': 0, 'Cache-Control': 'no-store' });
  res.end();
}

function contentUrl(core: EmulatorCore, path: string): string {
  return `${core.server.scheme}://${core.server.contentHosts[0]}${path}`;
}

/** A content link to a file of the link (as audio when asked and the file is audio), counted toward the link. */
function fileUrl(core: EmulatorCore, open: OpenLink, file: FileRec, audio: boolean): string {
  const link: Omit<ContentLink, 'expires'> = {
    userid: file.owner,
    fileid: file.id,
    blob: file.current.blob,
    size: file.current.size,
    name: file.name,
    contenttype: file.contenttype,
    kind: audio && isAudio(file) ? 'audio' : 'file',
    forcedownload: false,
    ...(audio ? { abitrate: DEFAULT_AUDIO_BITRATE } : {}),
    publink: gate(core.store, open, file.id),
  };
  return contentUrl(core, core.links.add(link).path);
}

/** The whole link as a ZIP: the API's own getpubzip, with the visitor's password. */
function zipUrl(core: EmulatorCore, open: OpenLink, password: string | undefined): string {
  const filename = `${linkName(core.store, open) || 'link'}.zip`;
  const q = new URLSearchParams({ code: open.link.code, ...(password ? { linkpassword: password } : {}), filename });
  return `${core.server.apiUrl}/getpubzip?${q}`;
}
