// Catalogue facts (names, groups, login, params, one-of sets) are checked for
// every method package by packages/catalog/test/sdk-definitions.test.ts; this
// file keeps the SDK's own choices.
import { createClient, memoryTransport, type TransportRequest } from '@pcloudkit/core';
import { describe, expect, test } from 'vitest';
import * as pkg from '../src/index.js';

describe('upload link definitions', () => {
  test('the reads are safe to repeat; the three an uploader uses need no login', () => {
    expect(pkg.definitions.filter((d) => d.idempotent).map((d) => d.name)).toEqual([
      'listuploadlinks',
      'showuploadlink',
      'uploadlinkprogress',
    ]);
    expect(pkg.definitions.filter((d) => !d.auth).map((d) => d.name)).toEqual(['showuploadlink', 'uploadlinkprogress', 'uploadtolink']);
  });

  test('a client without credentials sends no credentials for the anonymous methods', async () => {
    const seen: TransportRequest[] = [];
    const transport = memoryTransport({
      answer: (r: TransportRequest) => {
        seen.push(r);
        return { result: 0, comment: 'c', mail: 'm@u.example' };
      },
    });
    const client = createClient({ transport, retries: 0 }).use(pkg.uploadlinks);
    expect(await client.showuploadlink({ code: 'abc' })).toMatchObject({ comment: 'c' });
    const sent = Object.keys(seen[0]!.params);
    expect(sent).toContain('code');
    for (const credential of ['auth', 'access_token', 'username', 'password', 'digest']) expect(sent).not.toContain(credential);
  });
});
