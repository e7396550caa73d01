import type { MethodGroup } from '../context.js';
import { ApiError } from '../errors.js';
import { isEmail, mailCode, takeCode } from './auth.js';

/**
 * The newsletter list, kept by address (with or without an account). An
 * address joins unconfirmed and is confirmed by the code mailed to it, or
 * at once when it is the confirmed address of an account. Leaving takes a
 * code mailed on request; neither step tells whether an address is listed.
 */
export const newsletterMethods: MethodGroup = {
  newsletter_subscribe(c) {
    const mail = c.params.needStr('mail', 1033).trim();
    if (!isEmail(mail)) throw new ApiError(2018);
    if (c.store.newsletterEntry(mail)?.verified) return { verifymail: false };
    if (c.store.userByEmail(mail)?.emailverified) {
      c.store.subscribeNewsletter(mail, true);
      return { verifymail: false };
    }
    c.store.subscribeNewsletter(mail, false);
    mailCode(c, {
      kind: 'newsletter-verify',
      to: mail,
      method: 'newsletter_verifyemail',
      subject: 'Confirm your subscription to the pCloud newsletter',
      intro: `Confirm that ${mail} wants the pCloud newsletter: call newsletter_verifyemail with this code.`,
    });
    return { verifymail: true };
  },

  newsletter_check(c) {
    const user = c.requireUser();
    const entry = c.store.newsletterEntry(user.email);
    return { subscribed: entry !== undefined, verified: entry?.verified ?? false };
  },

  newsletter_verifyemail(c) {
    const code = c.params.needStr('code', 1022);
    const rec = takeCode(c, code, 'newsletter-verify', { expired: 2012 });
    const entry = c.store.newsletterEntry(rec.email);
    // unsubscribed since the mail was sent
    if (!entry) throw new ApiError(2012);
    c.store.dropMailCode(rec);
    if (entry.verified) throw new ApiError(2013);
    c.store.subscribeNewsletter(rec.email, true);
    return { email: rec.email };
  },

  newsletter_unsibscribemail(c) {
    const mail = c.params.needStr('mail', 1033).trim();
    if (!isEmail(mail)) throw new ApiError(2018);
    // always 0: an address that is not listed (or over its mail limit) just gets no mail
    if (c.store.newsletterEntry(mail)) {
      mailCode(c, {
        kind: 'newsletter-unsubscribe',
        to: mail,
        method: 'newsletter_unsubscribe',
        subject: 'Leave the pCloud newsletter',
        intro: `Call newsletter_unsubscribe with this code to take ${mail} off the pCloud newsletter.`,
        quiet: true,
      });
    }
    return {};
  },

  newsletter_unsubscribe(c) {
    const code = c.params.needStr('code', 1022);
    const rec = takeCode(c, code, 'newsletter-unsubscribe', { expired: 2012 });
    c.store.unsubscribeNewsletter(rec.email);
    c.store.dropMailCode(rec);
    return {};
  },
};
