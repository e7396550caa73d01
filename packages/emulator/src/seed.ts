import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { zipBuffer } from './archive.js';
import { contentHash } from './blobs.js';
import type { Store, UserRec } from './store.js';
import { typeOf } from './mime.js';

/** Credentials of the seeded demo account and app (documented in the README). */
export const DEMO = {
  username: 'demo@pcloudkit.test',
  password: 'demo-password',
  client_id: 'pcloudkit-demo-app',
  client_secret: 'pcloudkit-demo-secret',
  appName: 'pcloudkit demo app',
} as const;

/** A mono 16-bit PCM WAV with a sine tone (default: 1 s of 440 Hz at 8 kHz). */
export function makeWav(opts: { seconds?: number; hz?: number; sampleRate?: number } = {}): Buffer {
  const rate = opts.sampleRate ?? 8000;
  const n = Math.round((opts.seconds ?? 1) * rate);
  const hz = opts.hz ?? 440;
  const buf = Buffer.alloc(44 + n * 2);
  buf.write('RIFF', 0, 'latin1');
  buf.writeUInt32LE(36 + n * 2, 4);
  buf.write('WAVE', 8, 'latin1');
  buf.write('fmt ', 12, 'latin1');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28); // byte rate
  buf.writeUInt16LE(2, 32); // block align
  buf.writeUInt16LE(16, 34); // bits per sample
  buf.write('data', 36, 'latin1');
  buf.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) {
    // short fade in/out so the tone does not click
    const env = Math.min(1, i / 200, (n - i) / 200);
    buf.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * 12000 * env), 44 + i * 2);
  }
  return buf;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An RGB PNG with a colour gradient (default 64x64). */
export function makePng(width = 64, height = 64): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      raw[row + 1 + x * 3] = Math.round((x / Math.max(1, width - 1)) * 255);
      raw[row + 2 + x * 3] = Math.round((y / Math.max(1, height - 1)) * 255);
      raw[row + 3 + x * 3] = 160;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A photo-like landscape as JPEG (default 1024x768): a sky fading to the
 * horizon, a sun with a glow, three ranges of hills and a grassy field,
 * with a little grain so it compresses like a photo. Drawn here, encoded
 * with sharp.
 */
export async function makePhoto(width = 1024, height = 768): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  const sunX = width * 0.72;
  const sunY = height * 0.3;
  const sunR = Math.min(width, height) * 0.07;
  // hill ridges: [base height (share of the image), amplitude, wavelength, phase, colour]
  const ridges: [number, number, number, number, [number, number, number]][] = [
    [0.55, 0.06, 0.9, 0.3, [92, 110, 140]],
    [0.64, 0.05, 0.55, 1.7, [58, 96, 72]],
    [0.74, 0.04, 0.35, 4.1, [70, 128, 52]],
  ];
  let seed = 12345;
  const grain = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed / 0x7fffffff - 0.5) * 14;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = y / height;
      let rgb: [number, number, number] = [90 + 130 * t, 150 + 80 * t, 235 - 20 * t];
      const d = Math.hypot(x - sunX, y - sunY);
      if (d < sunR) rgb = [255, 244, 200];
      else {
        const glow = Math.max(0, 1 - (d - sunR) / (sunR * 3)) ** 2;
        rgb = [rgb[0] + (255 - rgb[0]) * glow, rgb[1] + (230 - rgb[1]) * glow, rgb[2] + (170 - rgb[2]) * glow];
      }
      for (const [base, amp, wave, phase, colour] of ridges) {
        const ridge = height * (base - amp * Math.sin((x / width / wave) * 2 * Math.PI + phase));
        if (y >= ridge) {
          const shade = 1 - Math.min(0.35, (y - ridge) / height);
          rgb = [colour[0] * shade, colour[1] * shade, colour[2] * shade];
        }
      }
      const i = (y * width + x) * 3;
      const n = grain();
      for (let k = 0; k < 3; k++) raw[i + k] = Math.max(0, Math.min(255, Math.round(rgb[k]! + n)));
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** The demo photo, drawn once per process. */
let seededPhoto: Promise<Buffer> | undefined;

export const README_TEXT =
  'Welcome to the pcloudkit emulator.\n\nThis account is seeded with a few folders and files so that SDK examples,\n' +
  'the playground and integration tests have something to work with.\n';

/** Adds a file from a buffer to a user's folder. */
export async function addBufferFile(store: Store, user: UserRec, folderId: number, name: string, data: Buffer): Promise<void> {
  const info = await store.blobs.writeBuffer(data);
  store.addFile(user.userid, folderId, name, store.newVersion(info, contentHash(info.sha1).toString()), typeOf(name).contenttype);
}

/** Creates the demo account and the demo app; with `withFiles`, also the demo folders and files. */
export async function seedDemo(store: Store, withFiles = true): Promise<void> {
  if (!store.apps.has(DEMO.client_id)) {
    store.createApp({ client_id: DEMO.client_id, client_secret: DEMO.client_secret, name: DEMO.appName, redirectUris: [] });
  }
  if (store.userByEmail(DEMO.username)) return;
  const user = store.createUser(DEMO.username, DEMO.password, { premium: true });
  if (!withFiles) return;
  const documents = store.addFolder(user.userid, user.rootId, 'Documents');
  const music = store.addFolder(user.userid, user.rootId, 'Music');
  const pictures = store.addFolder(user.userid, user.rootId, 'Pictures');
  store.addFolder(user.userid, user.rootId, 'Videos');
  await addBufferFile(store, user, documents.id, 'readme.txt', Buffer.from(README_TEXT, 'utf8'));
  // an archive to try extractarchive on: a text file and one in a subfolder
  const samples = await zipBuffer({ 'hello.txt': 'Hello from a ZIP archive.\n', 'notes/todo.txt': 'Unpack me with extractarchive.\n' });
  await addBufferFile(store, user, documents.id, 'samples.zip', samples);
  // a file with two earlier versions (listrevisions, revertrevision) and one in the Trash (trash_list, trash_restore)
  await addBufferFile(store, user, documents.id, 'notes.txt', Buffer.from('Notes, first draft.\n', 'utf8'));
  const notes = store.findChildFile(documents.id, 'notes.txt')!;
  for (const text of ['Notes, second draft.\n', 'Notes, final version.\n']) {
    const info = await store.blobs.writeBuffer(Buffer.from(text, 'utf8'));
    store.replaceContent(notes, store.newVersion(info, contentHash(info.sha1).toString()));
  }
  await addBufferFile(store, user, documents.id, 'old-draft.txt', Buffer.from('A draft nobody needs any more.\n', 'utf8'));
  store.markDeleted(store.findChildFile(documents.id, 'old-draft.txt')!);
  await addBufferFile(store, user, music.id, 'tone.wav', makeWav({ seconds: 2 }));
  // a playlist with the tone in it (collection_list then adds the system collections)
  const tone = store.findChildFile(music.id, 'tone.wav')!;
  const playlist = store.createCollection(user.userid, 'Demo playlist', 1);
  store.setCollectionItems(playlist.id, [{ fileid: tone.id, added: tone.created }]);
  await addBufferFile(store, user, pictures.id, 'gradient.png', makePng());
  seededPhoto ??= makePhoto();
  await addBufferFile(store, user, pictures.id, 'landscape.jpg', await seededPhoto);
}

/** An account to create at start beside the demo user (`users` option, `--user mail:password`). */
export interface SeedUser {
  email: string;
  password: string;
  /** Bytes (default 10 GiB). */
  quota?: number;
  premium?: boolean;
  /** Default true: a seeded address counts as confirmed. */
  emailverified?: boolean;
  /** A `supportedlanguages` code (default 'en'). */
  language?: string;
}

/**
 * Creates the accounts that do not exist yet (an existing data directory
 * keeps its users as they are, passwords included). Each has its own empty
 * root folder, quota and tokens.
 */
export function seedUsers(store: Store, users: readonly SeedUser[]): UserRec[] {
  return users.map((u) => {
    const existing = store.userByEmail(u.email);
    if (existing) return existing;
    return store.createUser(u.email, u.password, {
      ...(u.quota !== undefined ? { quota: u.quota } : {}),
      ...(u.premium !== undefined ? { premium: u.premium } : {}),
      ...(u.emailverified !== undefined ? { emailverified: u.emailverified } : {}),
      ...(u.language !== undefined ? { language: u.language } : {}),
    });
  });
}

/** Parses `--user mail:password` (the password is everything after the first colon). */
export function parseUserArg(arg: string): SeedUser {
  const colon = arg.indexOf(':');
  const email = colon < 0 ? '' : arg.slice(0, colon).trim();
  const password = colon < 0 ? '' : arg.slice(colon + 1);
  if (!/^[^\s@:]+@[^\s@:]+$/.test(email) || password === '') throw new Error(`invalid --user ${arg}: expected mail:password`);
  return { email, password };
}
