/** Content type, icon and category guessed from a file name's extension. */
export interface TypeInfo {
  contenttype: string;
  icon: string;
  /** 0 uncategorized, 1 image, 2 video, 3 audio, 4 document, 5 archive */
  category: number;
}

const T = (contenttype: string, icon: string, category: number): TypeInfo => ({ contenttype, icon, category });

const BY_EXT: Record<string, TypeInfo> = {
  txt: T('text/plain', 'document', 4),
  md: T('text/markdown', 'document', 4),
  csv: T('text/csv', 'spreadsheet', 4),
  json: T('application/json', 'document', 4),
  xml: T('application/xml', 'document', 4),
  html: T('text/html', 'web', 4),
  htm: T('text/html', 'web', 4),
  css: T('text/css', 'web', 4),
  js: T('text/javascript', 'web', 4),
  pdf: T('application/pdf', 'document', 4),
  doc: T('application/msword', 'document', 4),
  docx: T('application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'document', 4),
  odt: T('application/vnd.oasis.opendocument.text', 'document', 4),
  rtf: T('application/rtf', 'document', 4),
  xls: T('application/vnd.ms-excel', 'spreadsheet', 4),
  xlsx: T('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'spreadsheet', 4),
  ods: T('application/vnd.oasis.opendocument.spreadsheet', 'spreadsheet', 4),
  ppt: T('application/vnd.ms-powerpoint', 'presentation', 4),
  pptx: T('application/vnd.openxmlformats-officedocument.presentationml.presentation', 'presentation', 4),
  png: T('image/png', 'image', 1),
  jpg: T('image/jpeg', 'image', 1),
  jpeg: T('image/jpeg', 'image', 1),
  gif: T('image/gif', 'image', 1),
  webp: T('image/webp', 'image', 1),
  bmp: T('image/bmp', 'image', 1),
  svg: T('image/svg+xml', 'image', 1),
  tif: T('image/tiff', 'image', 1),
  tiff: T('image/tiff', 'image', 1),
  heic: T('image/heic', 'image', 1),
  mp4: T('video/mp4', 'video', 2),
  m4v: T('video/x-m4v', 'video', 2),
  mov: T('video/quicktime', 'video', 2),
  mkv: T('video/x-matroska', 'video', 2),
  webm: T('video/webm', 'video', 2),
  avi: T('video/x-msvideo', 'video', 2),
  flv: T('video/x-flv', 'video', 2),
  ts: T('video/mp2t', 'video', 2),
  mp3: T('audio/mpeg', 'audio', 3),
  wav: T('audio/wav', 'audio', 3),
  flac: T('audio/flac', 'audio', 3),
  ogg: T('audio/ogg', 'audio', 3),
  oga: T('audio/ogg', 'audio', 3),
  m4a: T('audio/mp4', 'audio', 3),
  aac: T('audio/aac', 'audio', 3),
  opus: T('audio/opus', 'audio', 3),
  zip: T('application/zip', 'archive', 5),
  gz: T('application/gzip', 'archive', 5),
  tgz: T('application/gzip', 'archive', 5),
  tar: T('application/x-tar', 'archive', 5),
  '7z': T('application/x-7z-compressed', 'archive', 5),
  rar: T('application/vnd.rar', 'archive', 5),
  bz2: T('application/x-bzip2', 'archive', 5),
  xz: T('application/x-xz', 'archive', 5),
  iso: T('application/x-iso9660-image', 'diskimage', 0),
  dmg: T('application/x-apple-diskimage', 'diskimage', 0),
  exe: T('application/x-msdownload', 'executable', 0),
  msi: T('application/x-msi', 'executable', 0),
  deb: T('application/vnd.debian.binary-package', 'package', 0),
  rpm: T('application/x-rpm', 'package', 0),
  apk: T('application/vnd.android.package-archive', 'package', 0),
  sqlite: T('application/vnd.sqlite3', 'database', 0),
  db: T('application/octet-stream', 'database', 0),
  ttf: T('font/ttf', 'font', 0),
  otf: T('font/otf', 'font', 0),
  woff: T('font/woff', 'font', 0),
  woff2: T('font/woff2', 'font', 0),
  kml: T('application/vnd.google-earth.kml+xml', 'gis', 0),
  gpx: T('application/gpx+xml', 'gis', 0),
};

const DEFAULT: TypeInfo = T('application/octet-stream', 'file', 0);

export function typeOf(name: string): TypeInfo {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return DEFAULT;
  return BY_EXT[name.slice(dot + 1).toLowerCase()] ?? DEFAULT;
}

/** The info for a stored content type (used when a file keeps its recorded type). */
export function typeInfoFor(contenttype: string, name: string): TypeInfo {
  const byName = typeOf(name);
  if (byName.contenttype === contenttype) return byName;
  const major = contenttype.split('/')[0];
  if (major === 'image') return T(contenttype, 'image', 1);
  if (major === 'video') return T(contenttype, 'video', 2);
  if (major === 'audio') return T(contenttype, 'audio', 3);
  if (major === 'text') return T(contenttype, 'document', 4);
  return T(contenttype, byName.icon, byName.category);
}

/** A syntactically valid `type/subtype` content type (parameters allowed). */
export function isValidContentType(s: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=("[^"]*"|[A-Za-z0-9!#$&^_.+-]+))*$/.test(s) && !/[\r\n]/.test(s);
}
