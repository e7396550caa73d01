import type { CoreClient, ParamsOf, ResultOf } from '@pcloudkit/core';
import { describe, expectTypeOf, test } from 'vitest';
import {
  type acceptshare,
  type listshares,
  type OfferParams,
  permissionsOf,
  type Share,
  type ShareRequest,
  type sharefolder,
  sharerequestinfo,
} from '../src/index.js';

declare const client: CoreClient;

describe('sharing method types', () => {
  test('the one-of sets are part of the params', () => {
    expectTypeOf<{ folderid: number; mail: string; permissions: number }>().toMatchTypeOf<ParamsOf<typeof sharefolder>>();
    expectTypeOf<{ path: string; mail: string; permissions: number }>().toMatchTypeOf<ParamsOf<typeof sharefolder>>();
    expectTypeOf<{ mail: string; permissions: number }>().not.toMatchTypeOf<ParamsOf<typeof sharefolder>>();
    expectTypeOf<{ code: string }>().toMatchTypeOf<ParamsOf<typeof acceptshare>>();
    expectTypeOf<{ name: string }>().not.toMatchTypeOf<ParamsOf<typeof acceptshare>>();
  });

  test('answers: dates, optional sections, named rights', async () => {
    const r: ResultOf<typeof listshares> = {};
    expectTypeOf(r.shares?.incoming).toEqualTypeOf<Share[] | undefined>();
    expectTypeOf(r.requests?.outgoing).toEqualTypeOf<ShareRequest[] | undefined>();
    const { share } = await sharerequestinfo(client, { code: 'x' });
    expectTypeOf(share.expires).toEqualTypeOf<Date>();
    expectTypeOf(permissionsOf(share)).toEqualTypeOf<{ create: boolean; modify: boolean; delete: boolean }>();
  });

  test('offers take rights by name, not a mask', () => {
    expectTypeOf<{ folderid: number; mail: string; permissions: { create: true } }>().toMatchTypeOf<OfferParams>();
    expectTypeOf<{ folderid: number; mail: string; permissions: 3 }>().not.toMatchTypeOf<OfferParams>();
  });
});
