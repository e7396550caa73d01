import { describe, expectTypeOf, it } from 'vitest';
import {
  checkLayer,
  createClient,
  defaultRetryPolicy,
  hostLayer,
  hostState,
  memoryTransport,
  retryLayer,
  retryPolicy,
  type ClientRequest,
  type Layer,
  type LayerName,
  type MemoryTransport,
  type Middleware,
  type MiddlewareEntry,
  type RetryPolicy,
  type Transport,
  type TransportRequest,
} from '../src/index.js';

const mw: Middleware = (next) => next;
const transport = memoryTransport();

describe('pipeline types', () => {
  it('layers are middleware with a literal name', () => {
    expectTypeOf(retryLayer()).toEqualTypeOf<Layer<'retry'>>();
    expectTypeOf(retryLayer().name).toEqualTypeOf<'retry'>();
    expectTypeOf(checkLayer()).toMatchTypeOf<Middleware>();
    expectTypeOf(hostLayer(hostState({ hostKind: 'api' })).name).toEqualTypeOf<'host'>();
    expectTypeOf<LayerName>().toEqualTypeOf<'retry' | 'credentials' | 'host' | 'timeout' | 'check'>();
  });

  it('middleware entries: plain functions or placed next to a layer', () => {
    createClient({ transport, middleware: [mw, { middleware: mw, before: 'transport' }, { middleware: mw, after: 'credentials' }] });
    // @ts-expect-error not a layer
    createClient({ transport, middleware: [{ middleware: mw, before: 'trnsport' }] });
    // @ts-expect-error nothing comes after the transport
    createClient({ transport, middleware: [{ middleware: mw, after: 'transport' }] });
    // @ts-expect-error before and after at once
    createClient({ transport, middleware: [{ middleware: mw, before: 'host', after: 'retry' }] });
    expectTypeOf<{ middleware: Middleware; after: 'check' }>().toMatchTypeOf<MiddlewareEntry>();
  });

  it('retry policies', () => {
    expectTypeOf(defaultRetryPolicy).toEqualTypeOf<RetryPolicy>();
    expectTypeOf(retryPolicy({ retries: 3 })).toEqualTypeOf<RetryPolicy>();
    expectTypeOf<RetryPolicy['shouldRetry']>().parameters.toEqualTypeOf<[unknown, ClientRequest, number]>();
    createClient({ transport, retry: { retries: 1, shouldRetry: (_e, req) => req.method === 'stat', delay: (attempt) => attempt * 100 } });
    // @ts-expect-error delay is required
    createClient({ transport, retry: { retries: 1, shouldRetry: () => true } });
  });

  it('the memory transport is a Transport that records requests', () => {
    expectTypeOf(transport).toEqualTypeOf<MemoryTransport>();
    expectTypeOf(transport).toMatchTypeOf<Transport>();
    expectTypeOf(transport.requests).toEqualTypeOf<TransportRequest[]>();
    memoryTransport({ answer: (req) => (req.responseType === 'data' ? new Uint8Array(1) : { result: 0 }) });
    memoryTransport({ answer: async () => new Error('down') });
    // @ts-expect-error a number is no answer
    memoryTransport({ answer: () => 42 });
  });
});
