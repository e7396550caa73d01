import { isIP } from 'node:net';
import type { CallContext, MethodGroup } from '../context.js';
import { ApiError } from '../errors.js';
import type { Body, Value } from '../json.js';
import { renderNode } from '../render.js';
import { type EventRec, type NodeRec, premiumExpires, type UserRec } from '../store.js';
import { nowSeconds } from '../time.js';
import { renderShare } from './sharing.js';

export const LANGUAGES: Readonly<Record<string, string>> = {
  en: 'English',
  bg: 'Български',
  de: 'Deutsch',
  es: 'Español',
  fr: 'Français',
  it: 'Italiano',
  nl: 'Nederlands',
  pl: 'Polski',
  pt: 'Português',
  ru: 'Русский',
  tr: 'Türkçe',
  uk: 'Українська',
  ja: '日本語',
  zh: '中文',
};

export function userInfoFields(c: CallContext, u: UserRec): Body {
  const expires = premiumExpires(u);
  return {
    userid: u.userid,
    email: u.email,
    emailverified: u.emailverified,
    registered: c.time(u.registered),
    premium: u.premium,
    // a paid plan that is not lifetime ends some day (pCloud sends this only when premium)
    ...(expires !== undefined ? { premiumexpires: c.time(expires) } : {}),
    premiumlifetime: false,
    business: false,
    quota: u.quota,
    usedquota: c.store.usedQuota(u.userid),
    language: u.language,
    cryptosetup: false,
    cryptosubscription: false,
    cryptolifetime: false,
    trashrevretentiondays: Math.round(c.store.trashRetentionSeconds / 86400),
    haspassword: true,
    journey: { steps: {} },
  };
}

/** One `diff` entry as the client sees it. */
export function renderEvent(c: CallContext, e: EventRec): Body {
  const out: Body = { event: e.event, time: c.time(e.time), diffid: e.diffid };
  if (e.node) out.metadata = renderNode(c, e.node);
  if (e.share) out.share = renderShare(c, e.share);
  if (e.event === 'modifyuserinfo') {
    // the account as it was when the event happened; events stored before snapshots existed show it as it is now
    const u = c.store.users.get(e.userid);
    const info = e.userinfo ?? (u ? c.store.userSnapshot(u) : undefined);
    if (info) {
      const { premiumexpires, ...rest } = info;
      out.userinfo = { ...rest, ...(premiumexpires !== undefined ? { premiumexpires: c.time(premiumexpires) } : {}) };
    }
  }
  return out;
}

async function diff(c: CallContext): Promise<Body> {
  const user = c.requireUser();
  const p = c.params;
  const diffid = p.int('diffid');
  const after = p.datetime('after');
  const last = p.int('last');
  const limit = p.int('limit');
  const block = p.flag('block');
  const mine = (e: EventRec) => e.userid === user.userid;
  const store = c.store;
  const cap = limit !== undefined && limit >= 0 ? limit : -1;

  // the history is trimmed to the newest events: a client that needs older ones starts over
  const floor = store.historyFloor(user.userid);
  if (floor > 0 && last === undefined) {
    const oldest = store.oldestEventTime(user.userid);
    const tooOld = diffid !== undefined ? diffid < floor : after !== undefined ? oldest === undefined || after < oldest : true;
    if (tooOld) return resetAnswer(c, user);
  }

  const select = (): EventRec[] => {
    if (diffid !== undefined) return store.eventsAfter(user.userid, diffid, cap);
    if (after !== undefined) return store.eventsAfterTime(user.userid, after, cap);
    if (last !== undefined) return last <= 0 ? [] : store.lastEvents(user.userid, last);
    return store.eventsAfter(user.userid, 0, cap);
  };
  let events = select();
  if (events.length === 0 && block && diffid !== undefined && last === undefined) {
    const signal = c.conn.blockSignal();
    await new Promise<void>((resolve) => {
      const off = c.store.onEvent((e) => {
        if (mine(e)) done();
      });
      function done() {
        off();
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
      if (signal.aborted) done();
    });
    events = select();
  }
  if (limit !== undefined && limit >= 0 && events.length > limit) events = events.slice(0, limit);
  const newest = events.at(-1)?.diffid ?? (diffid !== undefined ? Math.max(diffid, 0) : store.lastDiffOf(user.userid));
  return { entries: events.map((e) => renderEvent(c, e)), diffid: newest };
}

/**
 * Answer to a client whose position is older than the kept history: a `reset`
 * (drop local state), then the account as it is now (userinfo, every folder
 * parents first, every file), all at the newest diffid. `limit` does not
 * apply: the whole state comes in one answer.
 */
function resetAnswer(c: CallContext, user: UserRec): Body {
  const store = c.store;
  const diffid = store.lastDiffOf(user.userid);
  const time = nowSeconds();
  const entries: Value[] = [{ event: 'reset', time: c.time(time), diffid }];
  const at = (event: string, node?: NodeRec): EventRec => ({ diffid, userid: user.userid, event, time, ...(node ? { node } : {}) });
  entries.push(renderEvent(c, at('modifyuserinfo')));
  const tree = store.liveTree(user.rootId);
  for (const f of tree.folders) entries.push(renderEvent(c, at('createfolder', f)));
  for (const f of tree.files) entries.push(renderEvent(c, at('createfile', f)));
  // the shares the user accepted, each with what is in it
  for (const sh of store.shares().filter((s) => s.touserid === user.userid)) {
    const root = store.folders.get(sh.folderid);
    if (!root || root.deleted) continue;
    entries.push(renderEvent(c, at('createfolder', root)));
    const inside = store.liveTree(root.id);
    for (const f of inside.folders) entries.push(renderEvent(c, at('createfolder', f)));
    for (const f of inside.files) entries.push(renderEvent(c, at('createfile', f)));
  }
  return { entries, diffid };
}

export const generalMethods: MethodGroup = {
  getdigest(c) {
    const { digest, expires } = c.core.auth.newDigest();
    return { digest, expires: c.time(Math.floor(expires / 1000)) };
  },

  userinfo(c) {
    const out = userInfoFields(c, c.requireUser());
    if (c.params.flag('getapiserver')) out.apiserver = c.core.apiServers();
    return out;
  },

  supportedlanguages() {
    return { languages: { ...LANGUAGES } };
  },

  setlanguage(c) {
    const user = c.requireUser();
    const lang = c.params.needStr('language', 1020);
    if (!(lang in LANGUAGES)) throw new ApiError(1021);
    c.store.setLanguage(user, lang);
    return {};
  },

  feedback(c) {
    const p = c.params;
    const mail = p.needStr('mail', 1033);
    const reason = p.needStr('reason', 1042);
    const message = p.needStr('message', 1041);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(mail)) throw new ApiError(2018);
    const name = p.str('name');
    c.core.feedback.push({ mail, reason, message, ...(name !== undefined ? { name } : {}) });
    return {};
  },

  currentserver(c) {
    // pCloud's hostname is a bare DNS name (api7.pcloud.com): no port
    const hostname = new URL(c.core.server.apiUrl).hostname.replace(/^\[|\]$/g, '');
    const ip = isIP(hostname) === 4 ? hostname : '127.0.0.1';
    return { ip, ipbin: ip, ipv6: '::1', hostname };
  },

  diff,

  getfilehistory(c) {
    const user = c.requireUser();
    const fileid = c.params.needInt('fileid', 1029);
    const f = c.store.files.get(fileid);
    if (!f || f.owner !== user.userid) throw new ApiError(2009);
    const entries: Value[] = c.store.fileEvents(user.userid, fileid).map((e) => renderEvent(c, e));
    return { entries };
  },

  getip(c) {
    const ip = c.conn.remoteAddress.replace(/^::ffff:/, '');
    return { ip, country: false };
  },

  getapiserver(c) {
    return c.core.apiServers();
  },
};
