import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** File name of the database inside a data directory. */
export const DB_FILE = 'emulator.db';

/**
 * Schema steps, applied in order; `PRAGMA user_version` counts the steps a
 * database has. A later method group (shares, trash, ...) appends a step with
 * its tables; existing data directories are upgraded on their next start.
 */
const MIGRATIONS: string[] = [
  `
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE users (
  userid INTEGER PRIMARY KEY, email TEXT NOT NULL, password TEXT NOT NULL, rootid INTEGER NOT NULL,
  language TEXT NOT NULL, registered INTEGER NOT NULL, quota INTEGER NOT NULL, premium INTEGER NOT NULL,
  emailverified INTEGER NOT NULL, history_floor INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE tokens (
  token TEXT PRIMARY KEY, tokenid INTEGER NOT NULL, userid INTEGER NOT NULL, kind TEXT NOT NULL, created INTEGER NOT NULL,
  expires INTEGER NOT NULL, lastused INTEGER NOT NULL, device TEXT NOT NULL, clientid TEXT
) WITHOUT ROWID;
CREATE TABLE apps (client_id TEXT PRIMARY KEY, client_secret TEXT NOT NULL, name TEXT NOT NULL, redirect_uris TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE folders (
  id INTEGER PRIMARY KEY, owner INTEGER NOT NULL, parent INTEGER, name TEXT NOT NULL,
  created INTEGER NOT NULL, modified INTEGER NOT NULL, deleted INTEGER
);
CREATE INDEX folders_deleted ON folders(deleted) WHERE deleted IS NOT NULL;
CREATE TABLE files (
  id INTEGER PRIMARY KEY, owner INTEGER NOT NULL, parent INTEGER NOT NULL, name TEXT NOT NULL,
  created INTEGER NOT NULL, modified INTEGER NOT NULL, contenttype TEXT NOT NULL, current_rev INTEGER NOT NULL, deleted INTEGER
);
CREATE INDEX files_deleted ON files(deleted) WHERE deleted IS NOT NULL;
CREATE TABLE versions (
  fileid INTEGER NOT NULL, revisionid INTEGER NOT NULL, blob TEXT NOT NULL, size INTEGER NOT NULL, hash TEXT NOT NULL, created INTEGER NOT NULL,
  PRIMARY KEY (fileid, revisionid)
) WITHOUT ROWID;
CREATE INDEX versions_blob ON versions(blob);
CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, sha1 TEXT NOT NULL, md5 TEXT NOT NULL, size INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE publinks (
  linkid INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, userid INTEGER NOT NULL, kind TEXT NOT NULL, target INTEGER NOT NULL,
  created INTEGER NOT NULL, expires INTEGER, maxdownloads INTEGER, downloads INTEGER NOT NULL, traffic INTEGER NOT NULL
);
CREATE TABLE events (
  diffid INTEGER PRIMARY KEY, userid INTEGER NOT NULL, event TEXT NOT NULL, time INTEGER NOT NULL,
  node_kind TEXT, node_id INTEGER, node TEXT
);
CREATE INDEX events_user ON events(userid, diffid);
CREATE INDEX events_node ON events(node_id) WHERE node_id IS NOT NULL;
`,
  // modifyuserinfo events keep the account as it was (JSON); public links get short codes and stay, marked, when deleted
  `
ALTER TABLE events ADD COLUMN userinfo TEXT;
ALTER TABLE publinks ADD COLUMN shortcode TEXT;
ALTER TABLE publinks ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX publinks_shortcode ON publinks(shortcode) WHERE shortcode IS NOT NULL;
`,
  // collections (playlists): names unique per user, items ordered by a 1-based position
  // (IF NOT EXISTS: a database whose user_version was set back keeps its tables)
  `
CREATE TABLE IF NOT EXISTS collections (
  id INTEGER PRIMARY KEY AUTOINCREMENT, userid INTEGER NOT NULL, name TEXT NOT NULL, type INTEGER NOT NULL,
  system INTEGER NOT NULL, created INTEGER NOT NULL, modified INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS collections_name ON collections(userid, name);
CREATE TABLE IF NOT EXISTS collection_items (
  collectionid INTEGER NOT NULL, fileid INTEGER NOT NULL, position INTEGER NOT NULL, added INTEGER NOT NULL,
  PRIMARY KEY (collectionid, fileid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS collection_items_order ON collection_items(collectionid, position);
`,
  // accounts: the codes mails carry (verification, reset, e-mail change, deactivation, newsletter),
  // who invited whom, and the newsletter list (by address, with or without an account)
  `
CREATE TABLE IF NOT EXISTS mail_codes (
  code TEXT PRIMARY KEY, kind TEXT NOT NULL, userid INTEGER, email TEXT NOT NULL, newmail TEXT,
  created INTEGER NOT NULL, expires INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mail_codes_user ON mail_codes(userid);
CREATE TABLE IF NOT EXISTS invites (
  inviter INTEGER NOT NULL, invitee INTEGER NOT NULL, email TEXT NOT NULL, created INTEGER NOT NULL,
  PRIMARY KEY (inviter, invitee)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS newsletter (email TEXT PRIMARY KEY, verified INTEGER NOT NULL, created INTEGER NOT NULL) WITHOUT ROWID;
`,
  // upload links (a deleted one stays, marked, so its code answers 7002), who sent each file through one,
  // and transfers with their files (their blob references keep the blobs)
  `
CREATE TABLE IF NOT EXISTS uploadlinks (
  id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL UNIQUE, userid INTEGER NOT NULL, folderid INTEGER NOT NULL,
  comment TEXT NOT NULL, created INTEGER NOT NULL, modified INTEGER NOT NULL, expires INTEGER, maxspace INTEGER, maxfiles INTEGER,
  files INTEGER NOT NULL DEFAULT 0, space INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS uploadlinks_user ON uploadlinks(userid);
CREATE TABLE IF NOT EXISTS uploadlink_files (
  fileid INTEGER PRIMARY KEY, linkid INTEGER NOT NULL, uploader TEXT, comment TEXT, created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS transfers (
  id INTEGER PRIMARY KEY AUTOINCREMENT, sender TEXT NOT NULL, receivers TEXT NOT NULL, message TEXT NOT NULL, created INTEGER NOT NULL,
  secret TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS transfer_files (
  transferid INTEGER NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, blob TEXT NOT NULL, size INTEGER NOT NULL,
  PRIMARY KEY (transferid, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS transfer_files_blob ON transfer_files(blob);
`,
  // public links: traffic caps, passwords, a modification time, and the chosen set of a tree link (JSON),
  // in a table of their own; publinks.kind is also 'tree' (target 0) or 'collection' (target = collection id)
  `
CREATE TABLE IF NOT EXISTS publink_extra (
  linkid INTEGER PRIMARY KEY, maxtraffic INTEGER, password TEXT, modified INTEGER NOT NULL, tree TEXT
);
`,
  // shares: offers waiting for an answer (by id or mailed code), accepted shares mounted in the recipient's tree
  // (mountparent, name), per-sender rules of a recipient ('always' accept into a folder, 'block'), and the share
  // objects of share events (by diffid; a table of its own, so the step can run again on a database set back)
  `
CREATE TABLE IF NOT EXISTS share_requests (
  id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL UNIQUE, folderid INTEGER NOT NULL, owner INTEGER NOT NULL,
  tomail TEXT NOT NULL, permissions INTEGER NOT NULL, name TEXT NOT NULL, message TEXT, created INTEGER NOT NULL, expires INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS shares (
  id INTEGER PRIMARY KEY AUTOINCREMENT, folderid INTEGER NOT NULL, owner INTEGER NOT NULL, touserid INTEGER NOT NULL,
  permissions INTEGER NOT NULL, sharename TEXT NOT NULL, mountparent INTEGER NOT NULL, name TEXT NOT NULL, message TEXT,
  created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS share_rules (
  userid INTEGER NOT NULL, fromuserid INTEGER NOT NULL, rule TEXT NOT NULL, folderid INTEGER,
  PRIMARY KEY (userid, fromuserid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event_shares (diffid INTEGER PRIMARY KEY, share TEXT NOT NULL);
`,
];

/** Thrown when another emulator (process or instance) holds the data directory. */
export class DataDirBusyError extends Error {
  constructor(readonly dir: string) {
    super(
      `another emulator uses the data directory ${dir} (its database is locked); stop that emulator or choose another --data directory`,
    );
    this.name = 'DataDirBusyError';
  }
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || (typeof code === 'string' && code.startsWith('SQLITE_BUSY'));
}

/**
 * The better-sqlite3 option that loads an addon built for the running Node
 * when `PCLOUDKIT_SQLITE_ADDONS` names a folder of them by ABI
 * (`node-v137/better_sqlite3.node`), as the Node 24 test run does
 * (scripts/node24.sh): the copy in node_modules is built for one Node only.
 * Without the variable, or without an addon for this ABI, the default loads.
 */
export function addonOption(): { nativeBinding?: string } {
  const dir = process.env.PCLOUDKIT_SQLITE_ADDONS;
  if (!dir) return {};
  const addon = join(dir, `node-v${process.versions.modules}`, 'better_sqlite3.node');
  return existsSync(addon) ? { nativeBinding: addon } : {};
}

/**
 * Opens (and creates when new) the metadata database. With a directory the
 * file is opened in WAL mode with `synchronous=FULL`, so a committed
 * transaction is on disk before the call that made it answers, and with
 * `locking_mode=EXCLUSIVE`, so the connection keeps its lock until it closes:
 * a second emulator on the same directory gets SQLITE_BUSY at once and is
 * refused. The lock belongs to the process and vanishes with it, even after
 * `kill -9`, so there is never a stale lock to clean up. Without a directory
 * the same tables live in `:memory:`.
 */
export function openDatabase(dir: string | undefined): Db {
  if (dir !== undefined && existsSync(join(dir, 'state.json')) && !existsSync(join(dir, DB_FILE))) {
    throw new Error(
      `the data directory ${dir} holds a JSON snapshot (state.json) written by an older emulator version; ` +
        'this version keeps its data in an SQLite database and does not import snapshots: start with an empty --data directory',
    );
  }
  const db = new Database(dir === undefined ? ':memory:' : join(dir, DB_FILE), { timeout: 0, ...addonOption() });
  try {
    if (dir !== undefined) {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      // a big transaction may grow the WAL; give the space back after each checkpoint
      db.pragma('journal_size_limit = 67108864');
    }
    // the first write takes the exclusive lock, held until close
    db.exec('BEGIN IMMEDIATE');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(
        `the database ${dir ? join(dir, DB_FILE) : ''} was written by a newer emulator (schema ${version}; this one knows ${MIGRATIONS.length})`,
      );
    }
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
    db.exec('COMMIT');
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    db.close();
    if (dir !== undefined && isBusy(e)) throw new DataDirBusyError(dir);
    throw e;
  }
  return db;
}
