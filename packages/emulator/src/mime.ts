import mimeTypes from 'mime-types';

/** Content type, icon and category of a file, as pCloud's metadata carries them. */
export interface TypeInfo {
  contenttype: string;
  icon: string;
  /** 0 uncategorized, 1 image, 2 video, 3 audio, 4 document, 5 archive */
  category: number;
}

const OCTET_STREAM = 'application/octet-stream';

// pCloud's own classification: which icon and category a content type gets.
// The extension -> content type table itself comes from mime-types.
const DOCUMENT = 4;
const ARCHIVE = 5;
const BY_TYPE: Readonly<Record<string, readonly [icon: string, category: number]>> = {
  'text/html': ['web', DOCUMENT],
  'text/css': ['web', DOCUMENT],
  'text/javascript': ['web', DOCUMENT],
  'application/javascript': ['web', DOCUMENT],
  'text/csv': ['spreadsheet', DOCUMENT],
  'application/json': ['document', DOCUMENT],
  'application/xml': ['document', DOCUMENT],
  'application/pdf': ['document', DOCUMENT],
  'application/rtf': ['document', DOCUMENT],
  'application/msword': ['document', DOCUMENT],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['document', DOCUMENT],
  'application/vnd.oasis.opendocument.text': ['document', DOCUMENT],
  'application/vnd.ms-excel': ['spreadsheet', DOCUMENT],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['spreadsheet', DOCUMENT],
  'application/vnd.oasis.opendocument.spreadsheet': ['spreadsheet', DOCUMENT],
  'application/vnd.ms-powerpoint': ['presentation', DOCUMENT],
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': ['presentation', DOCUMENT],
  'application/vnd.oasis.opendocument.presentation': ['presentation', DOCUMENT],
  'application/zip': ['archive', ARCHIVE],
  'application/gzip': ['archive', ARCHIVE],
  'application/x-tar': ['archive', ARCHIVE],
  'application/x-7z-compressed': ['archive', ARCHIVE],
  'application/vnd.rar': ['archive', ARCHIVE],
  'application/x-rar-compressed': ['archive', ARCHIVE],
  'application/x-bzip2': ['archive', ARCHIVE],
  'application/x-xz': ['archive', ARCHIVE],
  'application/x-iso9660-image': ['diskimage', 0],
  'application/x-apple-diskimage': ['diskimage', 0],
  'application/x-msdownload': ['executable', 0],
  'application/x-msdos-program': ['executable', 0],
  'application/x-msi': ['executable', 0],
  'application/vnd.debian.binary-package': ['package', 0],
  'application/x-debian-package': ['package', 0],
  'application/x-rpm': ['package', 0],
  'application/x-redhat-package-manager': ['package', 0],
  'application/vnd.android.package-archive': ['package', 0],
  'application/vnd.sqlite3': ['database', 0],
  'application/x-sqlite3': ['database', 0],
  'application/vnd.google-earth.kml+xml': ['gis', 0],
  'application/gpx+xml': ['gis', 0],
};

/** By the part before the slash, for types the table does not name. */
const BY_MAJOR: Readonly<Record<string, readonly [icon: string, category: number]>> = {
  image: ['image', 1],
  video: ['video', 2],
  audio: ['audio', 3],
  text: ['document', DOCUMENT],
  font: ['font', 0],
};

/** pCloud's icon and category for a content type; `undefined` when it has none (a plain file). */
function classify(contenttype: string): readonly [string, number] | undefined {
  const bare = contenttype.split(';')[0]!.trim().toLowerCase();
  return BY_TYPE[bare] ?? BY_MAJOR[bare.split('/')[0]!];
}

/** Content type (from the name's extension), icon and category of a file name. */
export function typeOf(name: string): TypeInfo {
  // only a real extension counts: not a leading dot (".profile") nor a bare name ("txt")
  const dot = name.lastIndexOf('.');
  const contenttype = (dot > 0 && dot < name.length - 1 && mimeTypes.lookup(name)) || OCTET_STREAM;
  const [icon, category] = classify(contenttype) ?? ['file', 0];
  return { contenttype, icon, category };
}

/**
 * The info for a stored content type (a file keeps the type it was stored
 * with); a type pCloud does not classify borrows icon and category from the
 * file name.
 */
export function typeInfoFor(contenttype: string, name: string): TypeInfo {
  const known = classify(contenttype);
  if (known) return { contenttype, icon: known[0], category: known[1] };
  const byName = typeOf(name);
  return { contenttype, icon: byName.icon, category: byName.category };
}

/** A syntactically valid `type/subtype` content type (parameters allowed). */
export function isValidContentType(s: string): boolean {
  return (
    /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=("[^"]*"|[A-Za-z0-9!#$&^_.+-]+))*$/.test(
      s,
    ) && !/[\r\n]/.test(s)
  );
}
