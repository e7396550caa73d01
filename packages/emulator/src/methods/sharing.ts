import { type CallContext, currentCall, type MethodGroup } from '../context.js';
import { ApiError } from '../errors.js';
import type { Body, Value } from '../json.js';
import {
  PERM_ALL,
  PERM_CREATE,
  PERM_DELETE,
  PERM_MODIFY,
  type FolderRec,
  type SharePayload,
  type ShareRec,
  type ShareRequestRec,
  type Store,
  type UserRec,
  type WriteOp,
} from '../store.js';
import { nowSeconds } from '../time.js';
import { renderFolder } from '../render.js';
import { checkName, destination } from './shared.js';

/** How long an offer waits for its answer before it is gone (2021). */
const REQUEST_LIFETIME = 30 * 24 * 3600;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The four rights of a permission mask, as pCloud's share objects carry them. */
function rights(perms: number): Record<string, boolean> {
  return {
    canread: true,
    cancreate: (perms & PERM_CREATE) !== 0,
    canmodify: (perms & PERM_MODIFY) !== 0,
    candelete: (perms & PERM_DELETE) !== 0,
  };
}

/** Fields of a share object shown to one side (`in`: the recipient, `out`: the owner). */
function sides(store: Store, side: 'in' | 'out', owner: number, to: { mail: string; userid?: number }): Record<string, string | number> {
  if (side === 'in') return { fromuserid: owner, frommail: store.users.get(owner)?.email ?? '' };
  return { tomail: to.mail, ...(to.userid !== undefined ? { touserid: to.userid } : {}) };
}

/** An offer as listshares and the request events carry it (times in seconds). */
function requestPayload(store: Store, req: ShareRequestRec, side: 'in' | 'out'): SharePayload {
  return {
    ...sides(store, side, req.owner, { mail: req.tomail }),
    folderid: req.folderid,
    sharerequestid: req.id,
    sharename: req.name,
    created: req.created,
    expires: req.expires,
    ...(req.message !== undefined ? { message: req.message } : {}),
    ...rights(req.permissions),
  };
}

/** An accepted share as listshares carries it (times in seconds). */
function sharePayload(store: Store, sh: ShareRec, side: 'in' | 'out'): SharePayload {
  return {
    ...sides(store, side, sh.owner, { mail: store.users.get(sh.touserid)?.email ?? '', userid: sh.touserid }),
    folderid: sh.folderid,
    shareid: sh.id,
    sharename: sh.sharename,
    created: sh.created,
    ...(sh.message !== undefined ? { message: sh.message } : {}),
    ...rights(sh.permissions),
  };
}

/** A stored share object with its datetimes in the call's format. */
export function renderShare(c: CallContext, share: SharePayload): Body {
  const out: Body = { ...share };
  for (const k of ['created', 'expires'] as const) {
    const v = share[k];
    if (typeof v === 'number') out[k] = c.time(v);
  }
  return out;
}

/** A share event to the owner (`<name>out`) and one to the recipient (`<name>in`) when they have an account. */
function emitBoth(
  store: Store,
  name: string,
  owner: number,
  recipient: number | undefined,
  payload: (side: 'in' | 'out') => SharePayload,
): void {
  store.batch(() => {
    store.emit(owner, `${name}out`, undefined, payload('out'));
    if (recipient !== undefined) store.emit(recipient, `${name}in`, undefined, payload('in'));
  });
}

/** A permission mask from `name` (1024 when missing or not a sum of 1, 2 and 4). */
function permissions(c: CallContext): number {
  const perms = c.params.needInt('permissions', 1024);
  if (!Number.isInteger(perms) || perms < 0 || perms > PERM_ALL) throw new ApiError(1024);
  return perms;
}

const live = (req: ShareRequestRec) => nowSeconds() <= req.expires;

/** The offer named by `sharerequestid` or `code` (`missing` when neither; 2021 unknown, answered or expired). */
function requestFromParams(c: CallContext, missing: number): ShareRequestRec {
  const id = c.params.int('sharerequestid');
  const code = c.params.str('code');
  if (id === undefined && code === undefined) throw new ApiError(missing);
  const req = id !== undefined ? c.store.shareRequest(id) : c.store.shareRequestByCode(code!);
  if (!req || !live(req)) throw new ApiError(2021);
  return req;
}

/** An incoming offer of the current user (2022 when it went to another address). */
function incomingRequest(c: CallContext, user: UserRec, missing: number): ShareRequestRec {
  const req = requestFromParams(c, missing);
  if (!sameAddress(req.tomail, user.email)) throw new ApiError(2022);
  return req;
}

/** Does `userid` already reach `folderId`, a folder above it or one below it through a share? */
function alreadyShared(store: Store, userid: number, folderId: number): boolean {
  if (store.access(userid, folderId)) return true;
  return store.shares().some((sh) => sh.touserid === userid && store.isWithin(sh.folderid, folderId));
}

/** `name`, or `name (2)`, `name (3)`, ... the first one no folder (or share mounted by `userid`) in `parent` has. */
function freeFolderName(store: Store, userid: number, parent: FolderRec, name: string): string {
  const taken = (n: string) => store.findChildFolder(parent.id, n) !== undefined || store.mountsIn(userid, parent.id, n).length > 0;
  if (!taken(name)) return name;
  for (let i = 2; ; i++) {
    const candidate = `${name} (${i})`;
    if (!taken(candidate)) return candidate;
  }
}

/** Mounts an offer in `user`'s folder `parent` (a free name near `name`) and tells both sides. */
function accept(store: Store, req: ShareRequestRec, user: UserRec, parent: FolderRec, name: string): ShareRec {
  return store.batch(() => {
    const sh = store.acceptShareRequest(req, user.userid, parent.id, freeFolderName(store, user.userid, parent, name));
    // as pCloud: the recipient's diff gets the folder and what is in it before acceptedsharein
    const root = store.folders.get(req.folderid);
    if (root) {
      // the event keeps the folder where the recipient has it, so it reads right after the share is gone too
      store.emitTree(user.userid, { ...root, name: sh.name, parent: sh.mountparent });
    }
    emitBoth(store, 'acceptedshare', req.owner, user.userid, (side) => ({
      ...sharePayload(store, sh, side),
      sharerequestid: req.id,
      expires: req.expires,
    }));
    return sh;
  });
}

/**
 * The store's write guard: refuses, with pCloud's codes, the changes a
 * share's permission bits do not allow (2003), changes to the folder of a
 * share by its recipient, moves between two owners' trees, and deleting a
 * folder that has shares or offers (2028). Writes into folders the caller
 * cannot reach at all were resolved by the method itself (public or upload
 * link codes) and are no share matter.
 */
export function shareGuard(store: Store): (op: WriteOp) => void {
  const kept = (op: WriteOp) => {
    if (op.op !== 'delete' || op.node.kind !== 'folder') return;
    const id = op.node.id;
    if (store.shares(id).length > 0 || store.shareRequests({ folderId: id }).some(live)) throw new ApiError(2028);
    // a folder of the recipient's with a share in it: the share would be left nowhere
    if (store.shares().some((sh) => sh.mountparent === id)) throw new ApiError(2028);
  };
  return (op) => {
    permitted(op);
    kept(op);
  };

  function permitted(op: WriteOp): void {
    const c = currentCall.getStore();
    const user = c?.user;
    // descriptors check their rights when they are opened; their content is committed later, at any call
    if (!c || !user || c.method.startsWith('file_')) return;
    const need = (folderId: number, bit: number) => {
      const a = store.access(user.userid, folderId);
      if (a?.share && (a.perms & bit) === 0) throw new ApiError(2003);
    };
    const parentOf = (n: { node: { parent: number | null } }) => n.node.parent;
    switch (op.op) {
      case 'create':
        need(op.parent, PERM_CREATE);
        return;
      case 'modify':
        need(parentOf(op)!, PERM_MODIFY);
        return;
      case 'delete':
        if (op.node.kind === 'folder' && store.mountOf(user.userid, op.node.id)) throw new ApiError(2003);
        need(parentOf(op)!, PERM_DELETE);
        return;
      case 'move': {
        if (op.node.kind === 'folder' && store.mountOf(user.userid, op.node.id)) throw new ApiError(2003);
        const from = parentOf(op)!;
        need(from, PERM_MODIFY);
        if (op.to !== from) need(op.to, PERM_CREATE);
        const a = store.access(user.userid, from);
        const b = store.access(user.userid, op.to);
        if (a && b && a.owner !== b.owner) throw new ApiError(2003);
        return;
      }
    }
  }
}

/**
 * renamefolder on a share the caller accepted: moves and renames it in the
 * caller's tree only (the owner's folder stays as it is). Undefined for any
 * other folder. 2023 when the new place is inside a share, 2004 when the
 * name is taken there.
 */
export function renameMount(c: CallContext, folder: FolderRec, byPath: string | undefined): Body | undefined {
  const user = c.user;
  const mount = user && folder.owner !== user.userid ? c.store.mountOf(user.userid, folder.id) : undefined;
  if (!user || !mount) return undefined;
  const dest = destination(c, { parentId: mount.mountparent, name: mount.name }, { missingParent: 2005, missingFolder: 2005 });
  if (!dest) throw new ApiError(1037);
  const name = checkName(dest.name);
  if (c.store.access(user.userid, dest.folder.id)?.share) throw new ApiError(2023);
  const clash = c.childFolder(dest.folder.id, name);
  if (clash && clash.id !== folder.id) throw new ApiError(2004);
  c.store.moveMount(mount.id, dest.folder.id, name);
  const path = byPath !== undefined || c.params.has('topath') ? c.pathOf(folder) : undefined;
  return { metadata: renderFolder(c, folder, { path }) };
}

/** Ends a share as removeshare does, with its `removedshare` events to both sides. */
function endShare(store: Store, sh: ShareRec): void {
  store.batch(() => {
    store.removeShare(sh.id);
    emitBoth(store, 'removedshare', sh.owner, sh.touserid, (side) => {
      const { folderid, shareid, ...rest } = sharePayload(store, sh, side);
      return { folderid: folderid!, shareid: shareid!, ...pick(rest, ['fromuserid', 'frommail', 'touserid', 'tomail']) };
    });
  });
}

/**
 * deletefolder or deletefolderrecursive on a share the caller accepted: the
 * recipient leaves the share (it ends as by removeshare, the folder leaves
 * the caller's tree) and the owner's folder and content stay untouched.
 * Returns the share left, or undefined for any other folder.
 */
export function leaveMount(c: CallContext, folder: FolderRec): ShareRec | undefined {
  const user = c.user;
  const mount = user && folder.owner !== user.userid ? c.store.mountOf(user.userid, folder.id) : undefined;
  if (mount) endShare(c.store, mount);
  return mount;
}

/**
 * Refuses (2003) when the current user reaches `folderId` through a share
 * without `bit`; for checks made before anything is written (file_open).
 */
export function requireShareRight(c: CallContext, folderId: number, bit: number): void {
  const a = c.user ? c.store.access(c.user.userid, folderId) : undefined;
  if (a?.share && (a.perms & bit) === 0) throw new ApiError(2003);
}

export const sharingMethods: MethodGroup = {
  sharefolder(c) {
    const user = c.requireUser();
    const store = c.store;
    const p = c.params;
    const { folder } = c.targetFolder(1002);
    const mail = p.needStr('mail', 1023).trim();
    const perms = permissions(c);
    if (folder.parent === null) throw new ApiError(2015);
    if (folder.owner !== user.userid) throw new ApiError(2016);
    if (!user.emailverified) throw new ApiError(2014);
    if (!EMAIL.test(mail)) throw new ApiError(2018);
    if (sameAddress(mail, user.email)) throw new ApiError(2020);
    const name = checkName(p.str('name') ?? folder.name);
    const message = p.str('message');
    const recipient = store.userByEmail(mail);
    const rule = recipient ? store.shareRule(recipient.userid, user.userid) : undefined;
    if (rule?.rule === 'block') throw new ApiError(2017);
    if (recipient && alreadyShared(store, recipient.userid, folder.id)) throw new ApiError(2024);
    if (store.shareRequests({ from: user.userid }).some((r) => r.folderid === folder.id && sameAddress(r.tomail, mail) && live(r)))
      throw new ApiError(2019);
    // counted per sender: one user's offers cannot use up the mails another user may send to the same address
    if (!c.core.mail.allow(mail, `share-from-${user.userid}`)) throw new ApiError(4000);
    const created = nowSeconds();
    const req = store.batch(() => {
      const r = store.createShareRequest({
        folderid: folder.id,
        owner: user.userid,
        tomail: mail,
        permissions: perms,
        name,
        created,
        expires: created + REQUEST_LIFETIME,
        ...(message !== undefined ? { message } : {}),
      });
      emitBoth(store, 'requestshare', user.userid, recipient?.userid, (side) => requestPayload(store, r, side));
      return r;
    });
    const link = `${c.core.server.apiUrl}/acceptshare?code=${encodeURIComponent(req.code)}`;
    c.core.mail.send({
      to: mail,
      kind: 'share',
      subject: `${user.email} shared the folder "${name}" with you`,
      text:
        `${user.email} offers you the folder "${name}" (${describe(perms)}).` +
        (message !== undefined ? `\n\nMessage: ${message}` : '') +
        `\n\nYour code: ${req.code}\nAccept: ${link}\nDecline: ${c.core.server.apiUrl}/declineshare?code=${encodeURIComponent(req.code)}\n`,
      code: req.code,
      link,
    });
    // the recipient chose to take every offer from this sender
    if (recipient && rule?.rule === 'always') {
      const target = rule.folderid !== undefined ? store.folders.get(rule.folderid) : undefined;
      const parent = target && !target.deleted && target.owner === recipient.userid ? target : store.folders.get(recipient.rootId)!;
      accept(store, req, recipient, parent, name);
    }
    return {};
  },

  listshares(c) {
    const user = c.requireUser();
    const store = c.store;
    const p = c.params;
    // the catalogue types the switches as numbers: a value that is not one is refused (1013), not read as "on"
    const on = (name: string) => (p.int(name) ?? 0) !== 0;
    const incoming = !on('noincoming');
    const outgoing = !on('nooutgoing');
    const lists = (inc: () => SharePayload[], out: () => SharePayload[]): Body => ({
      ...(incoming ? { incoming: inc().map((s) => renderShare(c, s)) } : {}),
      ...(outgoing ? { outgoing: out().map((s) => renderShare(c, s)) } : {}),
    });
    const body: Body = {};
    if (!on('noshares')) {
      const all = store.shares();
      body.shares = lists(
        () => all.filter((sh) => sh.touserid === user.userid).map((sh) => sharePayload(store, sh, 'in')),
        () => all.filter((sh) => sh.owner === user.userid).map((sh) => sharePayload(store, sh, 'out')),
      );
    }
    if (!on('norequests')) {
      body.requests = lists(
        () =>
          store
            .shareRequests({ to: user.email })
            .filter(live)
            .map((r) => requestPayload(store, r, 'in')),
        () =>
          store
            .shareRequests({ from: user.userid })
            .filter(live)
            .map((r) => requestPayload(store, r, 'out')),
      );
    }
    return body;
  },

  sharerequestinfo(c) {
    const code = c.params.needStr('code', 1022);
    const req = c.store.shareRequestByCode(code);
    if (!req || !live(req)) throw new ApiError(2021);
    const share: Value = renderShare(c, {
      tomail: req.tomail,
      folderid: req.folderid,
      sharerequestid: req.id,
      sharename: req.name,
      message: req.message ?? '',
      created: req.created,
      expires: req.expires,
      ...rights(req.permissions),
    });
    return { share };
  },

  cancelsharerequest(c) {
    const user = c.requireUser();
    const store = c.store;
    const id = c.params.needInt('sharerequestid', 1026);
    const req = store.shareRequest(id);
    if (!req || req.owner !== user.userid || !live(req)) throw new ApiError(2021);
    store.batch(() => {
      store.dropShareRequest(req.id);
      emitBoth(store, 'cancelledshare', req.owner, store.userByEmail(req.tomail)?.userid, (side) => requestPayload(store, req, side));
    });
    return {};
  },

  acceptshare(c) {
    const user = c.requireUser();
    const store = c.store;
    const p = c.params;
    const req = incomingRequest(c, user, 1025);
    if (req.owner === user.userid) throw new ApiError(2020);
    const parent = p.has('folderid') || p.has('path') ? c.targetFolder(1002).folder : store.folders.get(user.rootId)!;
    if (store.access(user.userid, parent.id)?.share) throw new ApiError(2023);
    if (alreadyShared(store, user.userid, req.folderid)) throw new ApiError(2024);
    const name = checkName(p.str('name') ?? req.name);
    store.batch(() => {
      accept(store, req, user, parent, name);
      if (p.flag('always')) store.setShareRule(user.userid, req.owner, 'always', parent.id);
    });
    return {};
  },

  declineshare(c) {
    const user = c.requireUser();
    const store = c.store;
    const req = incomingRequest(c, user, 1025);
    store.batch(() => {
      store.dropShareRequest(req.id);
      if (c.params.flag('block')) store.setShareRule(user.userid, req.owner, 'block');
      emitBoth(store, 'declinedshare', req.owner, user.userid, (side) => requestPayload(store, req, side));
    });
    return {};
  },

  removeshare(c) {
    const user = c.requireUser();
    const store = c.store;
    const id = c.params.needInt('shareid', 1027);
    const sh = store.share(id);
    if (!sh || (sh.owner !== user.userid && sh.touserid !== user.userid)) throw new ApiError(2025);
    endShare(store, sh);
    return {};
  },

  changeshare(c) {
    const user = c.requireUser();
    const store = c.store;
    const id = c.params.needInt('shareid', 1027);
    const perms = permissions(c);
    const sh = store.share(id);
    if (!sh || sh.owner !== user.userid) throw new ApiError(2025);
    store.batch(() => {
      const changed = store.setSharePermissions(sh.id, perms);
      emitBoth(store, 'modifiedshare', sh.owner, sh.touserid, (side) => {
        const full = sharePayload(store, changed, side);
        return {
          folderid: changed.folderid,
          ...pick(full, ['fromuserid', 'frommail', 'touserid', 'tomail']),
          ...rights(changed.permissions),
        };
      });
    });
    return {};
  },
};

function pick(o: SharePayload, keys: readonly string[]): SharePayload {
  const out: Record<string, string | number | boolean> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** The rights of a mask in words, for the offer mail. */
function describe(perms: number): string {
  const parts = ['read'];
  if (perms & PERM_CREATE) parts.push('create');
  if (perms & PERM_MODIFY) parts.push('modify');
  if (perms & PERM_DELETE) parts.push('delete');
  return parts.join(', ');
}
