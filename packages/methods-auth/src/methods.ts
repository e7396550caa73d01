/**
 * The account methods and their result types. Its only run-time exports are
 * the method definitions, each under its wire name: the package's
 * `definitions` list and plugin are built from them, and each method's JSDoc
 * (params included) is what editors show on `client.<method>`.
 *
 * Several of these methods are steps of flows that go through the user's
 * mailbox: a first call makes pCloud send a mail with a code, a later call
 * hands that code back (see the README for each flow told end to end).
 * Codes and passwords are never shown in error messages or logs.
 */
import { defineMethod, param, returns } from '@pcloudkit/core';

const GROUP = 'auth';

// ---------------------------------------------------------------------------
// Result types

/** An answer that carries nothing besides success. */
export type NoResult = Record<string, never>;

/** Answer of `sendverificationemail` (nothing besides success). */
export type SendVerificationEmailResult = NoResult;

/** Answer of `verifyemail`. */
export interface VerifyEmailResult {
  /** The address that is now confirmed. */
  email: string;
  /** The user that owns it (not necessarily the one signed in, if any). */
  userid: number;
}

/** Answer of `changepassword` (nothing besides success). */
export type ChangePasswordResult = NoResult;

/** Answer of `lostpassword`: always a success, whether or not an account uses the address. */
export type LostPasswordResult = NoResult;

/** Answer of `resetpassword` (nothing besides success). */
export type ResetPasswordResult = NoResult;

/** Answer of `register` (nothing besides success; sign in with the new credentials). */
export type RegisterResult = NoResult;

/** Answer of `invite`. */
export interface InviteResult {
  /** The sign-up page with the user's referral code in it. */
  url: string;
  /** True when invitations can earn the user no more free space. */
  spacelimitreached: boolean;
}

/** Someone the user invited. */
export interface Invitation {
  /** Their address, partly masked by the server. */
  email: string;
  /** Still waiting for them to sign up. pCloud documents a boolean but its example shows `1`: expect either. */
  is_pending: boolean | number;
}

/** Answer of `userinvites`. */
export interface UserInvitesResult {
  invites: Invitation[];
}

/** Answer of `logout`. */
export interface LogoutResult {
  /** True when the token of the call was valid and is now revoked. */
  auth_deleted: boolean;
}

/** One of the user's auth tokens, as `listtokens` describes it (never the token itself). */
export interface AuthTokenInfo {
  /** What `deletetoken` takes. */
  tokenid: number;
  /** The device or program name given when the token was made. */
  device: string;
  created: Date;
  /** When the token lapses if unused; every use moves it later. */
  expires_inactive: Date;
  /** When the token lapses whatever happens. */
  expires: Date;
  /**
   * True on the token this very call was made with. pCloud's documentation
   * does not list this field; the pcloudkit emulator sends it. The token
   * helpers rely on it to keep the current token (see `tokens.revokeOthers`).
   */
  current?: boolean;
}

/** Answer of `listtokens`. */
export interface ListTokensResult {
  tokens: AuthTokenInfo[];
}

/** Answer of `deletetoken` (nothing besides success). */
export type DeleteTokenResult = NoResult;

/** Answer of `sendchangemail` (nothing besides success). */
export type SendChangeMailResult = NoResult;

/** Answer of `changemail` (nothing besides success). */
export type ChangeMailResult = NoResult;

/** Answer of `senddeactivatemail` (nothing besides success). */
export type SendDeactivateMailResult = NoResult;

/** Answer of `deactivateuser` (nothing besides success; the account is gone). */
export type DeactivateUserResult = NoResult;

// ---------------------------------------------------------------------------
// Definitions: signing up and confirming the address

/**
 * Creates an account. The address must be free (2038) and valid (2018), the
 * password must follow pCloud's rules (2032-2035), and `termsaccepted` must
 * be `'yes'`. pCloud then mails the address a verification link
 * (`verifyemail` takes its code). The answer holds no token: sign in with
 * the new credentials.
 */
export const register = /* @__PURE__ */ defineMethod({
  name: 'register',
  group: GROUP,
  params: {
    /** `'yes'`: the user accepted pCloud's terms of service. */
    termsaccepted: /* @__PURE__ */ param.string({ required: true, enum: ['yes'] }),
    /** The address of the new account. */
    mail: /* @__PURE__ */ param.string({ required: true }),
    /**
     * The password: at least 6 characters (2032), at least 4 different ones
     * (2034), no leading or trailing space (2033), not a run like `abcdef`
     * or `123456` (2035).
     */
    password: /* @__PURE__ */ param.string({ required: true }),
    /** Preferred language, one of the codes `supportedlanguages` lists. */
    language: /* @__PURE__ */ param.string(),
    /** Userid of the user who invited the new one. */
    referer: /* @__PURE__ */ param.int({ min: 0 }),
  },
  auth: false,
  result: /* @__PURE__ */ returns<RegisterResult>(),
});

/** Mails the signed-in user a new link for confirming their address (2013 when it is already confirmed). */
export const sendverificationemail = /* @__PURE__ */ defineMethod({
  name: 'sendverificationemail',
  group: GROUP,
  auth: true,
  result: /* @__PURE__ */ returns<SendVerificationEmailResult>(),
});

/**
 * Confirms an address with the code from a verification mail, and tells
 * which address and user it was. Needs no sign-in: the code says who.
 * A code that is unknown or used gives 2012; an address already confirmed 2013.
 */
export const verifyemail = /* @__PURE__ */ defineMethod({
  name: 'verifyemail',
  group: GROUP,
  params: {
    /** The code from the verification mail. */
    code: /* @__PURE__ */ param.string({ required: true }),
  },
  auth: false,
  result: /* @__PURE__ */ returns<VerifyEmailResult>(),
});

// ---------------------------------------------------------------------------
// Passwords

/**
 * Sets a new password after checking the current one (2031 when it is
 * wrong). The new one follows the rules of `register` and must differ from
 * the old one (2030). The account's other sessions end (the emulator revokes
 * every auth token but the one of this call); this one goes on.
 */
export const changepassword = /* @__PURE__ */ defineMethod({
  name: 'changepassword',
  group: GROUP,
  params: {
    /** The password the user has now. */
    oldpassword: /* @__PURE__ */ param.string({ required: true }),
    /** The password to set. */
    newpassword: /* @__PURE__ */ param.string({ required: true }),
  },
  auth: true,
  result: /* @__PURE__ */ returns<ChangePasswordResult>(),
});

/**
 * Starts a password reset: mails the address a code for `resetpassword`.
 * Answers success whether or not an account uses the address, so nobody can
 * find out which addresses have accounts.
 */
export const lostpassword = /* @__PURE__ */ defineMethod({
  name: 'lostpassword',
  group: GROUP,
  params: {
    /** The address of the account. */
    mail: /* @__PURE__ */ param.string({ required: true }),
  },
  auth: false,
  result: /* @__PURE__ */ returns<LostPasswordResult>(),
});

/**
 * Sets a new password with the code `lostpassword` mailed. An unknown code
 * gives 2012, an expired one 2036; the password follows the rules of
 * `register`. Every session of the account ends: sign in again.
 */
export const resetpassword = /* @__PURE__ */ defineMethod({
  name: 'resetpassword',
  group: GROUP,
  params: {
    /** The code from the reset mail. */
    code: /* @__PURE__ */ param.string({ required: true }),
    /** The password to set. */
    newpassword: /* @__PURE__ */ param.string({ required: true }),
  },
  auth: false,
  result: /* @__PURE__ */ returns<ResetPasswordResult>(),
});

// ---------------------------------------------------------------------------
// Invitations

/** The user's personal sign-up link, whose use earns them free space, and whether that bonus is used up. */
export const invite = /* @__PURE__ */ defineMethod({
  name: 'invite',
  group: GROUP,
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<InviteResult>(),
});

/** The people the user invited, with partly masked addresses. */
export const userinvites = /* @__PURE__ */ defineMethod({
  name: 'userinvites',
  group: GROUP,
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<UserInvitesResult>(),
});

// ---------------------------------------------------------------------------
// Tokens

/**
 * Revokes the auth token this call is made with (not to be confused with
 * the `logout` global param, which only forgets the login of one
 * connection). Core's `client.logout()` calls it too and also forgets the
 * client's credentials; this definition gives the raw answer.
 */
export const logout = /* @__PURE__ */ defineMethod({
  name: 'logout',
  group: GROUP,
  auth: true,
  result: /* @__PURE__ */ returns<LogoutResult>(),
});

/** The user's live auth tokens: ids, device names and expiry dates. */
export const listtokens = /* @__PURE__ */ defineMethod({
  name: 'listtokens',
  group: GROUP,
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<ListTokensResult>(),
});

/** Revokes one of the user's auth tokens by its `tokenid` from `listtokens` (2102 when there is no such token). */
export const deletetoken = /* @__PURE__ */ defineMethod({
  name: 'deletetoken',
  group: GROUP,
  params: {
    /** The `tokenid` of the token to revoke, from `listtokens`. */
    tokenid: /* @__PURE__ */ param.int({ required: true, min: 0 }),
  },
  auth: true,
  result: /* @__PURE__ */ returns<DeleteTokenResult>(),
});

// ---------------------------------------------------------------------------
// Changing the address

/**
 * Both mailing steps of an address change. Without params it mails the
 * current address a code. Then, with that code and `newmail` (send the two
 * together), it mails the new address a second code, which `changemail`
 * takes. 2038: the new address belongs to another account; 2271: it is the
 * current one; 2012/2074: the code is unknown or expired.
 */
export const sendchangemail = /* @__PURE__ */ defineMethod({
  name: 'sendchangemail',
  group: GROUP,
  params: {
    /** Second step: the address to move to. */
    newmail: /* @__PURE__ */ param.string(),
    /** Second step: the code mailed to the current address. */
    code: /* @__PURE__ */ param.string(),
  },
  auth: true,
  result: /* @__PURE__ */ returns<SendChangeMailResult>(),
});

/**
 * Last step of an address change: the code mailed to the new address (which
 * carries that address) and the user's password. 2012/2074: the code is
 * unknown or expired; 2272: wrong password; 2038: the address was taken meanwhile.
 */
export const changemail = /* @__PURE__ */ defineMethod({
  name: 'changemail',
  group: GROUP,
  params: {
    /** The user's current password. */
    password: /* @__PURE__ */ param.string({ required: true }),
    /** The code mailed to the new address. */
    code: /* @__PURE__ */ param.string({ required: true }),
  },
  auth: true,
  result: /* @__PURE__ */ returns<ChangeMailResult>(),
});

// ---------------------------------------------------------------------------
// Deactivation

/** Mails the signed-in user a code that `deactivateuser` needs: the first step of closing the account. */
export const senddeactivatemail = /* @__PURE__ */ defineMethod({
  name: 'senddeactivatemail',
  group: GROUP,
  auth: true,
  result: /* @__PURE__ */ returns<SendDeactivateMailResult>(),
});

/**
 * Closes the signed-in user's account for good, with the code from
 * `senddeactivatemail` and the password (2012: bad code, 2272: wrong
 * password). There is no way back: the account and its files are gone.
 */
export const deactivateuser = /* @__PURE__ */ defineMethod({
  name: 'deactivateuser',
  group: GROUP,
  params: {
    /** The user's current password. */
    password: /* @__PURE__ */ param.string({ required: true }),
    /** The code from the deactivation mail. */
    code: /* @__PURE__ */ param.string({ required: true }),
  },
  auth: true,
  result: /* @__PURE__ */ returns<DeactivateUserResult>(),
});
