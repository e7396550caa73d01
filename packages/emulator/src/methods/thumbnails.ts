import { Readable } from 'node:stream';
import type { CallContext, MethodGroup } from '../context.js';
import { DataReply } from '../context.js';
import { ApiError, errorMessage } from '../errors.js';
import type { Body, Value } from '../json.js';
import { renderFile } from '../render.js';
import type { ContentLink } from '../link-registry.js';
import type { FileRec } from '../store.js';
import { canThumbnail, type Thumb, type ThumbRequest, thumbRequest, thumbsOf } from '../thumbnail.js';
import { storeFile } from './file.js';
import { checkName, destination } from './shared.js';

/** The call's `size`, `crop` and `type` (1015 for a size outside pCloud's rules). */
export function request(c: CallContext): ThumbRequest {
  return thumbRequest(c.params.str('size'), c.params.flag('crop'), c.params.str('type'));
}

/** The thumbnail of a file's content (selected revision), or 1014 / 3001. */
export async function thumbOf(c: CallContext, file: FileRec, req: ThumbRequest, version = c.version(file)): Promise<Thumb> {
  if (!canThumbnail(file.contenttype)) throw new ApiError(1014);
  return thumbsOf(c.core).get(c.core, version.blob, version.size, req);
}

/** A content link serving the thumbnail, named `th-<fileid>-<WxH>.<ext>` as pCloud names them. */
export async function thumbLink(
  c: CallContext,
  file: FileRec,
  req: ThumbRequest,
  version = c.version(file),
  extra: Pick<ContentLink, 'publink'> = {},
): Promise<Body> {
  const thumb = await thumbOf(c, file, req, version);
  const size = `${thumb.width}x${thumb.height}`;
  const name = `th-${file.id}-${size}.${req.type === 'png' ? 'png' : 'jpg'}`;
  const { path, expires } = c.core.links.add({
    userid: file.owner,
    fileid: file.id,
    blob: version.blob,
    size: version.size,
    name,
    contenttype: thumb.contentType,
    kind: 'thumb',
    forcedownload: false,
    thumb: req,
    ...extra,
  });
  return { size, path, hosts: [...c.core.server.contentHosts], expires: c.time(Math.floor(expires / 1000)) };
}

/** getthumbslinks' answer: `link` makes each file's entry (a problem with one is reported in its entry, not as the call's result). */
export async function thumbsLinks(c: CallContext, link: (fileid: number, req: ThumbRequest) => Promise<Body>): Promise<Body> {
  const ids = c.params.list('fileids') ?? [];
  if (ids.length === 0 || ids.some((id) => !/^\d+$/.test(id))) throw new ApiError(1038);
  const req = request(c);
  const thumbs: Value[] = await Promise.all(
    ids.map(async (id): Promise<Body> => {
      const fileid = Number(id);
      try {
        return { result: 0, fileid, ...(await link(fileid, req)) };
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        return { result: e.code, fileid, error: errorMessage(e.code) };
      }
    }),
  );
  return { thumbs };
}

/** savethumb's work once the file is known: the thumbnail stored as a file of the caller (a destination is required). */
export async function saveThumb(c: CallContext, file: FileRec, req: ThumbRequest, version = c.version(file)): Promise<Body> {
  if (c.params.str('topath') === undefined && c.params.int('tofolderid') === undefined) throw new ApiError(1016);
  const user = c.requireUser();
  const dest = destination(c, { parentId: user.rootId, name: file.name }, { missingParent: 2002, missingFolder: 2002 })!;
  const name = checkName(dest.name);
  if (c.params.flag('noover') && c.store.findChildFile(dest.folder.id, name)) throw new ApiError(2004);
  const thumb = await thumbOf(c, file, req, version);
  const info = await c.store.blobs.writeBuffer(thumb.data);
  const saved = storeFile(c, dest.folder, name, info);
  return { metadata: renderFile(c, saved), width: thumb.width, height: thumb.height };
}

export const thumbnailMethods: MethodGroup = {
  async getthumblink(c) {
    const req = request(c);
    const { file } = c.targetFile();
    return thumbLink(c, file, req);
  },

  async getthumbslinks(c) {
    return thumbsLinks(c, (fileid, req) => thumbLink(c, c.fileById(fileid), req));
  },

  async getthumb(c) {
    const req = request(c);
    const { file } = c.targetFile();
    const thumb = await thumbOf(c, file, req);
    return new DataReply(Readable.from([thumb.data]), thumb.data.length, thumb.contentType, undefined, {
      size: `${thumb.width}x${thumb.height}`,
    });
  },

  async savethumb(c) {
    const req = request(c);
    const { file } = c.targetFile();
    return saveThumb(c, file, req);
  },
};
