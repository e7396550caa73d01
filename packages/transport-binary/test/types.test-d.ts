import { expectTypeOf, test } from 'vitest';
import type { Transport } from '@pcloudkit/core';
import { binaryTransport, decodeResponse, encodeRequest, type BinaryTransportOptions, type DecodedResponse } from '../src/index.js';

test('public types', () => {
  expectTypeOf(binaryTransport).returns.toEqualTypeOf<Transport>();
  expectTypeOf(binaryTransport).parameter(0).toEqualTypeOf<BinaryTransportOptions | undefined>();
  expectTypeOf<BinaryTransportOptions['onFrame']>().toEqualTypeOf<((dir: 'out' | 'in', bytes: Uint8Array) => void) | undefined>();
  expectTypeOf(encodeRequest).returns.toEqualTypeOf<Uint8Array>();
  expectTypeOf(decodeResponse).returns.toEqualTypeOf<DecodedResponse>();
  expectTypeOf<DecodedResponse['dataLength']>().toEqualTypeOf<number | bigint>();
  // @ts-expect-error tls must be a boolean
  binaryTransport({ tls: 'yes' });
});
