/**
 * Facts about pCloud answers that the checker needs beyond the method
 * entries of `@pcloudkit/catalog`: the Metadata structure, the error codes
 * any method can answer, and the output fields the catalogue notes describe
 * as conditional. Copied from the project's API catalogue (structures and
 * method notes); nothing here is read from outside the repository.
 */

/** Types a metadata field can have (the catalogue's output type names). */
export type FieldType = 'int' | 'string' | 'bool' | 'datetime' | 'metadata[]';

export interface MetadataField {
  type: FieldType;
  /** When the field must be there: on every object, on folders, on files, on everything but the root, or never required. */
  present: 'always' | 'folders' | 'files' | 'non-root' | 'not-mine' | 'optional';
}

/** The Metadata structure: field -> type and presence. */
export const METADATA_FIELDS: Readonly<Record<string, MetadataField>> = {
  id: { type: 'string', present: 'always' },
  isfolder: { type: 'bool', present: 'always' },
  name: { type: 'string', present: 'always' },
  created: { type: 'datetime', present: 'always' },
  modified: { type: 'datetime', present: 'always' },
  ismine: { type: 'bool', present: 'always' },
  isshared: { type: 'bool', present: 'always' },
  icon: { type: 'string', present: 'always' },
  thumb: { type: 'bool', present: 'always' },
  parentfolderid: { type: 'int', present: 'non-root' },
  folderid: { type: 'int', present: 'folders' },
  fileid: { type: 'int', present: 'files' },
  category: { type: 'int', present: 'files' },
  size: { type: 'int', present: 'files' },
  contenttype: { type: 'string', present: 'files' },
  hash: { type: 'int', present: 'files' },
  canread: { type: 'bool', present: 'not-mine' },
  canmodify: { type: 'bool', present: 'not-mine' },
  candelete: { type: 'bool', present: 'not-mine' },
  userid: { type: 'int', present: 'not-mine' },
  cancreate: { type: 'bool', present: 'optional' },
  contents: { type: 'metadata[]', present: 'optional' },
  path: { type: 'string', present: 'optional' },
  isdeleted: { type: 'bool', present: 'optional' },
  deletedfileid: { type: 'int', present: 'optional' },
  origparentfolderid: { type: 'int', present: 'optional' },
  width: { type: 'int', present: 'optional' },
  height: { type: 'int', present: 'optional' },
};

/** The `icon` values the Metadata structure names. */
export const METADATA_ICONS: ReadonlySet<string> = new Set([
  'document',
  'database',
  'archive',
  'web',
  'gis',
  'spreadsheet',
  'font',
  'presentation',
  'image',
  'diskimage',
  'package',
  'executable',
  'audio',
  'video',
  'file',
  'folder',
]);

/** `category` runs from 0 (uncategorized) to 5 (archive). */
export const METADATA_CATEGORIES = { min: 0, max: 5 } as const;

/** A datetime in the default format: RFC 2822 in UTC, always 31 bytes. */
export const RFC2822_UTC =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000$/;

export interface GeneralCode {
  code: number;
  /** Which methods can give it: every one, those needing a login, or those taking one of these params. */
  applies: 'all' | 'auth' | 'datetime-param' | 'int-param' | { params: readonly string[] };
  reason: string;
}

/**
 * Error codes any method can answer although its own list may leave them out.
 * A wrong call answering one of these is within the method's documented
 * behaviour.
 */
export const GENERAL_CODES: readonly GeneralCode[] = [
  {
    code: 1000,
    applies: 'auth',
    reason: 'every method that needs a login answers 1000 without credentials (protocol section on authentication)',
  },
  {
    code: 2000,
    applies: 'all',
    reason: 'wrong credentials give 2000 on any method that reads them (protocol section on authentication)',
  },
  { code: 4000, applies: 'all', reason: 'too many failed logins from one address give 4000 on any call that tries to log in' },
  { code: 5000, applies: 'all', reason: 'an internal server failure (5xxx class) can end any call' },
  {
    code: 1017,
    applies: { params: ['folderid', 'tofolderid'] },
    reason: "a malformed folder id is refused by pCloud's parameter parser with 1017 before the method runs",
  },
  {
    code: 1018,
    applies: { params: ['fileid', 'tofileid'] },
    reason: "a malformed file id is refused by pCloud's parameter parser with 1018 before the method runs",
  },
  {
    code: 1013,
    applies: 'datetime-param',
    reason: 'a datetime parameter that cannot be parsed gives 1013 (Datetime structure), on every method that takes one',
  },
  {
    code: 1013,
    applies: 'int-param',
    reason:
      "pCloud documents no code for a number param whose value is not a number; where the param has no code of its own (1017, 1018, ...) the emulator answers 1013, the catalogue's only 'value not understood' error",
  },
  {
    code: 1005,
    applies: { params: ['resolution'] },
    reason:
      'getvideolink documents 1005 for a resolution outside 64x64..1280x960; gethlslink takes the same param and its shorter list leaves the code out',
  },
];

/**
 * Codes a method's own catalogue notes say its documented list leaves out:
 * method -> code -> the note's point.
 */
export const NOTED_CODES: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  stat: {
    1004: "stat's note: the page's error table looks copied from uploadfile and omits the expected not-found codes (1004, 2009, 2010)",
    2009: "stat's note: the page's error table looks copied from uploadfile and omits the expected not-found codes (1004, 2009, 2010)",
    2010: "stat's note: the page's error table looks copied from uploadfile and omits the expected not-found codes (1004, 2009, 2010)",
  },
  getzip: {
    2005: "getzip's note: the tree params come from the shared Tree structure, which the page only references; an unknown folder in it answers 2005, as everywhere else",
  },
  getziplink: {
    2005: "getziplink's note: the tree params come from the shared Tree structure, which the page only references; an unknown folder in it answers 2005, as everywhere else",
  },
  savezip: {
    2005: "savezip's note: the tree params come from the shared Tree structure, which the page only references; an unknown folder in it answers 2005, as everywhere else",
  },
  extractarchive: {
    1004: "extractarchive's note: the error table was not captured; the usual file-lookup codes (1004, 2002, 2009, 2010) are likely",
    2002: "extractarchive's note: the error table was not captured; the usual file-lookup codes (1004, 2002, 2009, 2010) are likely",
    2009: "extractarchive's note: the error table was not captured; the usual file-lookup codes (1004, 2002, 2009, 2010) are likely",
    2010: "extractarchive's note: the error table was not captured; the usual file-lookup codes (1004, 2002, 2009, 2010) are likely",
    1016: "extractarchive's note: the error table was not captured; a missing destination answers 1016, the code savezip documents for its destination pair",
  },
  extractarchiveprogress: {
    2003: "extractarchiveprogress's note: its error list is unknown; the emulator answers 2003 for a missing or unknown progresshash",
  },
  file_pread_ifmod: {
    1019: "file_pread_ifmod's note: one of sha1 and md5 is enough, as the text and error 1019 (\"Please provide 'sha1' or 'md5' checksum\") show; the error table leaves 1019 out",
  },
  trash_list: { 2005: "trash_list's note: the error table was not captured; expect at least 2005 for an unknown folderid" },
  trash_restore: {
    2005: "trash_restore's note: the stored error table is cut off after 2000; likely further codes include 2005",
    2008: "trash_restore's notes: restoring stops with a quota error once an item would exceed the quota; likely codes include 2008",
    2009: "trash_restore's note: the stored error table is cut off after 2000; likely further codes include 2009",
  },
  revertrevision: {
    2029: "revertrevision's note: 2029 (revision not found) is the likely answer to a bad or missing revisionid, though no list names it",
  },
  deactivateuser: Object.fromEntries(
    [1022, 1034, 2012, 2074, 2272].map((code) => [
      code,
      "deactivateuser's note: code/password failures such as 1022, 1034, 2012, 2074, 2272 are likely as well but unverified",
    ]),
  ),
};

/**
 * Output fields the catalogue lists that an answer may leave out, with the
 * catalogue's own reason (method notes and field summaries).
 */
export const CONDITIONAL_OUTPUT: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  userinfo: { premiumexpires: 'only present for premium accounts' },
  checksumfile: {
    md5: 'region-dependent: US accounts get md5, EU accounts sha256',
    sha256: 'region-dependent: US accounts get md5, EU accounts sha256',
  },
  getfilepublink: { shortcode: 'only with shortlink set', shortlink: 'only with shortlink set' },
  getfolderpublink: { shortcode: 'only with shortlink set', shortlink: 'only with shortlink set' },
  gettreepublink: { shortcode: 'only with shortlink set', shortlink: 'only with shortlink set' },
  getcollectionpublink: { shortcode: 'only with shortlink set', shortlink: 'only with shortlink set' },
  changepublink: { shortcode: 'only with shortlink set', shortlink: 'only with shortlink set' },
  getip: { country: "a string or the literal false (method note); the emulator's address has no country" },
  uploadprogress: {
    currentfile: 'only while a file is being received',
    currentfileuploaded: 'only while a file is being received',
  },
  currentserver: { ipv6: 'only when the server has an IPv6 address' },
  trash_restore: { restored: 'only when the whole Trash (folderid=0) is restored without restoreto (output summary)' },
};

/** Output fields that may be the literal `false` instead of their type (method notes). */
export const OUTPUT_ALSO_FALSE: Readonly<Record<string, readonly string[]>> = {
  getip: ['country'],
};

/**
 * Answer fields whose values differ between two calls by design, so the
 * HTTP/binary comparison checks their presence and type but not their value:
 * object ids (each protocol's call works on its own fresh objects), times,
 * and secrets or link paths the server draws at random for every call.
 */
export const VARYING_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'auth',
  'access_token',
  'digest',
  'code',
  'link',
  'shortcode',
  'shortlink',
  'path',
  'usedquota',
  'progresshash',
  // account methods work on an account (or newsletter address) registered afresh for each call
  'email',
  // an upload link's drop address is made from its code
  'mail',
]);

/**
 * Answer parts that record the fixtures' own times, so they differ whenever
 * the HTTP and the binary call's fresh fixtures were made in different
 * seconds: method -> field (or `data` for the answer's bytes) -> why.
 */
export const TIME_DEPENDENT: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  getzip: { data: "a ZIP records each entry's modification time, and each protocol zips its own fresh fixtures" },
  savezip: { hash: "the saved ZIP records each entry's modification time, and each protocol zips its own fresh fixtures" },
  getpubzip: { data: "a ZIP records each entry's modification time, and each protocol zips its own fresh fixtures" },
  savepubzip: { hash: "the saved ZIP records each entry's modification time, and each protocol zips its own fresh fixtures" },
};

/**
 * Lists whose length depends on the account's state at the moment of the
 * call (history events, links, tokens, collections, shares and share
 * requests, upload links): the other protocol's call, and the fixtures made
 * in between, add to them. Their items are checked against the catalogue
 * types, but not paired up between the protocols.
 */
export const STATE_LISTS: ReadonlySet<string> = new Set([
  'entries',
  'publinks',
  'tokens',
  'collections',
  'incoming',
  'outgoing',
  'uploadlinks',
]);

/** Whether a key names an id (`fileid`, `parentfolderid`, `fileids`, ...), which differs between fresh objects. */
export function isIdKey(key: string): boolean {
  return /ids?$/.test(key);
}
