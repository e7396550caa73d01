import { describe, expect, it } from 'vitest';
import { createClient, defineMethod, definePlugin, memoryTransport, methodList, param } from '../src/index.js';

const alpha = defineMethod({ name: 'alpha', group: 't', auth: false, params: { n: param.int() } });
const beta = defineMethod({ name: 'beta', group: 't', auth: false });

describe('definePlugin', () => {
  it('keys a list of definitions by wire name, and a record by its keys', () => {
    expect(Object.keys(definePlugin({ name: 'p', methods: [beta, alpha] }).methods)).toEqual(['beta', 'alpha']);
    const list = definePlugin({ name: 'p', methods: [alpha, beta] });
    expect(list.methods.alpha).toBe(alpha);
    expect(Object.isFrozen(list.methods)).toBe(true);
    const record = definePlugin({ name: 'p', methods: { first: alpha } });
    expect(Object.keys(record.methods)).toEqual(['first']);
    expect(record.methods.first).toBe(alpha);
  });

  it('refuses duplicates and things that are not definitions', () => {
    expect(() => definePlugin({ name: 'p', methods: [alpha, alpha] })).toThrow(/'alpha' is listed twice/);
    expect(() => definePlugin({ name: 'p', methods: [alpha, { name: 'x' }] as never })).toThrow(/item 1 .* not a method definition/);
    expect(() => definePlugin({ name: 'p', methods: { a: 42 } as never })).toThrow(/'a' is not a method definition/);
  });

  it('gives a client the listed methods, callable by wire name', async () => {
    const transport = memoryTransport({ answer: (request) => ({ result: 0, method: request.method, n: request.params.n }) });
    const client = createClient({ transport }).use(definePlugin({ name: 'p', methods: [alpha, beta] }));
    expect(await client.alpha({ n: 3 })).toMatchObject({ method: 'alpha', n: 3 });
    expect(await client.beta()).toMatchObject({ method: 'beta' });
  });
});

describe('methodList', () => {
  it('lists the definitions of a module, sorted by name, frozen', () => {
    const list = methodList({ beta, alpha });
    expect(list.map((m) => m.name)).toEqual(['alpha', 'beta']);
    expect(Object.isFrozen(list)).toBe(true);
  });

  it('refuses an export that is not a method or not named as its method', () => {
    expect(() => methodList({ alpha, other: 1 } as never)).toThrow(/'other' is not a method definition/);
    expect(() => methodList({ gamma: alpha })).toThrow(/'alpha' is exported as 'gamma'/);
  });
});

describe('defineMethod traits', () => {
  it('keeps longPoll, payloadUpload and connectionBound on the definition', () => {
    const poll = defineMethod({ name: 'poll', group: 't', params: { since: param.int(), wait: param.flag() }, longPoll: 'wait' });
    const write = defineMethod({
      name: 'write',
      group: 't',
      params: { fd: param.int() },
      data: 'upload',
      payloadUpload: true,
      connectionBound: true,
    });
    expect([poll.longPoll, poll.payloadUpload, poll.connectionBound]).toEqual(['wait', undefined, undefined]);
    expect([write.longPoll, write.payloadUpload, write.connectionBound, write.data]).toEqual([undefined, true, true, 'upload']);
  });

  it('refuses a longPoll naming a param the method does not have', () => {
    expect(() => defineMethod({ name: 'poll', group: 't', params: { since: param.int() }, longPoll: 'block' })).toThrow(
      /longPoll names unknown param 'block'/,
    );
  });
});
