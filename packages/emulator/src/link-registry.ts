import { randomBytes } from 'node:crypto';
import type { ThumbRequest } from './thumbnail.js';

/** A file the content servers serve under a random path until it expires. */
export interface ContentLink {
  userid: number;
  fileid: number;
  blob: string;
  size: number;
  name: string;
  contenttype: string;
  kind: 'file' | 'audio' | 'video' | 'hls' | 'thumb' | 'zip';
  forcedownload: boolean;
  contenttypeOverride?: string;
  maxspeed?: number;
  /** Epoch milliseconds after which the link answers 410. */
  expires: number;
  /** hls: path of the link that serves the media itself. */
  segmentPath?: string;
  /** zip: makes the archive's bytes again for each download (`size` is its exact length). */
  zip?: () => import('node:stream').Readable;
  /** audio: MP3 bitrate to transcode to, kbit/s. */
  abitrate?: number;
  /** thumb: the thumbnail of `blob` to serve. */
  thumb?: ThumbRequest;
  /**
   * Handed out through a public link: `live` is asked before each request
   * (false once the link is deleted, expired or used up: the content server
   * answers 410), `served` is told the bytes each request sends and whether
   * it starts a download (not the rest of a resumed one).
   */
  publink?: { live: () => boolean; served: (bytes: number, starts: boolean) => void };
}

/** Expired links are swept once the registry holds more than this many. */
const SWEEP_ABOVE = 10_000;

/**
 * Content-server links: `add` files a link under a fresh random key with
 * the registry's lifetime, `find` tells the content servers what a path's
 * key stands for (or that it expired, which pCloud answers differently
 * from an unknown link).
 */
export class LinkRegistry {
  private readonly links = new Map<string, ContentLink>();
  private readonly now: () => number;

  constructor(
    readonly ttlMs: number,
    now: () => number = Date.now,
  ) {
    this.now = now;
  }

  /**
   * Registers a link valid for `ttlMs` from now. The path is `/<key>/<name>`
   * (name URL-encoded, `name` overrides the link's own), or `/<key>` with
   * `skipFilename`.
   */
  add(link: Omit<ContentLink, 'expires'>, opts: { skipFilename?: boolean; name?: string } = {}): { path: string; expires: number } {
    const now = this.now();
    if (this.links.size > SWEEP_ABOVE) for (const [k, l] of this.links) if (l.expires < now) this.links.delete(k);
    const key = randomBytes(18).toString('base64url');
    const expires = now + this.ttlMs;
    this.links.set(key, { ...link, expires });
    const path = opts.skipFilename ? `/${key}` : `/${key}/${encodeURIComponent(opts.name ?? link.name)}`;
    return { path, expires };
  }

  /** The link filed under `key`, `'expired'` once its lifetime is over, undefined when unknown. */
  find(key: string): ContentLink | 'expired' | undefined {
    const link = this.links.get(key);
    if (!link) return undefined;
    return this.now() > link.expires ? 'expired' : link;
  }

  /** Forgets every link of a user (the account was removed): they answer 404 from now on. */
  forgetUser(userid: number): void {
    for (const [k, l] of this.links) if (l.userid === userid) this.links.delete(k);
  }

  /** Forgets every link to a file (it was deleted or moved to the trash): they answer 404 from now on. */
  forgetFile(fileid: number): void {
    for (const [k, l] of this.links) if (l.fileid === fileid) this.links.delete(k);
  }

  get size(): number {
    return this.links.size;
  }
}
