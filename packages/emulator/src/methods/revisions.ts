import type { MethodGroup } from '../context.js';
import { ApiError } from '../errors.js';
import { renderFile } from '../render.js';
import { quotaRoom } from './file.js';

// A file's earlier contents are kept by the store whenever it is overwritten
// (Store.replaceContent); these methods list them and bring one back.

export const revisionMethods: MethodGroup = {
  listrevisions(c) {
    const { file, byPath } = c.targetFile();
    // newest first, like pCloud
    const revisions = [...file.revisions].reverse().map((v) => ({
      revisionid: v.revisionid,
      size: v.size,
      hash: BigInt(v.hash),
      created: c.time(v.created),
    }));
    return { revisions, metadata: renderFile(c, file, { path: byPath }) };
  },

  revertrevision(c) {
    const { file, byPath } = c.targetFile();
    const rid = c.params.int('revisionid');
    if (rid !== file.current.revisionid) {
      const v = rid === undefined ? undefined : file.revisions.find((r) => r.revisionid === rid);
      if (!v) throw new ApiError(2029);
      // the file's owner pays (the share's owner when reverting inside a share)
      if (v.size - file.current.size > quotaRoom(c, file.owner)) throw new ApiError(2008);
      const info = c.store.blobInfo(v.blob)!;
      // the content being replaced becomes a revision of its own
      c.store.replaceContent(file, c.store.newVersion(info, v.hash));
    }
    return { metadata: renderFile(c, c.store.files.get(file.id)!, { path: byPath }) };
  },
};
