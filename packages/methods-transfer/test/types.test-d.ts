import { describe, expectTypeOf, test } from 'vitest';
import type { CoreClient } from '@pcloudkit/core';
import { type TransferProgress, transfer, uploadtransfer, uploadtransferprogress } from '../src/index.js';

declare const client: CoreClient;

describe('transfer method types', () => {
  test('recipients are a list; the progress answer is typed', async () => {
    expectTypeOf(uploadtransfer).toBeCallableWith(client, { sendermail: 's@x.test', receivermails: ['a@x.test'] });
    // @ts-expect-error receivermails is required
    uploadtransfer(client, { sendermail: 's@x.test' });
    expectTypeOf(await uploadtransferprogress(client, { progresshash: 'h' })).toEqualTypeOf<TransferProgress>();
  });

  test('the plugin adds the send helper', async () => {
    const c = client.use(transfer);
    const sent = await c.transfers.send({ name: 'a', data: new Uint8Array(1) }, { sendermail: 's@x.test', receivermails: ['a@x.test'] });
    expectTypeOf(sent).toEqualTypeOf<{ files: number; receivers: number }>();
  });
});
