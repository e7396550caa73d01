/**
 * The newsletter methods and their result types. Its only run-time exports
 * are the method definitions, each under its wire name: the package's
 * `definitions` list and plugin are built from them, and each method's JSDoc
 * (params included) is what editors show on `client.<method>`.
 *
 * Subscribing and unsubscribing go through the subscriber's mailbox: the
 * server mails a code, a later call hands it back. Only `newsletter_check`
 * needs a signed-in user; the others work for any address.
 */
import { defineMethod, param, returns } from '@pcloudkit/core';

const GROUP = 'newsletter';

// ---------------------------------------------------------------------------
// Result types

/** Answer of `newsletter_subscribe`. */
export interface NewsletterSubscribeResult {
  /** True when a confirmation mail went out (the address was not verified yet). */
  verifymail: boolean;
}

/** Answer of `newsletter_check`. */
export interface NewsletterCheckResult {
  /** The signed-in user is on the list. */
  subscribed: boolean;
  /** The subscribed address was confirmed with the mailed code. */
  verified: boolean;
}

/** Answer of `newsletter_verifyemail`. */
export interface NewsletterVerifyEmailResult {
  /** The address whose subscription is now confirmed. */
  email: string;
}

/** Answer of `newsletter_unsubscribe` (nothing besides success). */
export type NewsletterUnsubscribeResult = Record<string, never>;

/** Answer of `newsletter_unsibscribemail` (nothing besides success). */
export type NewsletterUnsubscribeMailResult = Record<string, never>;

// ---------------------------------------------------------------------------
// Definitions

/**
 * Puts an address on the newsletter list. When the address is not a
 * verified one, the server mails it a code for `newsletter_verifyemail`
 * and says so in `verifymail`. 2018: not a valid address.
 */
export const newsletter_subscribe = /* @__PURE__ */ defineMethod({
  name: 'newsletter_subscribe',
  group: GROUP,
  params: {
    /** The address to subscribe. */
    mail: /* @__PURE__ */ param.string({ required: true }),
  },
  auth: false,
  result: /* @__PURE__ */ returns<NewsletterSubscribeResult>(),
});

/** Whether the signed-in user is on the newsletter list, and whether that subscription is confirmed. */
export const newsletter_check = /* @__PURE__ */ defineMethod({
  name: 'newsletter_check',
  group: GROUP,
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<NewsletterCheckResult>(),
});

/**
 * Confirms a subscription with the code from the confirmation mail and
 * names the address. 2012: unknown code; 2013: already confirmed.
 */
export const newsletter_verifyemail = /* @__PURE__ */ defineMethod({
  name: 'newsletter_verifyemail',
  group: GROUP,
  params: {
    /** The code from the confirmation mail. */
    code: /* @__PURE__ */ param.string({ required: true }),
  },
  auth: false,
  result: /* @__PURE__ */ returns<NewsletterVerifyEmailResult>(),
});

/**
 * Takes an address off the list with the code from the mail that
 * `newsletter_unsibscribemail` sent. 2012: unknown code.
 */
export const newsletter_unsubscribe = /* @__PURE__ */ defineMethod({
  name: 'newsletter_unsubscribe',
  group: GROUP,
  params: {
    /** The code from the unsubscribe mail. */
    code: /* @__PURE__ */ param.string({ required: true }),
  },
  auth: false,
  result: /* @__PURE__ */ returns<NewsletterUnsubscribeResult>(),
});

/**
 * Mails a subscribed address a code for `newsletter_unsubscribe`. The wire
 * name keeps pCloud's spelling (`unsibscribe`). Answers success whether or
 * not the address is on the list, so nobody can probe it.
 */
export const newsletter_unsibscribemail = /* @__PURE__ */ defineMethod({
  name: 'newsletter_unsibscribemail',
  group: GROUP,
  params: {
    /** The subscribed address that gets the code. */
    mail: /* @__PURE__ */ param.string({ required: true }),
  },
  auth: false,
  result: /* @__PURE__ */ returns<NewsletterUnsubscribeMailResult>(),
});
