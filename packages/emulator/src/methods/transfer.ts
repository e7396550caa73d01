import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { CallContext, MethodGroup } from '../context.js';
import type { EmulatorCore } from '../core.js';
import { ApiError } from '../errors.js';
import type { Body } from '../json.js';
import type { ContentLink } from '../link-registry.js';
import { typeOf } from '../mime.js';
import { nowSeconds } from '../time.js';
import { progressReply, receiveFiles } from './file.js';

/**
 * Transfers: anyone sends files to up to 20 addresses without an account.
 * The files are kept apart from every account; each recipient gets a mail
 * (kind `transfer`) with a download link per file on the content servers,
 * valid for a week and across restarts.
 */

/** Recipients one transfer may have (more: 2099). */
export const MAX_RECEIVERS = 20;

/** Bytes one transfer may carry (more: 2097). */
export const MAX_TRANSFER_BYTES = 5 * 1024 ** 3;

/** Characters of the sender's message kept (pCloud's limit). */
const MAX_MESSAGE = 160;

/** The mail kind the outbox receives for each recipient. */
export const TRANSFER_MAIL_KIND = 'transfer';

/** A plain address check: something@domain.tld, no spaces. */
const isAddress = (s: string) => /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/.test(s);

/** How long a transfer's files can be downloaded (pCloud Transfer keeps them a week). */
export const TRANSFER_LIFETIME_SECONDS = 7 * 24 * 3600;

/** First path segment of a transfer's download links on the content servers. */
export const TRANSFER_PATH = 'transfer';

/** Compares a link's key with the transfer's secret in constant time. */
function sameKey(key: string, secret: string): boolean {
  const a = Buffer.from(key);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * What a content server serves for `/transfer/<id>/<position>/<key>/<name>`:
 * the file, while the transfer lasts (then 'expired'); undefined for a
 * path that names no file or carries the wrong key. The paths stay valid
 * across restarts, as the transfer does.
 */
export function transferLink(core: EmulatorCore, pathname: string): ContentLink | 'expired' | undefined {
  const [, , id, position, key] = pathname.split('/');
  if (!/^\d+$/.test(id ?? '') || !/^\d+$/.test(position ?? '') || key === undefined) return undefined;
  const file = core.store.transferFile(Number(id), Number(position));
  if (!file || !sameKey(key, file.secret)) return undefined;
  const expires = (file.created + TRANSFER_LIFETIME_SECONDS) * 1000;
  if (Date.now() > expires) return 'expired';
  return {
    userid: 0,
    fileid: 0,
    blob: file.blob,
    size: file.size,
    name: file.name,
    contenttype: typeOf(file.name).contenttype,
    kind: 'file',
    forcedownload: true,
    expires,
  };
}

/** Where uploadtransferprogress finds a transfer. */
const progressKey = (hash: string) => `transfer:${hash}`;

export const transferMethods: MethodGroup = {
  async uploadtransfer(c: CallContext): Promise<Body> {
    const p = c.params;
    const sender = p.str('sendermail')?.trim() ?? '';
    if (!isAddress(sender)) throw new ApiError(1074);
    const receivers = [...new Set((p.list('receivermails') ?? []).map((r) => r.toLowerCase()))];
    if (receivers.length === 0 || !receivers.every(isAddress)) throw new ApiError(1075);
    if (receivers.length > MAX_RECEIVERS) throw new ApiError(2099);
    if (!c.core.mail.allow(sender, TRANSFER_MAIL_KIND)) throw new ApiError(2098);
    const message = (p.str('message') ?? '').slice(0, MAX_MESSAGE);
    const hash = p.str('progresshash');
    const files: { name: string; size: number; position: number }[] = [];
    let transferid: number | undefined;
    let bytes = 0;
    const received = receiveFiles(c, {
      ...(hash ? { progressKey: progressKey(hash) } : {}),
      maxBytes: () => Math.max(0, MAX_TRANSFER_BYTES - bytes),
      overLimit: () => new ApiError(2097),
      // a raw PUT body may come without `filename` (these methods document none)
      defaultName: 'upload.bin',
      keep(name, info) {
        // a random key per transfer: only the mail's readers know it, and it tells nothing about the content
        transferid ??= c.store.createTransfer(sender, receivers, message, randomBytes(16).toString('hex'));
        const position = files.length + 1;
        c.store.addTransferFile(transferid, position, name, info);
        files.push({ name, size: info.size, position });
        bytes += info.size;
        return { name, size: info.size };
      },
    });
    try {
      await received;
    } catch (e) {
      // a transfer whose upload broke is never mailed: nothing of it stays
      if (transferid !== undefined) c.store.deleteTransfer(transferid);
      throw e;
    }
    if (transferid === undefined) throw new ApiError(2088);
    const { scheme, contentHosts } = c.core.server;
    const links = files.map((f) => {
      const stored = c.store.transferFile(transferid!, f.position)!;
      const path = `/${TRANSFER_PATH}/${transferid}/${f.position}/${stored.secret}/${encodeURIComponent(f.name)}`;
      return { ...f, url: `${scheme}://${contentHosts[(f.position - 1) % contentHosts.length]}${path}` };
    });
    const until = new Date((nowSeconds() + TRANSFER_LIFETIME_SECONDS) * 1000).toUTCString();
    const listing = links.map((l) => `${l.name} (${l.size} bytes): ${l.url}`).join('\n');
    for (const to of receivers) {
      c.core.mail.send({
        to,
        kind: TRANSFER_MAIL_KIND,
        subject: `${sender} sent you ${files.length === 1 ? 'a file' : `${files.length} files`}`,
        text: `${sender} sent you files through pCloud Transfer.\n${message ? `\nMessage: ${message}\n` : ''}\nDownload (until ${until}):\n${listing}\n`,
        link: links[0]!.url,
      });
    }
    return {};
  },

  uploadtransferprogress(c) {
    const hash = c.params.str('progresshash');
    const e = hash ? c.core.progress.get(progressKey(hash)) : undefined;
    if (!e) throw new ApiError(1900);
    return progressReply(e, true);
  },
};
