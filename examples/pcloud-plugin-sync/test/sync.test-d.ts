/**
 * Type tests (vitest typecheck): what `client.use(sync)` adds is fully typed,
 * params and results inferred from the plugin's definition.
 */
import type { ChecksumFileResult } from '@pcloudkit/methods-file';
import { createClient, memoryTransport } from '@pcloudkit/core';
import { describe, expectTypeOf, it } from 'vitest';
import { type SyncOptions, type SyncReport, sync } from '../src/index.js';

const client = createClient({ transport: memoryTransport(), auth: { accessToken: 't' } }).use(sync);

describe('client.use(sync)', () => {
  it('adds syncFolder with its options and report', () => {
    expectTypeOf(client.syncFolder).parameter(0).toEqualTypeOf<SyncOptions>();
    expectTypeOf(client.syncFolder).returns.resolves.toEqualTypeOf<SyncReport>();
    expectTypeOf<SyncReport['uploaded']>().toEqualTypeOf<string[]>();
    // @ts-expect-error `to` is required
    client.syncFolder({ from: './photos' });
    // @ts-expect-error `dryRun` is a boolean
    client.syncFolder({ from: './photos', to: '/p', dryRun: 'yes' });
  });

  it('adds remoteChecksum with checksumfile params and result', () => {
    expectTypeOf(client.remoteChecksum({ fileid: 1 })).resolves.toEqualTypeOf<ChecksumFileResult>();
    expectTypeOf(client.remoteChecksum({ path: '/a.txt' }))
      .resolves.toHaveProperty('sha1')
      .toEqualTypeOf<string>();
    // @ts-expect-error exactly one of fileid and path
    client.remoteChecksum({ fileid: 1, path: '/a.txt' });
    // @ts-expect-error one of fileid and path is needed
    client.remoteChecksum({});
    // @ts-expect-error fileid is a number, bigint or decimal string
    client.remoteChecksum({ fileid: true });
  });

  it('adds nothing it does not declare', () => {
    // @ts-expect-error listfolder comes with the folder plugin, not with sync
    client.listfolder;
    expectTypeOf(client).toHaveProperty('close');
  });
});
