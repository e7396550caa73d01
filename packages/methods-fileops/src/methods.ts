/**
 * The fileops methods and their result types. Its only run-time exports are
 * the method definitions, each under its wire name: the package's
 * `definitions` list and plugin are built from them, and each method's JSDoc
 * (params included) is what editors show on `client.<method>`.
 *
 * A file descriptor (`fd`) belongs to the connection that opened it. Every
 * call on a descriptor must use the same connection: pass the same
 * `connectionKey` in the call options (the transports keep one dedicated
 * connection per key), or use `client.open()`, which does it for you. A
 * negative `fd` counts back from the latest open on the connection (`-1`
 * is the last one); the transports send it the way each protocol wants it.
 */
import { type DataResponse, defineMethod, param, returns } from '@pcloudkit/core';

const GROUP = 'fileops';

// ---------------------------------------------------------------------------
// Result types

/** Answer of `file_open`. */
export interface FileOpenResult {
  /** The new descriptor, valid on this connection only. */
  fd: number;
  /** Id of the file opened or created. */
  fileid: number;
}

/** Answer of `file_write` and `file_pwrite`. */
export interface FileWriteResult {
  /** Bytes written. */
  bytes: number;
}

/** `file_read`, `file_pread` and `file_pread_ifmod` answer with the bytes as a web stream. */
export type FileReadResult = DataResponse;

/** Answer of `file_checksum`. */
export interface FileChecksumResult {
  /** Hex SHA-1 of the range. */
  sha1: string;
  /** Hex MD5 of the range (may be missing outside the US region). */
  md5?: string;
  /** Bytes hashed: `count`, or less when the range runs past the end of the file. */
  size: number;
}

/** Answer of `file_size`. */
export interface FileSizeResult {
  /** Size of the file in bytes. */
  size: number;
  /** The descriptor's current offset. */
  offset: number;
}

/** Answer of `file_seek`. */
export interface FileSeekResult {
  /** The new absolute offset. */
  offset: number;
}

/** Answer of `file_lock`. */
export interface FileLockResult {
  /** Whether the lock was granted (with `get`: whether it would be). */
  locked: boolean;
}

/** Answer of `file_truncate` and `file_close`: nothing beyond `result`. */
export type FileEmptyResult = Record<string, never>;

// ---------------------------------------------------------------------------
// Shared param specs

/** The descriptor param: a number from `file_open` on this connection, or negative to count back from the latest open. */
const fd = () => param.int({ required: true });

// ---------------------------------------------------------------------------
// Definitions

/**
 * Opens a file, or creates one with `O_CREAT`, and answers with a descriptor
 * for this connection and the file's id. With `O_CREAT` the target is `path`
 * or `folderid` + `name`; without it `path` or `fileid`. `flags` combines
 * `O_WRITE`, `O_CREAT`, `O_EXCL`, `O_TRUNC` and
 * `O_APPEND` (constants of the package); 0 opens for reading.
 */
export const file_open = /* @__PURE__ */ defineMethod({
  name: 'file_open',
  group: GROUP,
  params: {
    /** Bitmask of open flags: 0x0002 O_WRITE, 0x0040 O_CREAT, 0x0080 O_EXCL, 0x0200 O_TRUNC, 0x0400 O_APPEND. */
    flags: /* @__PURE__ */ param.int({ required: true, min: 0 }),
    /** Full path of the file (ids are preferred). */
    path: /* @__PURE__ */ param.string(),
    /** Id of an existing file (without O_CREAT). */
    fileid: /* @__PURE__ */ param.int({ min: 0 }),
    /** Folder to create the file in (with O_CREAT; needs `name`). */
    folderid: /* @__PURE__ */ param.int({ min: 0 }),
    /** Name of the file to create in `folderid`. */
    name: /* @__PURE__ */ param.string(),
  },
  oneOf: { target: ['path', 'fileid', 'folderid'] },
  auth: true,
  connectionBound: true,
  result: /* @__PURE__ */ returns<FileOpenResult>(),
});

/**
 * Writes the payload (one file in `options.files`) at the descriptor's
 * offset and moves the offset past it; with `O_APPEND` it always lands at
 * the end of the file.
 */
export const file_write = /* @__PURE__ */ defineMethod({
  name: 'file_write',
  group: GROUP,
  params: {
    /** Descriptor from `file_open` on this connection; negative counts back from the latest open. */
    fd: /* @__PURE__ */ fd(),
  },
  auth: true,
  data: 'upload',
  connectionBound: true,
  payloadUpload: true,
  result: /* @__PURE__ */ returns<FileWriteResult>(),
});

/** Writes the payload (one file in `options.files`) at `offset`, leaving the descriptor's offset where it was. */
export const file_pwrite = /* @__PURE__ */ defineMethod({
  name: 'file_pwrite',
  group: GROUP,
  params: {
    /** Descriptor from `file_open` on this connection; negative counts back from the latest open. */
    fd: /* @__PURE__ */ fd(),
    /** Byte position where the payload is written. */
    offset: /* @__PURE__ */ param.int({ required: true, min: 0 }),
  },
  auth: true,
  data: 'upload',
  connectionBound: true,
  payloadUpload: true,
  result: /* @__PURE__ */ returns<FileWriteResult>(),
});

/** Reads up to `count` bytes at the descriptor's offset and moves it; fewer bytes mean the end of the file. */
export const file_read = /* @__PURE__ */ defineMethod({
  name: 'file_read',
  group: GROUP,
  params: {
    /** Descriptor from `file_open` on this connection; negative counts back from the latest open. */
    fd: /* @__PURE__ */ fd(),
    /** Most bytes to read. */
    count: /* @__PURE__ */ param.int({ required: true, min: 0 }),
  },
  auth: true,
  data: 'download',
  connectionBound: true,
  result: /* @__PURE__ */ returns<FileReadResult>(),
});

/** Reads up to `count` bytes at `offset`, leaving the descriptor's offset where it was. */
export const file_pread = /* @__PURE__ */ defineMethod({
  name: 'file_pread',
  group: GROUP,
  params: {
    /** Descriptor from `file_open` on this connection; negative counts back from the latest open. */
    fd: /* @__PURE__ */ fd(),
    /** Most bytes to read. */
    count: /* @__PURE__ */ param.int({ required: true, min: 0 }),
    /** Byte position where reading starts. */
    offset: /* @__PURE__ */ param.int({ required: true, min: 0 }),
  },
  auth: true,
  data: 'download',
  connectionBound: true,
  result: /* @__PURE__ */ returns<FileReadResult>(),
});

/**
 * Like `file_pread`, unless the range still has the given `sha1` or `md5`:
 * then it fails with 6000 ("not modified"), which means a cached copy is
 * still good.
 */
export const file_pread_ifmod = /* @__PURE__ */ defineMethod({
  name: 'file_pread_ifmod',
  group: GROUP,
  params: {
    /** Descriptor from `file_open` on this connection; negative counts back from the latest open. */
    fd: /* @__PURE__ */ fd(),
    /** Most bytes to read. */
    count: /* @__PURE__ */ param.int({ required: true, min: 0 }),
    /** Byte position where reading starts. */
    offset: /* @__PURE__ */ param.int({ required: true, min: 0 }),
    /** Hex SHA-1 of the copy of this range you hold. */
    sha1: /* @__PURE__ */ param.string(),
    /** Hex MD5 of the copy of this range you hold. */
    md5: /* @__PURE__ */ param.string(),
  },
  oneOf: { checksum: ['sha1', 'md5'] },
  auth: true,
  data: 'download',
  connectionBound: true,
  result: /* @__PURE__ */ returns<FileReadResult>(),
});

/** Hashes `count` bytes at `offset` of the open file (to check part of it; `checksumfile` is for whole files). */
export const file_checksum = /* @__PURE__ */ defineMethod({
  name: 'file_checksum',
  group: GROUP,
  params: {
    /** Descriptor from `file_open` on this connection; negative counts back from the latest open. */
    fd: /* @__PURE__ */ fd(),
    /** Bytes to hash. */
    count: /* @__PURE__ */ param.int({ required: true, min: 0 }),
    /** Start of the range. */
    offset: /* @__PURE__ */ param.int({ required: true, min: 0 }),
  },
  auth: true,
  connectionBound: true,
  result: /* @__PURE__ */ returns<FileChecksumResult>(),
});

/** The open file's size and the descriptor's offset. */
export const file_size = /* @__PURE__ */ defineMethod({
  name: 'file_size',
  group: GROUP,
  params: {
    /** Descriptor from `file_open` on this connection; negative counts back from the latest open. */
    fd: /* @__PURE__ */ fd(),
  },
  auth: true,
  connectionBound: true,
  result: /* @__PURE__ */ returns<FileSizeResult>(),
});

/** Sets the file's length: cuts it, or pads it with zero bytes. The descriptor's offset stays. */
export const file_truncate = /* @__PURE__ */ defineMethod({
  name: 'file_truncate',
  group: GROUP,
  params: {
    /** Descriptor from `file_open` on this connection; negative counts back from the latest open. */
    fd: /* @__PURE__ */ fd(),
    /** New length in bytes. */
    length: /* @__PURE__ */ param.int({ required: true, min: 0 }),
  },
  auth: true,
  connectionBound: true,
  result: /* @__PURE__ */ returns<FileEmptyResult>(),
});

/**
 * Moves the descriptor's offset and answers with the new one. `whence`: 0
 * from the start (default), 1 from the current offset, 2 from the end;
 * `offset` may be negative with 1 and 2.
 */
export const file_seek = /* @__PURE__ */ defineMethod({
  name: 'file_seek',
  group: GROUP,
  params: {
    /** Descriptor from `file_open` on this connection; negative counts back from the latest open. */
    fd: /* @__PURE__ */ fd(),
    /** Distance in bytes from the point `whence` names. */
    offset: /* @__PURE__ */ param.int({ required: true }),
    /** 0 start of file (default), 1 current offset, 2 end of file. */
    whence: /* @__PURE__ */ param.int({ min: 0, max: 2 }),
  },
  auth: true,
  connectionBound: true,
  result: /* @__PURE__ */ returns<FileSeekResult>(),
});

/** Closes a descriptor (its number is never given out again on this connection). */
export const file_close = /* @__PURE__ */ defineMethod({
  name: 'file_close',
  group: GROUP,
  params: {
    /** Descriptor from `file_open` on this connection; negative counts back from the latest open. */
    fd: /* @__PURE__ */ fd(),
  },
  auth: true,
  connectionBound: true,
  result: /* @__PURE__ */ returns<FileEmptyResult>(),
});

/**
 * Takes, tests (`get`) or releases an advisory lock on a byte range. `type`:
 * 0 release, 1 shared, 2 exclusive. Without `noblock` the call waits until
 * the lock is granted (and holds up the connection meanwhile); `locked` says
 * whether it was.
 */
export const file_lock = /* @__PURE__ */ defineMethod({
  name: 'file_lock',
  group: GROUP,
  params: {
    /** Descriptor from `file_open` on this connection; negative counts back from the latest open. */
    fd: /* @__PURE__ */ fd(),
    /** 0 release, 1 shared lock, 2 exclusive lock. */
    type: /* @__PURE__ */ param.int({ required: true, min: 0, max: 2 }),
    /** Start of the range, from the point `whence` names (default 0). */
    offset: /* @__PURE__ */ param.int(),
    /** Length of the range; 0 (default) reaches to the end of the file, however it grows. */
    length: /* @__PURE__ */ param.int({ min: 0 }),
    /** 0 start of file (default), 1 current offset, 2 end of file. */
    whence: /* @__PURE__ */ param.int({ min: 0, max: 2 }),
    /** Only test whether the lock could be taken; nothing is acquired. */
    get: /* @__PURE__ */ param.flag(),
    /** Answer at once instead of waiting for the lock. */
    noblock: /* @__PURE__ */ param.flag(),
  },
  auth: true,
  connectionBound: true,
  result: /* @__PURE__ */ returns<FileLockResult>(),
});
