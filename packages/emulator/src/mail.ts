import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleCors } from './http/api-server.js';

/**
 * What a mail is about. The account and newsletter methods send the kinds
 * listed here; later groups (shares, transfers) add their own names.
 */
export type MailKind =
  | 'verifyemail'
  | 'resetpassword'
  | 'changemail-old'
  | 'changemail-new'
  | 'changemail-done'
  | 'deactivate'
  | 'invite'
  | 'newsletter-verify'
  | 'newsletter-unsubscribe'
  | (string & {});

/** One mail the emulator "sent": it only ever lands in the outbox. */
export interface Mail {
  /** Increasing number, unique within one emulator run. */
  readonly id: number;
  readonly to: string;
  readonly from: string;
  readonly subject: string;
  readonly kind: MailKind;
  /** The body as plain text (it names the code and the link as well). */
  readonly text: string;
  /** The code the user would type or paste into the method that takes it. */
  readonly code?: string;
  /** The link the user would click: the emulator's API URL of the method that takes the code. */
  readonly link?: string;
  /** Epoch milliseconds. */
  readonly sent: number;
}

export interface MailFilter {
  /** Only mails to this address (case-insensitive). */
  to?: string;
  kind?: string;
  /** Only mails with a larger id. */
  after?: number;
}

/** Reading the outbox: what `emulator.mail` offers. */
export interface Mailbox {
  /** Mails still in the outbox, oldest first. */
  list(filter?: MailFilter): Mail[];
  /**
   * The oldest mail to `to` (of `kind`, when given) that no earlier `next`
   * returned, waiting up to `timeoutMs` (default 5000) for one to arrive.
   * Rejects when none came in time.
   */
  next(to: string, opts?: { timeoutMs?: number; kind?: string }): Promise<Mail>;
  /** Empties the outbox. */
  clear(): void;
  /** Calls `fn` for each new mail; returns the function that stops it. */
  onMail(fn: (mail: Mail) => void): () => void;
}

export interface OutboxOptions {
  /** Mails kept; older ones are dropped (default 1000). */
  keep?: number;
  /** Mails per address and kind within `windowMs` before the methods answer 4000 (default 10). */
  rateLimit?: number;
  /** Window of the rate limit (default 15 minutes). */
  rateWindowMs?: number;
  /** Clock in epoch milliseconds (default `Date.now`). */
  now?: () => number;
}

export const MAIL_FROM = 'pCloud (emulator) <noreply@pcloudkit.test>';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function matches(m: Mail, f: MailFilter): boolean {
  return (
    (f.to === undefined || same(m.to, f.to)) && (f.kind === undefined || m.kind === f.kind) && (f.after === undefined || m.id > f.after)
  );
}

/**
 * Where every mail the emulator would send lands: tests, the CLI's
 * `--mail-log`, the admin path and the playground read it from here. Also
 * keeps the per-address rate limit of the mail-sending methods.
 */
export class Outbox implements Mailbox {
  private mails: Mail[] = [];
  private lastId = 0;
  private readonly taken = new Set<number>();
  private readonly listeners = new Set<(m: Mail) => void>();
  private readonly sentTimes = new Map<string, number[]>();
  private readonly keep: number;
  private readonly rateLimit: number;
  private readonly rateWindowMs: number;
  private readonly now: () => number;

  constructor(options: OutboxOptions = {}) {
    this.keep = Math.max(1, options.keep ?? 1000);
    this.rateLimit = Math.max(1, options.rateLimit ?? 10);
    this.rateWindowMs = Math.max(0, options.rateWindowMs ?? 15 * 60_000);
    this.now = options.now ?? Date.now;
  }

  /**
   * Counts one mail of `kind` to `to` against the rate limit: false (and
   * nothing counted) when the address already had its share in the window.
   */
  allow(to: string, kind: string): boolean {
    const key = `${kind}\n${to.toLowerCase()}`;
    const cutoff = this.now() - this.rateWindowMs;
    const times = (this.sentTimes.get(key) ?? []).filter((t) => t > cutoff);
    if (times.length >= this.rateLimit) {
      this.sentTimes.set(key, times);
      return false;
    }
    times.push(this.now());
    this.sentTimes.set(key, times);
    return true;
  }

  send(mail: { to: string; subject: string; kind: MailKind; text: string; code?: string; link?: string }): Mail {
    const m: Mail = { id: ++this.lastId, from: MAIL_FROM, ...mail, sent: this.now() };
    this.mails.push(m);
    if (this.mails.length > this.keep) {
      for (const old of this.mails.splice(0, this.mails.length - this.keep)) this.taken.delete(old.id);
    }
    for (const fn of [...this.listeners]) {
      try {
        fn(m);
      } catch (e) {
        console.error('[emulator] mail listener failed:', e);
      }
    }
    return m;
  }

  list(filter: MailFilter = {}): Mail[] {
    return this.mails.filter((m) => matches(m, filter));
  }

  next(to: string, opts: { timeoutMs?: number; kind?: string } = {}): Promise<Mail> {
    const filter: MailFilter = { to, ...(opts.kind !== undefined ? { kind: opts.kind } : {}) };
    const pick = (m: Mail) => matches(m, filter) && !this.taken.has(m.id);
    const found = this.mails.find(pick);
    if (found) {
      this.taken.add(found.id);
      return Promise.resolve(found);
    }
    const timeoutMs = opts.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const stop = this.onMail((m) => {
        if (!pick(m)) return;
        this.taken.add(m.id);
        clearTimeout(timer);
        stop();
        resolve(m);
      });
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`no mail${opts.kind ? ` (${opts.kind})` : ''} to ${to} within ${timeoutMs} ms`));
      }, timeoutMs);
    });
  }

  clear(): void {
    this.mails = [];
    this.taken.clear();
  }

  onMail(fn: (mail: Mail) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

/** Path of the outbox on the API server; not a pCloud method, never reachable with credentials. */
export const MAIL_PATH = '/_emulator/mail';

/** Query and header names that carry credentials: a request with any of them is refused. */
const CREDENTIALS = ['auth', 'access_token', 'username', 'password', 'passwordmd5', 'passworddigest'];

/** Longest `wait` the admin path honours. */
const MAX_WAIT_MS = 30_000;

/**
 * The admin path: `GET /_emulator/mail[?to=&kind=&after=&wait=ms]` answers
 * `{ mails: [...] }` (with `wait`, holds the answer until a matching mail
 * arrives or the time is up); `DELETE` empties the outbox. Any origin may
 * read it (CORS), so the playground can show the mails. A request carrying
 * credentials (`auth`, `access_token`, a password or an Authorization
 * header) is refused with 403: the outbox is the emulator operator's, not
 * an API resource a token could reach.
 */
export function createMailRoute(outbox: Mailbox) {
  return async function mailRoute(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (handleCors(req, res, 'GET, DELETE, OPTIONS')) return;
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(text),
        'Cache-Control': 'no-store',
      });
      res.end(text);
    };
    if (req.headers.authorization !== undefined || CREDENTIALS.some((k) => url.searchParams.has(k))) {
      reply(403, { error: 'the emulator outbox takes no credentials: it is not part of the pCloud API' });
      return;
    }
    if (req.method === 'DELETE') {
      const n = outbox.list().length;
      outbox.clear();
      reply(200, { cleared: n });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, DELETE, OPTIONS');
      reply(405, { error: 'use GET to read the outbox or DELETE to empty it' });
      return;
    }
    const filter: MailFilter = {};
    const to = url.searchParams.get('to');
    const kind = url.searchParams.get('kind');
    const after = Number(url.searchParams.get('after') ?? '');
    const wait = Math.min(MAX_WAIT_MS, Math.max(0, Number(url.searchParams.get('wait') ?? '0') || 0));
    if (to) filter.to = to;
    if (kind) filter.kind = kind;
    if (url.searchParams.has('after') && Number.isInteger(after)) filter.after = after;
    let mails = outbox.list(filter);
    if (mails.length === 0 && wait > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          stop();
          req.socket.off('close', done);
          resolve();
        };
        const stop = outbox.onMail((m) => {
          if (matches(m, filter)) done();
        });
        const timer = setTimeout(done, wait);
        req.socket.once('close', done);
      });
      mails = outbox.list(filter);
    }
    reply(200, { mails });
  };
}

/** One line of `--mail-log`: the mail as JSON under a `mail` key. */
export function mailLogLine(m: Mail): string {
  return `${JSON.stringify({ mail: m })}\n`;
}
