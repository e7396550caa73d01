import type { CallContext, MethodGroup } from '../context.js';
import { ApiError } from '../errors.js';
import type { Body, Value } from '../json.js';
import { renderNode } from '../render.js';
import type { EventRec, UserRec } from '../store.js';

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
  return {
    userid: u.userid,
    email: u.email,
    emailverified: u.emailverified,
    registered: c.time(u.registered),
    premium: u.premium,
    premiumlifetime: false,
    business: false,
    quota: u.quota,
    usedquota: c.store.usedQuota(u.userid),
    language: u.language,
    cryptosetup: false,
    cryptosubscription: false,
    cryptolifetime: false,
    trashrevretentiondays: 15,
    haspassword: true,
    journey: { steps: {} },
  };
}

/** One `diff` entry as the client sees it. */
export function renderEvent(c: CallContext, e: EventRec): Body {
  const out: Body = { event: e.event, time: c.time(e.time), diffid: e.diffid };
  if (e.node) out.metadata = renderNode(c, e.node);
  if (e.event === 'modifyuserinfo') {
    const u = c.store.users.get(e.userid);
    if (u) {
      const info = userInfoFields(c, u);
      out.userinfo = {
        userid: info.userid!,
        premium: info.premium!,
        language: info.language!,
        email: info.email!,
        emailverified: info.emailverified!,
        quota: info.quota!,
        usedquota: info.usedquota!,
      };
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

  const select = (): EventRec[] => {
    const all = c.store.events.filter(mine);
    if (diffid !== undefined) return all.filter((e) => e.diffid > diffid);
    if (after !== undefined) return all.filter((e) => e.time > after);
    if (last !== undefined) return last <= 0 ? [] : all.slice(-last);
    return all;
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
  const lastMine = c.store.events.filter(mine).at(-1)?.diffid ?? 0;
  const newest = events.at(-1)?.diffid ?? (diffid !== undefined ? Math.max(diffid, 0) : lastMine);
  return { entries: events.map((e) => renderEvent(c, e)), diffid: newest };
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
    if (user.language !== lang) {
      user.language = lang;
      c.store.emit(user.userid, 'modifyuserinfo');
    }
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
    const { apiHost } = c.core.server;
    const [hostOnly] = apiHost.split(':');
    return { ip: hostOnly ?? '127.0.0.1', ipbin: hostOnly ?? '127.0.0.1', ipv6: '::1', hostname: apiHost };
  },

  diff,

  getfilehistory(c) {
    const user = c.requireUser();
    const fileid = c.params.needInt('fileid', 1029);
    const f = c.store.files.get(fileid);
    if (!f || f.owner !== user.userid) throw new ApiError(2009);
    const entries: Value[] = c.store.events
      .filter((e) => e.userid === user.userid && e.node?.kind === 'file' && e.node.id === fileid)
      .map((e) => renderEvent(c, e));
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
