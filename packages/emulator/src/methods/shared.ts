import type { CallContext } from '../context.js';
import { ApiError } from '../errors.js';
import type { FolderRec } from '../store.js';

/** pCloud file name rules: UTF-8, under 1024 bytes, no `/`, `\` or NUL (else 2001). */
export function checkName(name: string | undefined): string {
  if (name === undefined || name === '' || Buffer.byteLength(name, 'utf8') >= 1024 || /[/\\\0]/.test(name)) throw new ApiError(2001);
  if (name === '.' || name === '..') throw new ApiError(2001);
  return name;
}

/** `name (2).ext`, `name (3).ext`, ... the first one free among files of the folder. */
export function freeFileName(c: CallContext, folder: FolderRec, name: string): string {
  if (!c.store.findChildFile(folder.id, name)) return name;
  const dot = name.lastIndexOf('.');
  const base = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let i = 2; ; i++) {
    const candidate = `${base} (${i})${ext}`;
    if (!c.store.findChildFile(folder.id, candidate)) return candidate;
  }
}

/**
 * Resolves a destination given as `topath` (a full new path, or an existing
 * folder when it ends with '/'), or `tofolderid` (+ `toname`), or only
 * `toname` (same folder). Returns undefined when none was given.
 */
export function destination(
  c: CallContext,
  current: { parentId: number; name: string },
  codes: { missingParent: number; missingFolder: number },
): { folder: FolderRec; name: string } | undefined {
  const p = c.params;
  const topath = p.str('topath');
  const tofolderid = p.int('tofolderid');
  const toname = p.str('toname');
  if (topath !== undefined) {
    const parts = c.splitPath(topath);
    if (topath.endsWith('/')) {
      const folder = c.walk(parts, codes.missingFolder);
      return { folder, name: toname ?? current.name };
    }
    if (parts.length === 0) throw new ApiError(2001);
    const folder = c.walk(parts.slice(0, -1), codes.missingParent);
    return { folder, name: parts[parts.length - 1]! };
  }
  if (tofolderid !== undefined) return { folder: c.folderById(tofolderid, codes.missingFolder), name: toname ?? current.name };
  if (toname !== undefined) return { folder: c.store.folders.get(current.parentId)!, name: toname };
  return undefined;
}

/** Unix seconds from `mtime`/`ctime` (ctime only counts together with mtime). */
export function fileTimes(c: CallContext): { created?: number; modified?: number } {
  const mtime = c.params.int('mtime');
  if (mtime === undefined) return {};
  const ctime = c.params.int('ctime');
  return ctime !== undefined ? { modified: mtime, created: ctime } : { modified: mtime };
}
