import { ValidationError, createClient, memoryTransport } from '@pcloudkit/core';
import { describe, expect, it } from 'vitest';
import { definitions, diff, general, setlanguage } from '../src/index.js';

// Catalogue facts (names, groups, login, params, sets, requires, long poll)
// are checked for every method package by
// packages/catalog/test/sdk-definitions.test.ts; these are the SDK's own choices.
describe('general definitions', () => {
  it('feedback is the only method that is not safe to repeat', () => {
    expect(definitions.filter((d) => !d.idempotent).map((d) => d.name)).toEqual(['feedback']);
  });

  it('block is a flag', () => {
    expect(diff.params.block).toMatchObject({ type: 'flag', required: false });
  });
});

describe('general validation (nothing is sent)', () => {
  const setup = () => {
    const transport = memoryTransport();
    const client = createClient({ transport, auth: { accessToken: 'x' }, retries: 0 }).use(general);
    return { sent: transport.requests, client };
  };

  const cases: Array<[string, (c: ReturnType<typeof setup>['client']) => Promise<unknown>, string]> = [
    ['setlanguage without language', (c) => c.setlanguage({} as never), 'language'],
    ['setlanguage with a number', (c) => c.setlanguage({ language: 7 as never }), 'language'],
    ['getfilehistory without fileid', (c) => c.getfilehistory({} as never), 'fileid'],
    ['getfilehistory with a fractional fileid', (c) => c.getfilehistory({ fileid: 1.5 }), 'fileid'],
    ['feedback without message', (c) => c.feedback({ mail: 'a@b.cd', reason: 'r' } as never), 'message'],
    ['diff with a non-boolean block', (c) => c.diff({ diffid: 1, block: 'yes' as never }), 'block'],
    ['diff with an invalid date', (c) => c.diff({ after: new Date(Number.NaN) }), 'after'],
    ['diff with a negative last', (c) => c.diff({ last: -1 }), 'last'],
    ['diff with an unknown param', (c) => c.diff({ since: 3 } as never), 'since'],
    ['diff with both diffid and last', (c) => c.diff({ diffid: 1, last: 2 } as never), 'diffid|last'],
    ['diff with block but no diffid', (c) => c.diff({ block: true, after: new Date() }), 'block'],
  ];

  it.each(cases)('%s', async (_label, call, param) => {
    const { client, sent } = setup();
    const error = await call(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).param).toBe(param);
    expect(sent).toHaveLength(0);
  });

  it('standalone functions validate the same way', async () => {
    const { client, sent } = setup();
    await expect(setlanguage(client, {} as never)).rejects.toMatchObject({ code: 'PCLOUD_VALIDATION_ERROR', param: 'language' });
    expect(sent).toHaveLength(0);
  });

  it('a valid call reaches the transport with wire params', async () => {
    const { client, sent } = setup();
    await client.diff({ diffid: 5, block: true, after: undefined }).catch(() => undefined);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.method).toBe('diff');
    expect(sent[0]!.params).toMatchObject({ diffid: 5, block: 1 });
    expect(sent[0]!.params).not.toHaveProperty('after');
  });
});
