import type { CallContext, MethodGroup } from '../context.js';
import { ApiError } from '../errors.js';
import type { Body } from '../json.js';
import { renderFile, renderFolder, renderNode } from '../render.js';
import type { FileRec, FolderRec, PubLinkRec } from '../store.js';
import { nowSeconds } from '../time.js';

/**
 * A small part of the publinks group, enough for clients that share files
 * (rclone `link`): create (with short links), list, delete, show and
 * download links. Limits other than `expire`/`maxdownloads` and passwords
 * are not emulated.
 */

function linkUrl(c: CallContext, code: string): string {
  return `${c.core.server.apiUrl}/#page=publink&code=${code}`;
}

/** `shortcode` and `shortlink` of a link that has a short code (pCloud's short links live on pc.cd). */
function shortFields(link: PubLinkRec): Body {
  return link.shortcode === undefined ? {} : { shortcode: link.shortcode, shortlink: `https://pc.cd/${link.shortcode}` };
}

function create(c: CallContext, kind: 'file' | 'folder', targetId: number): Body {
  const user = c.requireUser();
  const expire = c.params.datetime('expire');
  const maxdownloads = c.params.int('maxdownloads');
  const rec = c.store.createPublink(user.userid, kind, targetId, {
    ...(expire !== undefined ? { expires: expire } : {}),
    ...(maxdownloads !== undefined ? { maxdownloads } : {}),
    shortlink: c.params.flag('shortlink'),
  });
  return { linkid: rec.linkid, code: rec.code, link: linkUrl(c, rec.code), ...shortFields(rec) };
}

/** A live link by code or short code (7001 unknown, 7002 deleted, 7004 expired, 7006 too many downloads). */
function byCode(c: CallContext): { link: PubLinkRec; target: FileRec | FolderRec } {
  const code = c.params.needStr('code', 1028);
  const link = c.store.publinkByCode(code);
  if (!link) throw new ApiError(7001);
  if (link.deleted) throw new ApiError(7002);
  const target = link.kind === 'file' ? c.store.files.get(link.targetId) : c.store.folders.get(link.targetId);
  if (!target || target.deleted) throw new ApiError(7002);
  if (link.expires !== undefined && nowSeconds() > link.expires) throw new ApiError(7004);
  if (link.maxdownloads !== undefined && link.downloads >= link.maxdownloads) throw new ApiError(7006);
  return { link, target };
}

/** Renders as the link's owner (public link methods need no login). */
function asOwner<T>(c: CallContext, link: PubLinkRec, fn: () => T): T {
  const saved = c.user;
  c.user = c.store.users.get(link.userid);
  try {
    return fn();
  } finally {
    c.user = saved;
  }
}

export const publinkMethods: MethodGroup = {
  getfilepublink(c) {
    const { file } = c.targetFile();
    return create(c, 'file', file.id);
  },

  getfolderpublink(c) {
    const { folder } = c.targetFolder(1002);
    if (folder.parent === null) throw new ApiError(2015);
    return create(c, 'folder', folder.id);
  },

  listpublinks(c) {
    const user = c.requireUser();
    const publinks = [...c.store.publinks.values()]
      .filter((l) => l.userid === user.userid && !l.deleted)
      .map((l) => {
        const target = l.kind === 'file' ? c.store.files.get(l.targetId) : c.store.folders.get(l.targetId);
        const out: Body = {
          linkid: l.linkid,
          code: l.code,
          link: linkUrl(c, l.code),
          ...shortFields(l),
          created: c.time(l.created),
          modified: c.time(l.created),
          downloads: l.downloads,
          traffic: l.traffic,
        };
        if (target && !target.deleted) out.metadata = renderNode(c, target);
        if (l.expires !== undefined) out.expires = c.time(l.expires);
        return out;
      });
    return { publinks };
  },

  deletepublink(c) {
    const user = c.requireUser();
    const id = c.params.needInt('linkid', 1030);
    const link = c.store.publinks.get(id);
    if (!link || link.userid !== user.userid || link.deleted) throw new ApiError(2027);
    c.store.deletePublink(id);
    return {};
  },

  showpublink(c) {
    const { link, target } = byCode(c);
    return asOwner(c, link, () => {
      if (target.kind === 'file') return { metadata: renderFile(c, target) };
      const walk = (f: FolderRec): Body =>
        renderFolder(c, f, { contents: [...c.store.subfolders(f.id).map(walk), ...c.store.subfiles(f.id).map((x) => renderFile(c, x))] });
      return { metadata: walk(target) };
    });
  },

  getpublinkdownload(c) {
    const { link, target } = byCode(c);
    let file: FileRec | undefined;
    if (target.kind === 'file') file = target;
    else {
      const fileid = c.params.needInt('fileid', 1029);
      const f = c.store.files.get(fileid);
      if (f && !f.deleted && f.owner === link.userid && c.store.isWithin(f.parent, target.id)) file = f;
    }
    if (!file) throw new ApiError(2009);
    c.store.countPublinkDownload(link, file.current.size);
    const { path, expires } = c.core.links.add(
      {
        userid: file.owner,
        fileid: file.id,
        blob: file.current.blob,
        size: file.current.size,
        name: file.name,
        contenttype: file.contenttype,
        kind: 'file',
        forcedownload: c.params.flag('forcedownload'),
      },
      { skipFilename: c.params.flag('skipfilename') },
    );
    return { hosts: [...c.core.server.contentHosts], path, expires: c.time(Math.floor(expires / 1000)) };
  },
};
