// The newsletter methods against the emulator over both transports; the
// codes come from the emulator's outbox, as a subscriber would read them.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiError } from '@pcloudkit/core';
import { startTestEnv, transportNames, type TestEnv } from '@pcloudkit/testkit';
import { newsletter } from '../src/index.js';

/** Awaits `promise`, expecting an ApiError with the given code. */
async function apiError(promise: Promise<unknown>, code: number): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected pCloud error ${code}`).toBeInstanceOf(ApiError);
  expect((error as ApiError).result).toBe(code);
  return error as ApiError;
}

describe.each(transportNames)('newsletter over %s', (kind) => {
  let env: TestEnv;
  let anonymous: ReturnType<typeof client>;
  let n = 0;
  const client = (auth?: { authToken: string } | null) => env.client(kind, auth).use(newsletter);
  const address = (what: string) => `${what}-${kind}-${++n}@pcloudkit.test`;
  const codeFrom = async (to: string, mailKind: string) => {
    const mail = await env.emulator.mail.next(to, { kind: mailKind });
    expect(mail.code).toBeTruthy();
    return mail.code!;
  };

  beforeAll(async () => {
    env = await startTestEnv();
    anonymous = client(null);
  });
  afterAll(() => env.close());

  test('an address without an account: subscribe, confirm with the mailed code, leave with another', async () => {
    const mail = address('reader');
    expect(await anonymous.newsletter_subscribe({ mail })).toEqual({ result: 0, verifymail: true });
    const code = await codeFrom(mail, 'newsletter-verify');
    expect(await anonymous.newsletter_verifyemail({ code })).toEqual({ result: 0, email: mail });
    await apiError(anonymous.newsletter_verifyemail({ code }), 2012);
    // confirmed: subscribing again sends nothing
    expect(await anonymous.newsletter_subscribe({ mail })).toEqual({ result: 0, verifymail: false });

    expect(await anonymous.newsletter_unsibscribemail({ mail })).toEqual({ result: 0 });
    const leave = await codeFrom(mail, 'newsletter-unsubscribe');
    expect(await anonymous.newsletter_unsubscribe({ code: leave })).toEqual({ result: 0 });
    await apiError(anonymous.newsletter_unsubscribe({ code: leave }), 2012);
    // gone: asking to leave again answers the same but mails nothing
    const before = env.emulator.mail.list({ to: mail }).length;
    expect(await anonymous.newsletter_unsibscribemail({ mail })).toEqual({ result: 0 });
    expect(env.emulator.mail.list({ to: mail })).toHaveLength(before);
  });

  test('newsletter_check tells the signed-in user about their own address', async () => {
    const mail = address('member');
    const { auth } = await env.emulator.createUser({ username: mail, password: 'Member-Password-8' });
    const me = client({ authToken: auth });
    expect(await me.newsletter_check()).toEqual({ result: 0, subscribed: false, verified: false });
    // the verified address of an account needs no confirmation mail
    expect(await anonymous.newsletter_subscribe({ mail })).toEqual({ result: 0, verifymail: false });
    expect(await me.newsletter_check()).toEqual({ result: 0, subscribed: true, verified: true });
    await anonymous.newsletter_unsibscribemail({ mail });
    await anonymous.newsletter_unsubscribe({ code: await codeFrom(mail, 'newsletter-unsubscribe') });
    expect(await me.newsletter_check()).toEqual({ result: 0, subscribed: false, verified: false });
  });

  test('bad addresses and codes', async () => {
    await apiError(anonymous.newsletter_subscribe({ mail: 'not-an-address' }), 2018);
    await apiError(anonymous.newsletter_unsibscribemail({ mail: 'not-an-address' }), 2018);
    await apiError(anonymous.newsletter_verifyemail({ code: 'made-up-code' }), 2012);
    await apiError(anonymous.newsletter_unsubscribe({ code: 'made-up-code' }), 2012);
    await apiError(anonymous.call('newsletter_check', {}, { auth: false }), 1000);
  });
});
