/**
 * The metadata object pCloud returns for a file or a folder, as the client
 * hands it back: datetimes are `Date` objects (the client asks for Unix
 * timestamps and converts them) and the content `hash` is a `bigint`.
 *
 * The union is discriminated on `isfolder`:
 *
 * ```ts
 * if (item.isfolder) item.folderid; else item.fileid;
 * ```
 *
 * Fields marked required are the ones the server always sends. The
 * `filtermeta` family of global params can drop any of them; if you use those
 * params, treat the result as partial.
 */

/** Fields shared by files and folders. */
export interface MetadataBase {
  /** `d<folderid>` for a folder, `f<fileid>` for a file (`d0` is the root). */
  id: string;
  /** `true` for folders; discriminates {@link FolderMetadata} from {@link FileMetadata}. */
  isfolder: boolean;
  /** Name of the object (`/` for the root folder). */
  name: string;
  /** Folder holding the object; absent for the root. Inside the Trash: its position there. */
  parentfolderid?: number;
  created: Date;
  modified: Date;
  /** `true` when the current user owns the object. */
  ismine: boolean;
  /** `true` when the object is shared with other users. */
  isshared: boolean;
  /** Icon name such as `folder`, `image`, `document`, `file`. */
  icon: string;
  /** Whether thumbnails can be generated. */
  thumb: boolean;
  /** Full path; sent when the request addressed objects by path, never in recursive listings. */
  path?: string;
  /** Present (always `true`) only on deleted objects, e.g. with `showdeleted`. */
  isdeleted?: true;
  /** Trash listings: where the object lived before it was deleted. */
  origparentfolderid?: number;
  /** Rights on an object shared with the user (present when `ismine` is false). */
  canread?: boolean;
  canmodify?: boolean;
  candelete?: boolean;
  /** Owner's user id (present when `ismine` is false). */
  userid?: number;
  /** Items of a crypto folder. */
  encrypted?: boolean;
}

/** Metadata of a folder. */
export interface FolderMetadata extends MetadataBase {
  isfolder: true;
  folderid: number;
  /** Right to create inside a folder shared with the user (present when `ismine` is false). */
  cancreate?: boolean;
  /**
   * Children, in listings. With `recursive`, each subfolder carries its own
   * `contents` too.
   */
  contents?: Metadata[];
}

/** Content category of a file: 0 uncategorized, 1 image, 2 video, 3 audio, 4 document, 5 archive. */
export type FileCategory = 0 | 1 | 2 | 3 | 4 | 5;

/** Metadata of a file. */
export interface FileMetadata extends MetadataBase {
  isfolder: false;
  fileid: number;
  /** Size in bytes. */
  size: number;
  /** MIME type. */
  contenttype: string;
  category: FileCategory;
  /**
   * 64-bit content hash: equal hashes mean equal content. Always a `bigint`
   * because the value routinely exceeds 2^53.
   */
  hash: bigint;
  /** Set when this file atomically replaced another one (rename or upload over a name). */
  deletedfileid?: number;
  /** Pixel size of some images. */
  width?: number;
  height?: number;
  /** Tags of some audio files. */
  artist?: string;
  album?: string;
  title?: string;
  genre?: string;
  trackno?: string;
}

/** Metadata of a file or a folder; narrow it with `isfolder`. */
export type Metadata = FolderMetadata | FileMetadata;
