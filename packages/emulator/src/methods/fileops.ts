/**
 * The fileops methods: descriptors that live on one connection (HTTP
 * keep-alive socket or binary-protocol socket) and read, write, hash, size,
 * truncate and lock an open file. State, working copies and locks are in
 * `open-files.ts`.
 */
import type { Readable } from 'node:stream';
import { contentHash } from '../blobs.js';
import { type CallContext, DataReply, type MethodGroup } from '../context.js';
import { ApiError } from '../errors.js';
import type { Body } from '../json.js';
import { typeOf } from '../mime.js';
import { type Descriptor, O_APPEND, O_CREAT, O_EXCL, O_TRUNC, O_WRITE, openFilesOf, resolveDescriptor } from '../open-files.js';
import { type FileRec, PERM_CREATE, PERM_MODIFY } from '../store.js';
import { quotaRoom } from './file.js';
import { checkName } from './shared.js';
import { requireShareRight } from './sharing.js';

function descriptor(c: CallContext): Descriptor {
  return resolveDescriptor(c.conn, c.params.str('fd'), c.requireUser().userid);
}

/** A non-negative integer parameter, `code` when missing or negative. */
function count(c: CallContext, name: string, code: number): number {
  const v = c.params.int(name);
  if (v === undefined || v < 0) throw new ApiError(code);
  return v;
}

/**
 * Chunks of a payload stream. A write that stops early (quota, disk) leaves
 * the stream undestroyed, so the transport can still drain the rest of the
 * body and keep the connection usable.
 */
function chunks(stream: Readable): AsyncIterable<Buffer> {
  return stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
}

/** The request payload: the PUT body / binary data, or the multipart part (named `data`). */
async function* payload(c: CallContext): AsyncIterable<Buffer> {
  if (c.data) {
    yield* chunks(c.data);
    return;
  }
  if (c.files) {
    for await (const part of c.files) {
      yield* chunks(part.stream);
      return;
    }
  }
  // a multipart `data` part without a file name reaches us as a text field (UTF-8)
  const field = c.params.raw.data;
  if (typeof field === 'string') yield Buffer.from(field, 'utf8');
}

/** Position `offset` counted from `whence` (0 start, 1 the descriptor's offset, 2 the end); 1009 when before the start. */
function position(d: Descriptor, offset: number, whence: number): number {
  if (whence !== 0 && whence !== 1 && whence !== 2) throw new ApiError(1009, { emulator: 'whence must be 0, 1 or 2' });
  const base = whence === 0 ? 0 : whence === 1 ? d.offset : d.file.size();
  const at = base + offset;
  if (at < 0) throw new ApiError(1009, { emulator: 'the resulting offset is before the start of the file' });
  return at;
}

/** An existing file opened for writing inside a share needs the share's modify right (2003). */
function writable(c: CallContext, file: FileRec, flags: number): FileRec {
  if (flags & O_WRITE) requireShareRight(c, file.parent, PERM_MODIFY);
  return file;
}

/** The file an open names, created when O_CREAT allows it. */
async function openTarget(c: CallContext, flags: number): Promise<FileRec> {
  const p = c.params;
  const create = (flags & O_CREAT) !== 0;
  if (!create || p.has('fileid')) {
    if (p.has('fileid') || p.has('path')) return writable(c, c.targetFile().file, flags);
    throw new ApiError(create ? 1001 : 1004);
  }
  let parentId: number;
  let name: string;
  const path = p.str('path');
  if (path !== undefined) {
    const parts = c.splitPath(path);
    if (parts.length === 0) throw new ApiError(2010);
    parentId = c.walk(parts.slice(0, -1), 2002).id;
    name = checkName(parts[parts.length - 1]);
  } else {
    const folderid = p.int('folderid');
    if (folderid === undefined) throw new ApiError(1001);
    parentId = c.folderById(folderid, 2002).id;
    name = checkName(p.needStr('name', 1001));
  }
  const existing = c.store.findChildFile(parentId, name);
  if (existing) {
    if (flags & O_EXCL) throw new ApiError(2004);
    return writable(c, existing, flags);
  }
  requireShareRight(c, parentId, PERM_CREATE);
  if (c.store.findChildFolder(parentId, name)) throw new ApiError(2004);
  const user = c.requireUser();
  const info = await c.store.blobs.writeBuffer(Buffer.alloc(0));
  // a folder or file of that name may have appeared while the empty blob was written
  const raced = c.store.findChildFile(parentId, name);
  if (raced) {
    if (flags & O_EXCL) throw new ApiError(2004);
    return raced;
  }
  const version = c.store.newVersion(info, contentHash(info.sha1).toString());
  return c.store.addFile(user.userid, parentId, name, version, typeOf(name).contenttype);
}

async function fileOpen(c: CallContext): Promise<Body> {
  // taken by the dispatcher for every open, even one that fails: relative descriptors stay right
  const fd = c.fdNumber ?? c.conn.nextFd++;
  const flags = c.params.int('flags');
  if (flags === undefined) throw new ApiError(1006);
  const user = c.requireUser();
  const file = await openTarget(c, flags);
  // the file's owner pays for what is written (the share's owner inside a share)
  if (flags & O_WRITE && quotaRoom(c, file.owner) < 0) throw new ApiError(2008);
  const files = openFilesOf(c.store);
  const d = files.open(c.conn, fd, file.id, flags, user.userid);
  if (flags & O_TRUNC) {
    try {
      await d.file.run(() => d.file.truncateAtOpen());
      d.wrote = true;
    } catch (e) {
      await files.close(d);
      throw e;
    }
  }
  return { fd, fileid: file.id };
}

/** Writes the payload at `at` (the end when undefined: O_APPEND); `advance` moves the descriptor's offset past it. */
async function write(c: CallContext, d: Descriptor, at: number | undefined, advance: boolean): Promise<Body> {
  d.wrote = true;
  const { bytes, end } = await d.file.run(() => d.file.write(payload(c), at));
  if (advance) d.offset = end;
  return { bytes };
}

async function read(d: Descriptor, offset: number, n: number, advance: boolean): Promise<DataReply> {
  const { stream, length } = await d.file.run(() => d.file.readRange(offset, n));
  if (advance) d.offset = offset + length;
  return new DataReply(stream as Readable, length, 'application/octet-stream');
}

export const fileopsMethods: MethodGroup = {
  file_open: fileOpen,

  file_write(c) {
    const d = descriptor(c);
    return write(c, d, d.flags & O_APPEND ? undefined : d.offset, true);
  },

  file_pwrite(c) {
    const d = descriptor(c);
    return write(c, d, count(c, 'offset', 1009), false);
  },

  file_read(c) {
    const d = descriptor(c);
    return read(d, d.offset, count(c, 'count', 1011), true);
  },

  file_pread(c) {
    const d = descriptor(c);
    const n = count(c, 'count', 1011);
    return read(d, count(c, 'offset', 1009), n, false);
  },

  async file_pread_ifmod(c) {
    const d = descriptor(c);
    const n = count(c, 'count', 1011);
    const offset = count(c, 'offset', 1009);
    const sha1 = c.params.str('sha1')?.toLowerCase();
    const md5 = c.params.str('md5')?.toLowerCase();
    if (!sha1 && !md5) throw new ApiError(1019);
    const sums = await d.file.run(() => d.file.hashRange(offset, n));
    if ((sha1 && sums.sha1 === sha1) || (md5 && sums.md5 === md5)) throw new ApiError(6000);
    return read(d, offset, n, false);
  },

  async file_checksum(c) {
    const d = descriptor(c);
    const n = count(c, 'count', 1011);
    const offset = count(c, 'offset', 1009);
    const sums = await d.file.run(() => d.file.hashRange(offset, n));
    return { ...c.core.server.checksums(sums), size: sums.size };
  },

  async file_size(c) {
    const d = descriptor(c);
    // after every write already queued on the file (from any connection)
    const size = await d.file.run(async () => d.file.size());
    return { size, offset: d.offset };
  },

  async file_truncate(c) {
    const d = descriptor(c);
    const length = count(c, 'length', 1010);
    d.wrote = true;
    await d.file.run(() => d.file.truncate(length));
    return {};
  },

  async file_seek(c) {
    const d = descriptor(c);
    const offset = c.params.int('offset');
    if (offset === undefined) throw new ApiError(1009);
    const whence = c.params.int('whence') ?? 0;
    const at = await d.file.run(async () => position(d, offset, whence));
    d.offset = at;
    return { offset: at };
  },

  async file_close(c) {
    const d = descriptor(c);
    await openFilesOf(c.store).close(d);
    return {};
  },

  async file_lock(c) {
    const d = descriptor(c);
    const type = c.params.int('type');
    if (type === undefined) throw new ApiError(1008);
    if (type !== 0 && type !== 1 && type !== 2) throw new ApiError(1012);
    const start = position(d, c.params.int('offset') ?? 0, c.params.int('whence') ?? 0);
    const length = c.params.int('length') ?? 0;
    if (length < 0) throw new ApiError(1010);
    const end = length === 0 ? Number.POSITIVE_INFINITY : start + length;
    const file = d.file;
    if (type === 0) {
      if (!c.params.flag('get')) file.unlock(d, start, end);
      return { locked: true };
    }
    const exclusive = type === 2;
    if (c.params.flag('get')) return { locked: file.canLock(d, exclusive, start, end) };
    const locked = await file.lock(d, exclusive, start, end, !c.params.flag('noblock'), c.conn.closeSignal);
    return { locked };
  },
};
