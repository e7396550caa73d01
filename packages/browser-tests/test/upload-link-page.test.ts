/**
 * The emulator's upload link page in Chromium: an anonymous visitor opens the
 * link a `createuploadlink` answer gives, picks two files, says who they are
 * and uploads; the files land in the owner's folder, byte for byte, and the
 * page reports no error.
 */
import { startEmulator, type Emulator } from '@pcloudkit/emulator';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, problems, recordPageEvents } from './chromium.js';

let emulator: Emulator;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  emulator = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await browser?.close();
  await emulator?.stop();
});

async function api(method: string, params: Record<string, string | number>): Promise<Record<string, any>> {
  const qs = new URLSearchParams(Object.entries({ auth: emulator.auth, ...params }).map(([k, v]) => [k, String(v)]));
  const body = (await (await fetch(`${emulator.api}/${method}?${qs}`)).json()) as Record<string, any>;
  if (body.result !== 0) throw new Error(`${method}: ${JSON.stringify(body)}`);
  return body;
}

describe('upload link page', () => {
  it('an anonymous visitor uploads files into the owner’s folder', async () => {
    const folder = await api('createfolder', { folderid: 0, name: 'From the page' });
    const folderid = folder.metadata.folderid as number;
    const made = await api('createuploadlink', { folderid, comment: 'Drop the holiday photos here' });
    const context = await browser.newContext();
    const events = recordPageEvents(context);
    try {
      const page = await context.newPage();
      await page.goto(made.link);
      expect(await page.textContent('#comment')).toBe('Drop the holiday photos here');
      const photo = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 13) % 256));
      await page.setInputFiles('#files', [
        { name: 'photo.bin', mimeType: 'application/octet-stream', buffer: photo },
        { name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('see you soon') },
      ]);
      await page.fill('#names', 'Dora');
      await page.click('button[type=submit]');
      await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Uploaded'), undefined, {
        timeout: 20_000,
      });
      const listing = await api('listfolder', { folderid });
      const files = (listing.metadata.contents as { name: string; fileid: number; size: number }[]).sort((a, b) =>
        a.name.localeCompare(b.name),
      );
      expect(files.map((f) => [f.name, f.size])).toEqual([
        ['note.txt', 12],
        ['photo.bin', photo.length],
      ]);
      const link = await api('getfilelink', { fileid: files[1]!.fileid });
      const bytes = Buffer.from(await (await fetch(`http://${link.hosts[0]}${link.path}`)).arrayBuffer());
      expect(bytes.equals(photo)).toBe(true);
      expect(emulator.core.store.uploadLinkFile(files[0]!.fileid)).toMatchObject({ uploader: 'Dora' });
      const { uploadlinks } = await api('listuploadlinks', {});
      expect(uploadlinks[0]).toMatchObject({ files: 2, space: photo.length + 12 });
      expect(problems(events)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a deleted link’s page says so', async () => {
    const made = await api('createuploadlink', { folderid: 0, comment: 'short-lived' });
    await api('deleteuploadlink', { uploadlinkid: made.uploadlinkid });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const res = await page.goto(made.link);
      expect(res?.status()).toBe(410);
      expect(await page.textContent('body')).toContain('This link is deleted by the owner.');
    } finally {
      await context.close();
    }
  });
});
