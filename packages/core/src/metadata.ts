/**
 * The metadata of a file or folder, the structure most pCloud answers carry.
 * Types only: nothing here exists at run time.
 *
 * Types describe what the client hands back: datetimes are `Date` (the client
 * asks for timestamps and converts them), the file `hash` is a `bigint`, ids
 * and sizes are numbers. The `filtermeta` global params can strip fields, so
 * code that sends them should treat the fields it filtered out as missing.
 */

/** Icon names pCloud assigns; other values may appear in the future. */
export type MetadataIcon =
  | 'folder'
  | 'document'
  | 'database'
  | 'archive'
  | 'web'
  | 'gis'
  | 'spreadsheet'
  | 'font'
  | 'presentation'
  | 'image'
  | 'diskimage'
  | 'package'
  | 'executable'
  | 'audio'
  | 'video'
  | 'file';

/** File category: 0 other, 1 image, 2 video, 3 audio, 4 document, 5 archive. */
export type FileCategory = 0 | 1 | 2 | 3 | 4 | 5;

/** Fields every metadata object has, file or folder. */
export interface MetadataBase {
  /** `d<folderid>` for folders, `f<fileid>` for files; `d0` is the root. */
  id: string;
  isfolder: boolean;
  /** Name of the object; `/` for the root. */
  name: string;
  /** Containing folder; absent for the root. */
  parentfolderid?: number;
  created: Date;
  modified: Date;
  /** True when the current user owns the object. */
  ismine: boolean;
  /** True when the object is shared with other users. */
  isshared: boolean;
  icon: MetadataIcon | (string & {});
  /** True when thumbnails can be made for it. */
  thumb: boolean;
  /** Full path; only when the request addressed the object by path. */
  path?: string;
  /** Only ever `true`, on deleted objects (Trash, `showdeleted`). */
  isdeleted?: true;
  /** Where a Trash item lived before it was deleted. */
  origparentfolderid?: number;
  /** Owner's user id, for objects shared with the current user. */
  userid?: number;
  /** Rights on an object owned by someone else (absent when `ismine`). */
  canread?: boolean;
  canmodify?: boolean;
  candelete?: boolean;
  /** Crypto-folder items. */
  encrypted?: boolean;
  /** Collection items: place in the collection and when it was added. */
  position?: number;
  added?: Date;
}

/** Metadata of a file. */
export interface FileMetadata extends MetadataBase {
  isfolder: false;
  fileid: number;
  /** Size in bytes. */
  size: number;
  contenttype: string;
  /** Content hash (unsigned 64-bit); equal hashes mean equal content. */
  hash: bigint;
  category: FileCategory;
  /** After an atomic overwrite: the id of the file that was replaced. */
  deletedfileid?: number;
  /** Pixel size, for some images. */
  width?: number;
  height?: number;
  /** Tags, for some audio files. */
  artist?: string;
  album?: string;
  title?: string;
  genre?: string;
  trackno?: string;
}

/** Metadata of a folder. */
export interface FolderMetadata extends MetadataBase {
  isfolder: true;
  folderid: number;
  /** Right to create inside a folder owned by someone else. */
  cancreate?: boolean;
  /** Children, in folder listings (recursive listings nest them). */
  contents?: Metadata[];
}

/** A file or a folder; narrow on `isfolder`. */
export type Metadata = FileMetadata | FolderMetadata;
