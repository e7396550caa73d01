import type { CallContext, MethodGroup } from '../context.js';
import { ApiError } from '../errors.js';
import type { MailKind } from '../mail.js';
import { AUTH_TOKEN_INACTIVE, type MailCodeRec, type UserRec } from '../store.js';
import { LANGUAGES } from './general.js';

// ---- rules shared by the account and newsletter methods ---------------------

/** Runs of keys a password may not consist of (2035), each also read backwards. */
const RUNS = ['abcdefghijklmnopqrstuvwxyz', '01234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'qwertzuiop', 'yxcvbnm', 'azertyuiop'];

/**
 * pCloud's password rules (catalogue, changepassword): at least 6
 * characters (2032), no leading or trailing whitespace (2033), at least 4
 * different characters (2034), not just a run of consecutive letters,
 * digits or keyboard keys such as "abcdef", "654321" or "qwerty" (2035).
 */
export function checkPasswordRules(password: string): void {
  if ([...password].length < 6) throw new ApiError(2032);
  if (password.trim() !== password) throw new ApiError(2033);
  if (new Set(password).size < 4) throw new ApiError(2034);
  const lower = password.toLowerCase();
  if (RUNS.some((run) => run.includes(lower) || [...run].reverse().join('').includes(lower))) throw new ApiError(2035);
}

/** A plausible e-mail address: one `@`, something before it, a dotted domain after it, no spaces. */
export function isEmail(mail: string): boolean {
  return mail.length <= 254 && /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(mail);
}

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Mails a code: counts the mail against the per-address rate limit (4000
 * when the address had its share, unless `quiet`, which then sends nothing
 * and returns undefined), stores the code and puts the mail in the outbox,
 * with a link to the API method that takes the code.
 */
export function mailCode(
  c: CallContext,
  mail: {
    kind: MailKind;
    to: string;
    userid?: number;
    newmail?: string;
    /** The method the link calls with `code=` (the user adds what else it needs). */
    method: string;
    subject: string;
    /** What the mail says before the code and the link. */
    intro: string;
    quiet?: boolean;
  },
): MailCodeRec | undefined {
  if (!c.core.mail.allow(mail.to, mail.kind)) {
    if (mail.quiet) return undefined;
    throw new ApiError(4000);
  }
  const now = c.core.now();
  const rec = c.store.createMailCode(
    {
      kind: mail.kind,
      email: mail.to,
      expires: now + c.core.mailCodeTtlMs,
      ...(mail.userid !== undefined ? { userid: mail.userid } : {}),
      ...(mail.newmail !== undefined ? { newmail: mail.newmail } : {}),
    },
    now,
  );
  const link = `${c.core.server.apiUrl}/${mail.method}?code=${encodeURIComponent(rec.code)}`;
  c.core.mail.send({
    to: mail.to,
    kind: mail.kind,
    subject: mail.subject,
    text: `${mail.intro}\n\nYour code: ${rec.code}\nLink: ${link}\n\nIf you did not ask for this, ignore this mail.\n`,
    code: rec.code,
    link,
  });
  return rec;
}

/**
 * The stored code `code` of `kind`: 2012 when unknown, used, of another kind
 * or (with `userid`) another user's; `expired` when out of date (the code is
 * dropped then).
 */
export function takeCode(c: CallContext, code: string, kind: string, opts: { expired: number; userid?: number }): MailCodeRec {
  const rec = c.store.mailCode(code);
  if (!rec || rec.kind !== kind || (opts.userid !== undefined && rec.userid !== opts.userid)) throw new ApiError(2012);
  if (c.core.now() > rec.expires) {
    c.store.dropMailCode(rec);
    throw new ApiError(opts.expired);
  }
  return rec;
}

/** Sends the address-confirmation mail of an account (`quiet`: skipped, not refused, past the rate limit). */
function sendVerification(c: CallContext, user: UserRec, quiet = false): void {
  mailCode(c, {
    quiet,
    kind: 'verifyemail',
    to: user.email,
    userid: user.userid,
    method: 'verifyemail',
    subject: 'Confirm your e-mail address',
    intro: `Please confirm that ${user.email} is the address of your pCloud account.`,
  });
}

/** Partly hides an address for userinvites: `jo***@example.com`. */
function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const local = at < 0 ? email : email.slice(0, at);
  return `${local.slice(0, Math.min(2, Math.max(1, local.length - 1)))}***${at < 0 ? '' : email.slice(at)}`;
}

/** Verified invitees after which `invite` says the free-space bonus is used up. */
const INVITE_BONUS_CAP = 20;

/** The account's current password, or `wrongCode`; wrong ones count toward the login failure limit (4000). */
function confirmPassword(c: CallContext, user: UserRec, password: string, wrongCode = 2272): void {
  c.core.auth.confirmPassword(c.conn.remoteAddress, user, password, wrongCode);
}

// ---- the auth group ---------------------------------------------------------

export const authMethods: MethodGroup = {
  register(c) {
    const p = c.params;
    const mail = p.needStr('mail', 1033).trim();
    const password = p.needStr('password', 1034);
    if (p.str('termsaccepted') !== 'yes') throw new ApiError(2037);
    if (!isEmail(mail)) throw new ApiError(2018);
    checkPasswordRules(password);
    if (c.store.userByEmail(mail)) throw new ApiError(2038);
    const language = p.str('language');
    const referer = p.int('referer');
    const user = c.store.createUser(mail, password, {
      emailverified: false,
      ...(language !== undefined && language in LANGUAGES ? { language } : {}),
    });
    const inviter = referer !== undefined ? c.store.users.get(referer) : undefined;
    if (inviter) {
      c.store.addInvite(inviter.userid, user);
      c.core.mail.send({
        to: inviter.email,
        kind: 'invite',
        subject: 'Someone joined pCloud with your invitation',
        text: `${maskEmail(user.email)} signed up with your invitation link. They count once they confirm their address.\n`,
      });
    }
    // a new account gets the confirmation mail at once; the account exists whatever the rate limit says,
    // so past it (an address signed up and deactivated again and again) the mail is skipped, not refused
    sendVerification(c, user, true);
    return {};
  },

  sendverificationemail(c) {
    const user = c.requireUser();
    if (user.emailverified) throw new ApiError(2013);
    sendVerification(c, user);
    return {};
  },

  verifyemail(c) {
    const code = c.params.needStr('code', 1022);
    const rec = takeCode(c, code, 'verifyemail', { expired: 2012 });
    const user = rec.userid !== undefined ? c.store.users.get(rec.userid) : undefined;
    // an address changed since the mail was sent is not confirmed by it
    if (!user || !sameAddress(user.email, rec.email)) throw new ApiError(2012);
    if (user.emailverified) {
      c.store.dropMailCode(rec, true);
      throw new ApiError(2013);
    }
    c.store.setEmailVerified(user);
    c.store.dropMailCode(rec, true);
    return { email: user.email, userid: user.userid };
  },

  changepassword(c) {
    const user = c.requireUser();
    const oldpassword = c.params.needStr('oldpassword', 1031);
    const newpassword = c.params.needStr('newpassword', 1032);
    confirmPassword(c, user, oldpassword, 2031);
    if (newpassword === user.password) throw new ApiError(2030);
    checkPasswordRules(newpassword);
    c.store.setPassword(user, newpassword);
    // every other session ends: auth tokens but the one of this call, password logins of other connections
    c.store.deleteAuthTokens(user.userid, c.token?.kind === 'auth' ? c.token.token : undefined);
    c.core.auth.endOtherSessions(user.userid, c.conn);
    return {};
  },

  lostpassword(c) {
    const mail = c.params.needStr('mail', 1033).trim();
    // counted whether or not the address has an account, so the answer tells nothing
    if (!c.core.mail.allow(mail, 'lostpassword')) throw new ApiError(4000);
    const user = c.store.userByEmail(mail);
    if (user) {
      mailCode(c, {
        kind: 'resetpassword',
        to: user.email,
        userid: user.userid,
        method: 'resetpassword',
        subject: 'Reset your pCloud password',
        intro: `Someone asked to reset the password of the pCloud account ${user.email}. Call resetpassword with this code and a new password.`,
        quiet: true,
      });
    }
    return {};
  },

  resetpassword(c) {
    const code = c.params.needStr('code', 1022);
    const newpassword = c.params.needStr('newpassword', 1032);
    const rec = takeCode(c, code, 'resetpassword', { expired: 2036 });
    const user = rec.userid !== undefined ? c.store.users.get(rec.userid) : undefined;
    if (!user) throw new ApiError(2012);
    checkPasswordRules(newpassword);
    c.store.setPassword(user, newpassword);
    c.store.dropMailCode(rec, true);
    // a reset means the old password may be known to someone else: every session ends
    c.store.deleteAuthTokens(user.userid);
    c.core.auth.endOtherSessions(user.userid, undefined);
    return {};
  },

  invite(c) {
    const user = c.requireUser();
    const verified = c.store.invitesOf(user.userid).filter((i) => c.store.users.get(i.invitee)?.emailverified).length;
    return {
      url: `${c.core.server.apiUrl}/register?referer=${user.userid}`,
      spacelimitreached: verified >= INVITE_BONUS_CAP,
    };
  },

  userinvites(c) {
    const user = c.requireUser();
    const invites = c.store.invitesOf(user.userid).map((i) => ({
      email: maskEmail(i.email),
      // pending until the invitee confirms the address (an account deleted since stays pending)
      is_pending: !c.store.users.get(i.invitee)?.emailverified,
    }));
    return { invites };
  },

  listtokens(c) {
    const user = c.requireUser();
    const tokens = [...c.store.tokens.values()]
      .filter((t) => t.userid === user.userid && t.kind === 'auth')
      .sort((a, b) => a.tokenid - b.tokenid)
      .map((t) => ({
        tokenid: t.tokenid,
        device: t.device,
        created: c.time(t.created),
        expires_inactive: c.time(Math.min(t.lastUsed + AUTH_TOKEN_INACTIVE, t.expires)),
        expires: c.time(t.expires),
        current: c.token?.token === t.token,
      }));
    return { tokens };
  },

  deletetoken(c) {
    const user = c.requireUser();
    const id = c.params.needInt('tokenid', 1076);
    const rec = [...c.store.tokens.values()].find((t) => t.tokenid === id && t.userid === user.userid && t.kind === 'auth');
    if (!rec) throw new ApiError(2102);
    // connections that logged in with it (binary, sticky HTTP) lose their login at their next call
    c.store.deleteToken(rec.token);
    return {};
  },

  logout(c) {
    c.requireUser();
    const t = c.token;
    if (t && t.kind === 'auth' && c.store.tokens.has(t.token)) {
      c.store.deleteToken(t.token);
      if (c.conn.authToken === t.token) c.core.auth.logout(c.conn);
      return { auth_deleted: true };
    }
    return { auth_deleted: false };
  },

  sendchangemail(c) {
    const user = c.requireUser();
    const newmail = c.params.str('newmail')?.trim();
    const code = c.params.str('code');
    if (newmail === undefined && code === undefined) {
      mailCode(c, {
        kind: 'changemail-old',
        to: user.email,
        userid: user.userid,
        method: 'sendchangemail',
        subject: 'Change the e-mail address of your pCloud account',
        intro: `Someone asked to change the address of the pCloud account ${user.email}. Call sendchangemail with this code and the new address (newmail).`,
      });
      return {};
    }
    if (code === undefined || code === '') throw new ApiError(2012);
    const rec = takeCode(c, code, 'changemail-old', { expired: 2074, userid: user.userid });
    if (newmail === undefined || !isEmail(newmail)) throw new ApiError(2018);
    if (sameAddress(newmail, user.email)) throw new ApiError(2271);
    if (c.store.userByEmail(newmail)) throw new ApiError(2038);
    mailCode(c, {
      kind: 'changemail-new',
      to: newmail,
      userid: user.userid,
      newmail,
      method: 'changemail',
      subject: 'Confirm your new pCloud e-mail address',
      intro: `Confirm ${newmail} as the new address of the pCloud account ${user.email}: call changemail with this code and your password.`,
    });
    c.store.dropMailCode(rec);
    return {};
  },

  changemail(c) {
    const user = c.requireUser();
    const password = c.params.needStr('password', 1034);
    const code = c.params.needStr('code', 1022);
    const rec = takeCode(c, code, 'changemail-new', { expired: 2074, userid: user.userid });
    confirmPassword(c, user, password);
    const newmail = rec.newmail ?? rec.email;
    if (sameAddress(newmail, user.email)) throw new ApiError(2271);
    const holder = c.store.userByEmail(newmail);
    if (holder && holder.userid !== user.userid) throw new ApiError(2038);
    const old = user.email;
    c.store.setEmail(user, newmail);
    c.store.dropMailCode(rec, true);
    c.core.mail.send({
      to: old,
      kind: 'changemail-done',
      subject: 'The e-mail address of your pCloud account was changed',
      text: `Your pCloud account now uses ${newmail} instead of ${old}.\n`,
    });
    return {};
  },

  senddeactivatemail(c) {
    const user = c.requireUser();
    mailCode(c, {
      kind: 'deactivate',
      to: user.email,
      userid: user.userid,
      method: 'deactivateuser',
      subject: 'Confirm the deactivation of your pCloud account',
      intro: `Someone asked to delete the pCloud account ${user.email} with all its files. Call deactivateuser with this code and your password to confirm.`,
    });
    return {};
  },

  deactivateuser(c) {
    const user = c.requireUser();
    const password = c.params.needStr('password', 1034);
    const code = c.params.needStr('code', 1022);
    const rec = takeCode(c, code, 'deactivate', { expired: 2074, userid: user.userid });
    confirmPassword(c, user, password);
    c.store.dropMailCode(rec, true);
    c.store.deleteUser(user);
    c.core.links.forgetUser(user.userid);
    if (c.conn.userid === user.userid) c.core.auth.logout(c.conn);
    // nothing of the account is left: no `getauth` token may be made for it
    c.user = undefined;
    c.token = undefined;
    return {};
  },
};
