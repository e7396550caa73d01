import { describe, expectTypeOf, it } from 'vitest';
import {
  createClient,
  defineMethod,
  definePlugin,
  methodList,
  param,
  returns,
  type CoreClient,
  type ParamsOf,
  type Transport,
} from '../src/index.js';

const getlink = defineMethod({
  name: 'getlink',
  group: 'x',
  params: { fileid: param.int(), path: param.string(), abitrate: param.int(), name: param.string({ required: true }) },
  oneOf: { target: ['fileid', 'path'] },
  result: returns<{ hosts: string[]; expires: Date }>(),
});
const copy = defineMethod({
  name: 'copy',
  group: 'x',
  params: { fileid: param.int(), path: param.string(), tofolderid: param.int(), topath: param.string() },
  oneOf: { source: ['fileid', 'path'], destination: ['tofolderid', 'topath'] },
});
const ping = defineMethod({ name: 'ping', group: 'x', auth: false });
const since = defineMethod({
  name: 'since',
  group: 'x',
  params: { diffid: param.int(), last: param.int(), limit: param.int() },
  atMostOne: { since: ['diffid', 'last'] },
});
const plugin = definePlugin({ name: 'x', methods: { getlink, copy, ping, since }, extend: () => ({ helper: (n: number) => n * 2 }) });
declare const transport: Transport;

describe('plugin type inference', () => {
  const client = createClient({ transport }).use(plugin);
  it('adds typed methods and helpers', () => {
    expectTypeOf(client.getlink({ fileid: 1, name: 'n' })).resolves.toEqualTypeOf<{ hosts: string[]; expires: Date }>();
    expectTypeOf(client.helper).toEqualTypeOf<(n: number) => number>();
    expectTypeOf(client).toMatchTypeOf<CoreClient>();
    expectTypeOf(client.ping).parameter(0).toEqualTypeOf<{} | undefined>();
  });
  it('enforces required params and one-of sets', () => {
    // @ts-expect-error name is required
    void client.getlink({ fileid: 1 });
    // @ts-expect-error both members of a one-of set
    void client.getlink({ fileid: 1, path: '/a', name: 'n' });
    // @ts-expect-error neither member
    void client.getlink({ name: 'n' });
    // @ts-expect-error wrong type
    void client.getlink({ fileid: true, name: 'n' });
    void client.copy({ fileid: 1, topath: '/b' });
    // @ts-expect-error destination missing
    void client.copy({ fileid: 1 });
    void client.since({});
    void client.since({ last: 1, limit: 2 });
    // @ts-expect-error at most one of diffid/last
    void client.since({ diffid: 1, last: 2 });
  });
  it('standalone calls are typed the same way', () => {
    expectTypeOf(getlink).toBeCallableWith(client, { path: '/a', name: 'n' });
    expectTypeOf(getlink(client, { path: '/a', name: 'n' }))
      .resolves.toHaveProperty('expires')
      .toEqualTypeOf<Date>();
  });
});

describe('plugins from a list of definitions', () => {
  const fromArray = definePlugin({ name: 'y', methods: [getlink, copy, ping] });
  const fromList = definePlugin({ name: 'z', methods: methodList({ getlink, since }) });
  const client = createClient({ transport }).use(fromArray).use(fromList);
  it('keys each method by its wire name, with full params and result inference', () => {
    expectTypeOf(client.getlink).parameter(0).toEqualTypeOf<ParamsOf<typeof getlink>>();
    expectTypeOf(client.getlink({ path: '/a', name: 'n' })).resolves.toEqualTypeOf<{ hosts: string[]; expires: Date }>();
    expectTypeOf(client.copy).parameter(0).toEqualTypeOf<ParamsOf<typeof copy>>();
    expectTypeOf(client.ping).parameter(0).toEqualTypeOf<{} | undefined>();
    expectTypeOf(client.since).parameter(0).toEqualTypeOf<ParamsOf<typeof since> | undefined>();
    // @ts-expect-error name is required
    void client.getlink({ fileid: 1 });
    // @ts-expect-error not in any list
    void client.nothere;
  });
  it('keeps the record form: keys are member names', () => {
    const renamed = createClient({ transport }).use(definePlugin({ name: 'r', methods: { link: getlink } }));
    expectTypeOf(renamed.link).parameter(0).toEqualTypeOf<ParamsOf<typeof getlink>>();
    // @ts-expect-error the record key, not the wire name, is the member
    void renamed.getlink;
  });
  it('a methodList is a readonly array of its definitions', () => {
    expectTypeOf(methodList({ getlink, since })).toMatchTypeOf<ReadonlyArray<typeof getlink | typeof since>>();
  });
});
