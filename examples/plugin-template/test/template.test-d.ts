/** Type tests: `client.use(template)` infers the method's params and result, and the helper's signature. */
import { createClient, type FileMetadata, memoryTransport } from '@pcloudkit/core';
import { expectTypeOf, it } from 'vitest';
import { template } from '../src/index.js';

const client = createClient({ transport: memoryTransport(), auth: { accessToken: 't' } }).use(template);

it('types stat and sizeOf', () => {
  expectTypeOf(client.stat({ path: '/a.txt' })).resolves.toEqualTypeOf<{ metadata: FileMetadata }>();
  expectTypeOf(client.sizeOf).toEqualTypeOf<(path: string) => Promise<number>>();
  // @ts-expect-error exactly one of fileid and path
  client.stat({});
  // @ts-expect-error not both
  client.stat({ fileid: 1, path: '/a.txt' });
  // @ts-expect-error path is a string
  client.stat({ path: 1 });
});
