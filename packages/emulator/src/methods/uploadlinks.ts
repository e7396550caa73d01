import type { CallContext, MethodGroup } from '../context.js';
import { ApiError } from '../errors.js';
import type { Body } from '../json.js';
import { renderFolder } from '../render.js';
import type { FileRec, FolderRec, UploadLinkRec, UserRec } from '../store.js';
import { nowSeconds } from '../time.js';
import { progressReply, receiveFiles, storeFile } from './file.js';
import { checkName, freeFileName } from './shared.js';

/**
 * Upload links: a folder owner hands out a code through which anyone,
 * without an account, puts files into that folder (uploadtolink), with an
 * optional expiry, byte cap and file cap. The owner lists, changes and
 * deletes links; a logged-in user may also copy one of their own files
 * into someone's link (copytolink).
 */

/** Path of the upload page on the API server (pCloud's is `my.pcloud.com/#page=puplink&code=`). */
export const UPLOAD_PAGE_PATH = '/puplink';

/** Domain of a link's drop address (pCloud uses u.pcloud.com; the emulator receives no mail). */
const DROP_DOMAIN = 'u.pcloudkit.test';

/** The page an uploader opens, on the emulator's own API server. */
export function uploadPageUrl(apiUrl: string, code: string): string {
  return `${apiUrl}${UPLOAD_PAGE_PATH}?code=${encodeURIComponent(code)}`;
}

function dropAddress(code: string): string {
  return `${code.slice(0, 16).toLowerCase()}@${DROP_DOMAIN}`;
}

/**
 * Why a link takes no upload now, as pCloud answers it: 7002 deleted (or
 * its folder or owner is gone), 7004 expired, 7007 space cap reached, 7008
 * file cap reached; undefined when it takes uploads.
 */
export function linkRefusal(c: { store: CallContext['store'] }, link: UploadLinkRec): number | undefined {
  if (link.deleted) return 7002;
  const folder = c.store.folders.get(link.folderid);
  if (!folder || folder.deleted || !c.store.users.get(link.userid)) return 7002;
  if (link.expires !== undefined && nowSeconds() > link.expires) return 7004;
  if (link.maxspace !== undefined && link.space >= link.maxspace) return 7007;
  if (link.maxfiles !== undefined && link.files >= link.maxfiles) return 7008;
  return undefined;
}

/** The link named by `code` (1022 missing, 7001 unknown), however it stands. */
function linkByCode(c: CallContext): UploadLinkRec {
  const code = c.params.needStr('code', 1022);
  const link = c.store.uploadLinkByCode(code);
  if (!link) throw new ApiError(7001);
  return link;
}

/** The link named by `code` if it takes uploads now, else pCloud's refusal. */
function openLink(c: CallContext): { link: UploadLinkRec; owner: UserRec; folder: FolderRec } {
  const link = linkByCode(c);
  const refusal = linkRefusal(c, link);
  if (refusal !== undefined) throw new ApiError(refusal);
  return { link, owner: c.store.users.get(link.userid)!, folder: c.store.folders.get(link.folderid)! };
}

/** One of the caller's links by `uploadlinkid` (1036 missing, 2040 unknown, deleted or someone else's). */
function ownLink(c: CallContext): UploadLinkRec {
  const user = c.requireUser();
  const id = c.params.needInt('uploadlinkid', 1036);
  const link = c.store.uploadLink(id);
  if (!link || link.deleted || link.userid !== user.userid) throw new ApiError(2040);
  return link;
}

/** A non-negative cap; 0 (or absent) means none. */
function cap(c: CallContext, name: string): number | undefined {
  const v = c.params.int(name);
  return v === undefined || v <= 0 ? undefined : v;
}

function linkFields(c: CallContext, link: UploadLinkRec): Body {
  return {
    uploadlinkid: link.id,
    link: uploadPageUrl(c.core.server.apiUrl, link.code),
    mail: dropAddress(link.code),
    code: link.code,
  };
}

/** Bytes the link still takes (Infinity without a cap). */
function spaceLeft(link: UploadLinkRec): number {
  return link.maxspace === undefined ? Number.POSITIVE_INFINITY : Math.max(0, link.maxspace - link.space);
}

/** Where uploadlinkprogress finds an upload through a link. */
function progressKey(code: string, hash: string): string {
  return `uploadlink:${code}:${hash}`;
}

export const uploadLinkMethods: MethodGroup = {
  createuploadlink(c) {
    const user = c.requireUser();
    const comment = c.params.str('comment');
    if (comment === undefined || comment === '') throw new ApiError(1035);
    const { folder } = c.targetFolder(1002);
    if (folder.owner !== user.userid) throw new ApiError(2039);
    if (!user.emailverified) throw new ApiError(2014);
    const expires = c.params.datetime('expire');
    const maxspace = cap(c, 'maxspace');
    const maxfiles = cap(c, 'maxfiles');
    const link = c.store.createUploadLink(user.userid, folder.id, comment, {
      ...(expires !== undefined ? { expires } : {}),
      ...(maxspace !== undefined ? { maxspace } : {}),
      ...(maxfiles !== undefined ? { maxfiles } : {}),
    });
    return linkFields(c, link);
  },

  listuploadlinks(c) {
    const user = c.requireUser();
    const uploadlinks = c.store.uploadLinksOf(user.userid).map((link) => {
      const folder = c.store.folders.get(link.folderid);
      const item: Body = {
        ...linkFields(c, link),
        comment: link.comment,
        files: link.files,
        space: link.space,
        created: c.time(link.created),
        modified: c.time(link.modified),
      };
      if (folder && !folder.deleted) item.metadata = renderFolder(c, folder);
      if (link.expires !== undefined) item.expires = c.time(link.expires);
      if (link.maxspace !== undefined) item.maxspace = link.maxspace;
      if (link.maxfiles !== undefined) item.maxfiles = link.maxfiles;
      return item;
    });
    return { uploadlinks };
  },

  deleteuploadlink(c) {
    const link = ownLink(c);
    c.store.deleteUploadLink(link.id);
    return {};
  },

  changeuploadlink(c) {
    const link = ownLink(c);
    const p = c.params;
    let expires = link.expires;
    if (p.flag('deleteexpire')) expires = undefined;
    else if (p.has('expire')) expires = p.datetime('expire');
    const maxspace = p.has('maxspace') ? cap(c, 'maxspace') : link.maxspace;
    const maxfiles = p.has('maxfiles') ? cap(c, 'maxfiles') : link.maxfiles;
    c.store.changeUploadLink(link.id, {
      ...(expires !== undefined ? { expires } : {}),
      ...(maxspace !== undefined ? { maxspace } : {}),
      ...(maxfiles !== undefined ? { maxfiles } : {}),
    });
    return {};
  },

  showuploadlink(c) {
    const { link } = openLink(c);
    return { comment: link.comment, mail: dropAddress(link.code) };
  },

  async uploadtolink(c) {
    const { link, owner, folder } = openLink(c);
    const hash = c.params.str('progresshash');
    // who uploads and what they say about it: kept with each file for the owner
    const uploader = { name: c.params.str('names'), comment: c.params.str('comment') };
    // the counters as they stand while this request adds files (other requests may add too)
    const current = () => c.store.uploadLink(link.id)!;
    let limitedBySpace = false;
    await receiveFiles(c, {
      ...(hash ? { progressKey: progressKey(link.code, hash) } : {}),
      checkPart() {
        const refusal = linkRefusal(c, current());
        if (refusal !== undefined) throw new ApiError(refusal);
      },
      maxBytes() {
        const room = Math.max(0, owner.quota - c.store.usedQuota(owner.userid));
        const left = spaceLeft(current());
        limitedBySpace = left <= room;
        return Math.min(room, left);
      },
      overLimit: () => new ApiError(limitedBySpace ? 7007 : 2008),
      // a raw PUT body may come without `filename` (these methods document none)
      defaultName: 'upload.bin',
      keep(name, info) {
        const file = storeFile(c, folder, name, info, { renameifexists: true, owner });
        c.store.recordUploadLinkFile(link.id, file.id, info.size, {
          ...(uploader.name !== undefined ? { name: uploader.name } : {}),
          ...(uploader.comment !== undefined ? { comment: uploader.comment } : {}),
        });
        return undefined;
      },
    });
    return {};
  },

  uploadlinkprogress(c) {
    const code = c.params.needStr('code', 1022);
    const hash = c.params.str('progresshash');
    const e = hash ? c.core.progress.get(progressKey(code, hash)) : undefined;
    if (!e) throw new ApiError(1900);
    return progressReply(e, false);
  },

  copytolink(c) {
    const user = c.requireUser();
    const { file } = c.targetFile();
    const { link, owner, folder } = openLink(c);
    const toname = c.params.str('toname');
    const name = checkName(toname ?? file.name);
    const info = c.store.blobInfo(file.current.blob)!;
    if (info.size > spaceLeft(link)) throw new ApiError(7007);
    if (c.store.usedQuota(owner.userid) + info.size > owner.quota) throw new ApiError(2008);
    const copy: FileRec = c.store.addFile(
      owner.userid,
      folder.id,
      freeFileName(c, folder, name),
      c.store.newVersion(info, file.current.hash),
      file.contenttype,
    );
    c.store.recordUploadLinkFile(link.id, copy.id, info.size, { name: user.email });
    return {};
  },
};
