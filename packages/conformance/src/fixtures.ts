/**
 * Fixtures: valid values for the params a case generator cannot invent
 * (ids, paths, codes, tokens). A fixture names values, never an expected
 * answer. Every call gets its own fresh objects, made through plain HTTP
 * calls under its own folder, so calls that delete or move things do not
 * disturb the next one.
 *
 * `DEFAULTS` fill required params and one-of members by name for any
 * method; `FIXTURES` add per-method values (optional params, companions,
 * values only that method understands).
 */
import type { CatalogMethod } from '@pcloudkit/catalog';
import { makePng, makeWav, zipBuffer } from '@pcloudkit/emulator';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { request } from 'undici';
import type { PlanOptions, Value, Values } from './cases.js';
import { httpCall, type Session } from './protocol.js';

/** What fixtures may use: the server, a login and, where available, the account's password and an OAuth app. */
export interface FixtureContext {
  api: string;
  auth: string;
  username?: string;
  password?: string;
  /** An OAuth app whose authorize page takes a scripted POST (the emulator's). */
  oauthApp?: { client_id: string; client_secret: string };
}

/** Where `runningUpload` sends its upload and how it polls the progress (default: uploadfile, uploadprogress). */
export interface RunningUploadTarget {
  method: string;
  params: Record<string, Value>;
  progress: string;
  pollParams: Record<string, Value>;
}

/** Thrown when a fixture's own set-up call fails. */
export class FixtureError extends Error {
  override name = 'FixtureError';
}

/** Lazily made objects for one call, all below `root`. */
export class FixtureEnv {
  private cache = new Map<string, Promise<unknown>>();
  private cleanups: (() => Promise<void>)[] = [];
  constructor(
    readonly ctx: FixtureContext,
    readonly root: string,
  ) {}

  /** Calls a method over HTTP as the fixture's user; throws unless it succeeds. */
  async api(method: string, params: Record<string, Value>, payload?: Uint8Array): Promise<Record<string, unknown>> {
    const answer = await httpCall(this.ctx.api, method, { auth: this.ctx.auth, ...params }, payload ? { payload } : {});
    if (answer.kind !== 'body' || answer.body.result !== 0) {
      throw new FixtureError(`fixture call ${method} failed: ${JSON.stringify(answer.kind === 'body' ? answer.body : answer.reason)}`);
    }
    return answer.body;
  }

  /** Calls a method over HTTP without the fixture's login; throws unless it succeeds. */
  async anon(method: string, params: Record<string, Value>): Promise<Record<string, unknown>> {
    const answer = await httpCall(this.ctx.api, method, params);
    if (answer.kind !== 'body' || answer.body.result !== 0) {
      throw new FixtureError(`fixture call ${method} failed: ${JSON.stringify(answer.kind === 'body' ? answer.body : answer.reason)}`);
    }
    return answer.body;
  }

  /**
   * An account of its own for this call (register, then a login): the
   * methods that change or remove an account, or need an unconfirmed
   * address, work on it instead of the fixture's user.
   */
  account(): Promise<{ mail: string; password: string; auth: string }> {
    return this.once('account', async () => {
      const mail = freshAddress();
      await this.anon('register', { mail, password: ACCOUNT_PASSWORD, termsaccepted: 'yes' });
      const body = await this.anon('userinfo', { username: mail, password: ACCOUNT_PASSWORD, getauth: 1 });
      return { mail, password: ACCOUNT_PASSWORD, auth: String(body.auth) };
    });
  }

  /** A fresh address put on the newsletter list (unconfirmed). */
  newsletterAddress(): Promise<string> {
    return this.once('newsletterAddress', async () => {
      const mail = freshAddress();
      await this.anon('newsletter_subscribe', { mail });
      return mail;
    });
  }

  /**
   * The code of the newest mail of `kind` to `to`, read from the emulator's
   * outbox (its admin path, which takes no credentials); emulator only.
   */
  async mailedCode(to: string, kind: string, mentioning?: string): Promise<string> {
    const url = new URL('/_emulator/mail', this.ctx.api);
    url.searchParams.set('to', to);
    url.searchParams.set('kind', kind);
    url.searchParams.set('wait', '3000');
    const res = await fetch(url).catch(() => undefined);
    const mails = res?.ok ? ((await res.json()) as { mails?: { code?: string; text?: string }[] }).mails : undefined;
    // `mentioning`: the newest mail whose text names it (calls of both protocols may mail the same address at once)
    const code = mails?.filter((m) => mentioning === undefined || m.text?.includes(mentioning)).at(-1)?.code;
    if (code === undefined) throw new FixtureError(`no ${kind} mail to ${to} in the outbox (mailed codes are read from the emulator only)`);
    return code;
  }

  /**
   * The connection the call goes on, for methods whose state lives on one
   * connection (fileops descriptors); set by the run before the values are made.
   */
  session: Session | undefined;
  /**
   * False for calls without the fixture's login: a login sticks to a binary
   * connection, so the descriptor is not opened there and `descriptor()`
   * gives the number a connection's first open gets.
   */
  openDescriptor = true;

  /**
   * A descriptor of the call's file, opened for reading and writing on the
   * call's session (`file_open` with the fixture's login), once per call.
   */
  descriptor(): Promise<number> {
    return this.once('descriptor', async () => {
      const session = this.session;
      if (!session) throw new FixtureError('fd: a descriptor needs the call to run on a session (one connection)');
      const file = await this.file();
      if (!this.openDescriptor) return FIRST_FD;
      const answer = await session.call('file_open', { auth: this.ctx.auth, flags: O_WRITE, fileid: file.fileid });
      if (answer.kind !== 'body' || answer.body.result !== 0 || answer.body.fd === undefined) {
        throw new FixtureError(`fixture call file_open failed: ${JSON.stringify(answer.kind === 'body' ? answer.body : answer.reason)}`);
      }
      return Number(answer.body.fd);
    });
  }

  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let p = this.cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = make();
      this.cache.set(key, p);
    }
    return p;
  }

  /** The call's own folder. */
  base(): Promise<{ folderid: number; path: string }> {
    return this.once('base', () => this.makeFolder(this.root));
  }

  /** A fresh empty folder. */
  folder(): Promise<{ folderid: number; path: string }> {
    return this.once('folder', async () => {
      await this.base();
      return this.makeFolder(`${this.root}/dir`);
    });
  }

  /** A second fresh empty folder (destinations). */
  folder2(): Promise<{ folderid: number; path: string }> {
    return this.once('folder2', async () => {
      await this.base();
      return this.makeFolder(`${this.root}/dest`);
    });
  }

  /** A fresh file: small text, or media of the kind a method links to (catalogue trait `media`). */
  file(kind: CatalogMethod['media'] = undefined): Promise<{ fileid: number; path: string }> {
    return this.once('file', async () => {
      const base = await this.base();
      const sample = SAMPLES[kind ?? 'text'];
      const body = await this.api('uploadfile', { folderid: base.folderid, filename: sample.name }, sample.bytes());
      const meta = (body.metadata as Record<string, unknown>[])[0]!;
      return { fileid: Number(meta.fileid), path: `${this.root}/${sample.name}` };
    });
  }

  /** A public link to a fresh file. */
  publink(): Promise<{ linkid: number; code: string }> {
    return this.once('publink', async () => {
      const body = await this.api('getfilepublink', { fileid: (await this.file()).fileid });
      return { linkid: Number(body.linkid), code: String(body.code) };
    });
  }

  /** A URL that serves a fresh file's bytes (a content link). */
  fileUrl(): Promise<string> {
    return this.once('fileUrl', async () => {
      const body = await this.api('getfilelink', { fileid: (await this.file()).fileid });
      const scheme = new URL(this.ctx.api).protocol;
      return `${scheme}//${(body.hosts as string[])[0]}${String(body.path)}`;
    });
  }

  /** A fresh file moved to the Trash (deletefile). */
  trashedFile(): Promise<{ fileid: number }> {
    return this.once('trashedFile', async () => {
      const base = await this.base();
      const body = await this.api('uploadfile', { folderid: base.folderid, filename: 'trashed.txt' }, FILE_CONTENT);
      const fileid = Number((body.metadata as Record<string, unknown>[])[0]!.fileid);
      await this.api('deletefile', { fileid });
      return { fileid };
    });
  }

  /** A fresh folder, with a file inside, moved to the Trash (deletefolderrecursive). */
  trashedFolder(): Promise<{ folderid: number }> {
    return this.once('trashedFolder', async () => {
      await this.base();
      const folder = await this.makeFolder(`${this.root}/trashed`);
      await this.api('uploadfile', { folderid: folder.folderid, filename: 'inside.txt' }, FILE_CONTENT);
      await this.api('deletefolderrecursive', { folderid: folder.folderid });
      return { folderid: folder.folderid };
    });
  }

  /** The revisionid of the earlier content of the call's text file, made by overwriting it once. */
  revision(): Promise<number> {
    return this.once('revision', async () => {
      const base = await this.base();
      const file = await this.file();
      await this.api('uploadfile', { folderid: base.folderid, filename: SAMPLES.text.name }, new TextEncoder().encode('second version\n'));
      const body = await this.api('listrevisions', { fileid: file.fileid });
      const revs = body.revisions as { revisionid: number }[];
      if (revs.length === 0) throw new FixtureError('overwriting the file made no revision');
      return Number(revs[0]!.revisionid);
    });
  }

  /** A fresh auth token of the account and its tokenid (needs the password). */
  token(): Promise<{ auth: string; tokenid: number }> {
    return this.once('token', async () => {
      const { username, password } = this.ctx;
      if (username === undefined || password === undefined) throw new FixtureError('a fresh token needs --username and --password');
      const answer = await httpCall(this.ctx.api, 'userinfo', { username, password, getauth: 1 });
      if (answer.kind !== 'body' || typeof answer.body.auth !== 'string') throw new FixtureError('could not log in for a fresh token');
      const auth = answer.body.auth;
      const list = await httpCall(this.ctx.api, 'listtokens', { auth });
      const tokens =
        list.kind === 'body' && Array.isArray(list.body.tokens) ? (list.body.tokens as { tokenid: number; current?: boolean }[]) : [];
      if (tokens.length === 0) throw new FixtureError('listtokens gave no tokens');
      // the token just made is the one marked current, else the newest
      const mine = tokens.find((t) => t.current) ?? tokens.reduce((a, b) => (b.tokenid > a.tokenid ? b : a));
      return { auth, tokenid: Number(mine.tokenid) };
    });
  }

  /**
   * The progress hash of an upload that is running during the call: a PUT
   * whose body stops half-way until `close()` sends the rest.
   */
  runningUpload(into?: RunningUploadTarget): Promise<string> {
    return this.once(`runningUpload:${into?.method ?? 'uploadfile'}`, async () => {
      const hash = randomBytes(8).toString('hex');
      const target = into ?? {
        method: 'uploadfile',
        params: { auth: this.ctx.auth, folderid: (await this.base()).folderid },
        progress: 'uploadprogress',
        pollParams: { auth: this.ctx.auth },
      };
      const bytes = new Uint8Array(64 * 1024);
      const body = new PassThrough();
      body.write(bytes.subarray(0, bytes.length / 2));
      const url = new URL(`${this.ctx.api}/${target.method}`);
      for (const [k, v] of Object.entries({ ...target.params, filename: 'running.bin', progresshash: hash })) {
        url.searchParams.set(k, String(v));
      }
      const upload = request(url, { method: 'PUT', body, headers: { 'content-length': String(bytes.length) }, reset: true }).then(
        (res) => res.body.dump(),
        () => undefined,
      );
      this.cleanups.push(async () => {
        body.end(bytes.subarray(bytes.length / 2));
        await upload;
      });
      // the server knows the upload once it has read the first bytes
      for (let i = 0; i < 100; i++) {
        const seen = await httpCall(this.ctx.api, target.progress, { ...target.pollParams, progresshash: hash });
        if (seen.kind === 'body' && seen.body.result === 0) return hash;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new FixtureError('the running upload never showed up');
    });
  }

  /** A fresh collection named after the call's folder, holding the call's (audio) file at position 1. */
  collection(): Promise<{ collectionid: number }> {
    return this.once('collection', async () => {
      const file = await this.file('audio');
      const body = await this.api('collection_create', { name: `${this.root} list`, fileids: String(file.fileid) });
      const c = body.collection;
      return { collectionid: Number((Array.isArray(c) ? c[0] : c).id) };
    });
  }

  /** Ends what the fixture left running (uploads). */
  async close(): Promise<void> {
    for (const c of this.cleanups.splice(0)) await c();
  }

  /** An OAuth2 authorization code from the authorize page (emulator only). */
  oauthCode(): Promise<{ client_id: string; client_secret: string; code: string }> {
    return this.once('oauthCode', async () => {
      const { oauthApp, username, password } = this.ctx;
      if (!oauthApp || username === undefined || password === undefined) throw new FixtureError('an OAuth code needs the emulator app');
      const form = new URLSearchParams({
        client_id: oauthApp.client_id,
        response_type: 'code',
        redirect_uri: 'http://127.0.0.1/conformance',
        username,
        password,
      });
      const res = await fetch(`${this.ctx.api}/oauth2/authorize`, { method: 'POST', body: form, redirect: 'manual' });
      const code = new URL(res.headers.get('location') ?? 'http://x/').searchParams.get('code');
      if (!code) throw new FixtureError(`the authorize page gave no code (HTTP ${res.status})`);
      return { ...oauthApp, code };
    });
  }

  private async makeFolder(path: string): Promise<{ folderid: number; path: string }> {
    const body = await this.api('createfolder', { path });
    return { folderid: Number((body.metadata as Record<string, unknown>).folderid), path };
  }
}

/** file_open's flag for reading and writing (catalogue, structures 4.6). */
const O_WRITE = 0x0002;
/** A descriptor number for calls refused for their credentials before the descriptor is looked at (a connection's first open answers 1 on the emulator). */
const FIRST_FD = 1;

/** sha1 and md5 of the empty string: no range of the sample file has them. */
const OTHER_SHA1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';
const OTHER_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

/** Password of the accounts fixtures register (it passes pCloud's password rules). */
const ACCOUNT_PASSWORD = 'Conformance-pass-7';
/** A new password for the methods that set one. */
const NEW_PASSWORD = 'Conformance-new-8';

/** An address no account or list has yet. */
const freshAddress = () => `conformance-${randomBytes(6).toString('hex')}@pcloudkit.test`;

/** Bytes of the text fixture file and of every upload a case makes. */
export const FILE_CONTENT = new TextEncoder().encode('pcloudkit conformance sample\n');

/**
 * Fixture files by kind. Audio and image are real (a short WAV tone, a PNG);
 * the video is a few bytes with an .mp4 name, enough for a server that goes
 * by the name (a real pCloud may refuse it as a video).
 */
const SAMPLES: Record<'text' | NonNullable<CatalogMethod['media']>, { name: string; bytes: () => Uint8Array }> = {
  text: { name: 'sample.txt', bytes: () => FILE_CONTENT },
  audio: { name: 'tone.wav', bytes: () => makeWav({ seconds: 1 }) },
  video: { name: 'clip.mp4', bytes: () => new TextEncoder().encode('pcloudkit conformance video placeholder') },
  hls: { name: 'clip.mp4', bytes: () => new TextEncoder().encode('pcloudkit conformance video placeholder') },
  image: { name: 'picture.png', bytes: () => makePng(32, 32) },
};

type Resolver = (env: FixtureEnv, method: CatalogMethod) => Promise<Value>;

export interface Fixture {
  /** Values for params of this method (optional ones included). */
  values?: Readonly<Record<string, Resolver>>;
  companions?: PlanOptions['companions'];
}

const takesFile = (m: CatalogMethod) => m.params.some((p) => p.name === 'fileid');

/** Values for required params and one-of members, by param name, for every method. */
export const DEFAULTS: Readonly<Record<string, Resolver>> = {
  fd: (env) => env.descriptor(),
  fileid: async (env, m) => (await env.file(m.media)).fileid,
  folderid: async (env) => (await env.folder()).folderid,
  path: async (env, m) => (takesFile(m) ? (await env.file(m.media)).path : (await env.folder()).path),
  tofolderid: async (env) => (await env.folder2()).folderid,
  linkid: async (env) => (await env.publink()).linkid,
  code: async (env) => (await env.publink()).code,
  tokenid: async (env) => (await env.token()).tokenid,
  url: (env) => env.fileUrl(),
  progresshash: (env) => env.runningUpload(),
};

/** Catalogue entries the checker cannot call as API methods, with the reason. */
export const NOT_CALLABLE: Readonly<Record<string, string>> = {
  authorize: "a web page for the user's browser, not an API call (the emulator's OAuth2 tests drive it)",
};

/** A small ZIP uploaded to the call's folder (archiving methods), made once per call. */
const archives = new WeakMap<FixtureEnv, Promise<{ fileid: number; path: string }>>();
function archive(env: FixtureEnv): Promise<{ fileid: number; path: string }> {
  let made = archives.get(env);
  if (!made) {
    made = (async () => {
      const base = await env.base();
      const bytes = await zipBuffer({ 'inside.txt': 'pcloudkit conformance archive\n', 'sub/deeper.txt': 'one level down\n' });
      const body = await env.api('uploadfile', { folderid: base.folderid, filename: 'archive.zip' }, bytes);
      const meta = (body.metadata as Record<string, unknown>[])[0]!;
      return { fileid: Number(meta.fileid), path: `${env.root}/archive.zip` };
    })();
    archives.set(env, made);
  }
  return made;
}

/** The progresshash of a savezip of the call's folder that has finished. */
const savedZipHash: Resolver = async (env) => {
  const hash = randomBytes(8).toString('hex');
  await env.api('savezip', {
    folderid: (await env.folder()).folderid,
    tofolderid: (await env.folder2()).folderid,
    toname: `${hash}.zip`,
    progresshash: hash,
  });
  return hash;
};

/** The progresshash extractarchive answered for the call's archive. */
const extractionHash: Resolver = async (env) => {
  const body = await env.api('extractarchive', { fileid: (await archive(env)).fileid, tofolderid: (await env.folder2()).folderid });
  if (typeof body.progresshash !== 'string') throw new FixtureError('extractarchive answered no progresshash');
  return body.progresshash;
};
/** Items of the call in the Trash (trash methods). */
const trashedFileId: Resolver = async (env) => (await env.trashedFile()).fileid;
const trashedFolderId: Resolver = async (env) => (await env.trashedFolder()).folderid;

/** An upload link into the call's folder, made once per call (upload link methods). */
const uploadLinks = new WeakMap<FixtureEnv, Promise<{ code: string; uploadlinkid: number }>>();
function uploadLink(env: FixtureEnv): Promise<{ code: string; uploadlinkid: number }> {
  let made = uploadLinks.get(env);
  if (!made) {
    made = (async () => {
      const folder = await env.folder();
      const body = await env.api('createuploadlink', { folderid: folder.folderid, comment: 'pcloudkit conformance drop' });
      return { code: String(body.code), uploadlinkid: Number(body.uploadlinkid) };
    })();
    uploadLinks.set(env, made);
  }
  return made;
}
const uploadLinkCode: Resolver = async (env) => (await uploadLink(env)).code;
const uploadLinkId: Resolver = async (env) => (await uploadLink(env)).uploadlinkid;
/** Addresses of a transfer (anything that looks like an address: the emulator only mails its outbox). */
const transferAddresses = {
  sendermail: async () => 'conformance-sender@example.com',
  receivermails: async () => 'conformance-a@example.com,conformance-b@example.com',
};

/** The code of a public link to the call's file, made as `kind` (image, audio, video). */
const publinkTo =
  (kind: NonNullable<CatalogMethod['media']>): Resolver =>
  async (env) => {
    await env.file(kind);
    return (await env.publink()).code;
  };

/** A fresh collection of the call (collection methods). */
const collectionId: Resolver = async (env) => (await env.collection()).collectionid;

// ---- sharing: offers and shares between the fixture's user and the call's own account

/** Memoised per call (FixtureEnv). */
function perCall<T>(make: (env: FixtureEnv) => Promise<T>): (env: FixtureEnv) => Promise<T> {
  const made = new WeakMap<FixtureEnv, Promise<T>>();
  return (env) => {
    let p = made.get(env);
    if (!p) {
      p = make(env);
      made.set(env, p);
    }
    return p;
  };
}

/** The call's own account with its address confirmed by the mailed code (only verified users may offer folders). */
const verifiedAccount = perCall(async (env) => {
  const acct = await env.account();
  await env.anon('verifyemail', { code: await env.mailedCode(acct.mail, 'verifyemail') });
  return acct;
});

/** An offer from the call's own account to the fixture's user: its id and the code its mail carries. */
const incomingOffer = perCall(async (env) => {
  const acct = await verifiedAccount(env);
  const to = env.ctx.username;
  if (to === undefined) throw new FixtureError("the sharing fixtures need the account's address (--username)");
  const made = await env.anon('createfolder', { auth: acct.auth, folderid: 0, name: 'offered' });
  const folderid = (made.metadata as { folderid: number }).folderid;
  await env.anon('sharefolder', { auth: acct.auth, folderid, mail: to, permissions: 1 });
  const code = await env.mailedCode(to, 'share', acct.mail);
  const info = await env.anon('sharerequestinfo', { code });
  return { code, sharerequestid: (info.share as { sharerequestid: number }).sharerequestid };
});

/** An offer of the call's folder from the fixture's user to the call's own account. */
const outgoingOffer = perCall(async (env) => {
  const acct = await verifiedAccount(env);
  const folder = await env.folder();
  await env.api('sharefolder', { folderid: folder.folderid, mail: acct.mail, permissions: 3 });
  const list = await env.api('listshares', { noshares: 1, noincoming: 1 });
  const offers = (list.requests as { outgoing: { folderid: number; sharerequestid: number }[] }).outgoing;
  return { folderid: folder.folderid, sharerequestid: offers.find((r) => r.folderid === folder.folderid)!.sharerequestid };
});

/** That offer accepted by the call's own account: the share's id. */
const acceptedShare = perCall(async (env) => {
  const acct = await verifiedAccount(env);
  const offer = await outgoingOffer(env);
  await env.anon('acceptshare', { auth: acct.auth, sharerequestid: offer.sharerequestid });
  const list = await env.api('listshares', { norequests: 1, noincoming: 1 });
  const shares = (list.shares as { outgoing: { folderid: number; shareid: number }[] }).outgoing;
  return shares.find((sh) => sh.folderid === offer.folderid)!.shareid;
});

/** The call's own account (accounts methods). */
const accountAuth: Resolver = async (env) => (await env.account()).auth;
const accountPassword: Resolver = async (env) => (await env.account()).password;
const accountMail: Resolver = async (env) => (await env.account()).mail;

/** The code the first e-mail change mail carried (sendchangemail without params). */
const changeOldCode = async (env: FixtureEnv): Promise<string> => {
  const { mail, auth } = await env.account();
  await env.anon('sendchangemail', { auth });
  return env.mailedCode(mail, 'changemail-old');
};

/** Per-method values. */
export const FIXTURES: Readonly<Record<string, Fixture>> = {
  // accounts: each call registers its own account and reads its codes from the emulator's outbox
  register: {
    values: {
      mail: async () => freshAddress(),
      password: async () => ACCOUNT_PASSWORD,
      termsaccepted: async () => 'yes',
      language: async () => 'en',
    },
  },
  sendverificationemail: { values: { auth: accountAuth } },
  verifyemail: { values: { code: async (env) => env.mailedCode((await env.account()).mail, 'verifyemail') } },
  changepassword: { values: { auth: accountAuth, oldpassword: accountPassword, newpassword: async () => NEW_PASSWORD } },
  lostpassword: { values: { mail: accountMail } },
  resetpassword: {
    values: {
      code: async (env) => {
        const { mail } = await env.account();
        await env.anon('lostpassword', { mail });
        return env.mailedCode(mail, 'resetpassword');
      },
      newpassword: async () => NEW_PASSWORD,
    },
  },
  sendchangemail: { values: { auth: accountAuth, newmail: async () => freshAddress(), code: changeOldCode } },
  changemail: {
    values: {
      auth: accountAuth,
      password: accountPassword,
      code: async (env) => {
        const { auth } = await env.account();
        const newmail = freshAddress();
        await env.anon('sendchangemail', { auth, newmail, code: await changeOldCode(env) });
        return env.mailedCode(newmail, 'changemail-new');
      },
    },
  },
  senddeactivatemail: { values: { auth: accountAuth } },
  deactivateuser: {
    values: {
      auth: accountAuth,
      password: accountPassword,
      code: async (env) => {
        const { mail, auth } = await env.account();
        await env.anon('senddeactivatemail', { auth });
        return env.mailedCode(mail, 'deactivate');
      },
    },
  },
  newsletter_subscribe: { values: { mail: async () => freshAddress() } },
  newsletter_verifyemail: { values: { code: async (env) => env.mailedCode(await env.newsletterAddress(), 'newsletter-verify') } },
  newsletter_unsibscribemail: { values: { mail: (env) => env.newsletterAddress() } },
  newsletter_unsubscribe: {
    values: {
      code: async (env) => {
        const mail = await env.newsletterAddress();
        await env.anon('newsletter_unsibscribemail', { mail });
        return env.mailedCode(mail, 'newsletter-unsubscribe');
      },
    },
  },
  setlanguage: { values: { language: async () => 'en' } },
  // thumbnails: an image file (getthumb and savethumb have no media trait, so their file is named here)
  getthumblink: { values: { size: async () => '32x32' } },
  getthumbslinks: { values: { fileids: async (env) => String((await env.file('image')).fileid), size: async () => '32x32' } },
  getthumb: {
    values: {
      fileid: async (env) => (await env.file('image')).fileid,
      path: async (env) => (await env.file('image')).path,
      size: async () => '32x32',
    },
  },
  savethumb: {
    values: {
      fileid: async (env) => (await env.file('image')).fileid,
      path: async (env) => (await env.file('image')).path,
      size: async () => '32x32',
      topath: async (env) => `${(await env.folder2()).path}/thumb.jpg`,
      toname: async () => 'thumb.jpg',
    },
  },
  feedback: {
    values: {
      mail: async () => 'conformance@example.test',
      reason: async () => 'conformance check',
      message: async () => 'Sent by the pcloudkit conformance checker.',
    },
  },
  // no diffid: with it the correct call would wait for an event (block); block alone checks that it does not
  diff: { values: { last: async () => 1, after: async () => '2020-01-01T00:00:00+00:00', block: async () => 1 } },
  createfolder: {
    values: {
      path: async (env) => `${(await env.folder()).path}/new`,
      name: async () => 'new',
    },
    companions: { folderid: ['name'] },
  },
  createfolderifnotexists: {
    values: {
      path: async (env) => `${(await env.folder()).path}/new`,
      name: async () => 'new',
    },
    companions: { folderid: ['name'] },
  },
  renamefolder: { values: { toname: async () => 'renamed' } },
  renamefile: { values: { toname: async () => 'renamed.txt' } },
  copyfolder: { values: { topath: async (env) => (await env.folder2()).path } },
  copyfile: {
    values: {
      topath: async (env) => `${(await env.folder2()).path}/copy.txt`,
      mtime: async () => 1_700_000_000,
      ctime: async () => 1_600_000_000,
    },
  },
  uploadfile: {
    values: {
      folderid: async (env) => (await env.folder()).folderid,
      path: async (env) => (await env.folder()).path,
      filename: async () => 'upload.txt',
    },
  },
  downloadfile: { values: { folderid: async (env) => (await env.folder()).folderid } },
  downloadfileasync: { values: { folderid: async (env) => (await env.folder()).folderid } },
  getpublinkdownload: { values: { code: async (env) => (await env.publink()).code } },
  // public links: the link's file is of the kind the method serves (the call's file is made first, as that kind)
  gettreepublink: {
    values: {
      name: async (env) => `${env.root} tree`,
      fileids: async (env) => String((await env.file()).fileid),
      folderids: async (env) => String((await env.folder()).folderid),
    },
  },
  getcollectionpublink: { values: { collectionid: collectionId } },
  changepublink: { values: { maxdownloads: async () => 5, expire: async () => '2100-01-01T00:00:00+00:00' } },
  getpubvideolinks: { values: { code: publinkTo('video') } },
  getpubaudiolink: { values: { code: publinkTo('audio') } },
  getpubthumb: { values: { code: publinkTo('image'), size: async () => '32x32' } },
  getpubthumblink: { values: { code: publinkTo('image'), size: async () => '32x32' } },
  getpubthumbslinks: {
    values: { code: publinkTo('image'), fileids: async (env) => String((await env.file('image')).fileid), size: async () => '32x32' },
  },
  savepubthumb: {
    values: {
      code: publinkTo('image'),
      size: async () => '32x32',
      topath: async (env) => `${(await env.folder2()).path}/thumb.jpg`,
      toname: async () => 'thumb.jpg',
    },
  },
  copypubfile: { values: { topath: async (env) => `${(await env.folder2()).path}/copy.txt` } },
  savepubzip: {
    values: { topath: async (env) => `${(await env.folder2()).path}/saved.zip`, toname: async () => 'saved.zip' },
  },
  // upload links and transfers: a link into the call's folder; progress of an upload still running
  createuploadlink: {
    values: {
      comment: async () => 'conformance',
      maxspace: async () => 1 << 20,
      maxfiles: async () => 10,
      expire: async () => '2100-01-01T00:00:00+00:00',
    },
  },
  changeuploadlink: {
    values: {
      uploadlinkid: uploadLinkId,
      maxspace: async () => 1 << 20,
      maxfiles: async () => 10,
      expire: async () => '2100-01-01T00:00:00+00:00',
    },
  },
  deleteuploadlink: { values: { uploadlinkid: uploadLinkId } },
  showuploadlink: { values: { code: uploadLinkCode } },
  uploadtolink: { values: { code: uploadLinkCode } },
  copytolink: { values: { code: uploadLinkCode, toname: async () => 'copied.txt' } },
  uploadlinkprogress: {
    values: {
      code: uploadLinkCode,
      progresshash: async (env) => {
        const code = (await uploadLink(env)).code;
        return env.runningUpload({ method: 'uploadtolink', params: { code }, progress: 'uploadlinkprogress', pollParams: { code } });
      },
    },
  },
  uploadtransfer: { values: transferAddresses },
  uploadtransferprogress: {
    values: {
      progresshash: (env) =>
        env.runningUpload({
          method: 'uploadtransfer',
          params: { sendermail: 'conformance-sender@example.com', receivermails: 'conformance-a@example.com' },
          progress: 'uploadtransferprogress',
          pollParams: {},
        }),
    },
  },
  logout: { values: { auth: async (env) => (await env.token()).auth } },
  getzip: { values: { folderid: async (env) => (await env.base()).folderid, filename: async () => 'tree.zip' } },
  getziplink: { values: { folderid: async (env) => (await env.base()).folderid, filename: async () => 'tree.zip' } },
  savezip: {
    values: {
      folderid: async (env) => (await env.base()).folderid,
      topath: async (env) => `${(await env.folder2()).path}/saved.zip`,
      toname: async () => 'saved.zip',
    },
  },
  savezipprogress: { values: { progresshash: savedZipHash } },
  extractarchive: {
    values: {
      fileid: async (env) => (await archive(env)).fileid,
      path: async (env) => (await archive(env)).path,
      topath: async (env) => (await env.folder2()).path,
      overwrite: async () => 'rename',
    },
  },
  extractarchiveprogress: { values: { progresshash: extractionHash, lines: async () => 0 } },
  trash_list: { values: { folderid: trashedFolderId, recursive: async () => 1, nofiles: async () => 1 } },
  trash_restorepath: { values: { fileid: trashedFileId, folderid: trashedFolderId } },
  trash_restore: {
    values: {
      fileid: trashedFileId,
      folderid: trashedFolderId,
      restoreto: async (env) => (await env.folder2()).folderid,
      metadata: async () => 1,
    },
  },
  trash_clear: { values: { fileid: trashedFileId, folderid: trashedFolderId } },
  revertrevision: { values: { revisionid: (env) => env.revision() } },
  // O_CREAT: opens the call's file by path or fileid, creates `opened.txt` in its folder by folderid + name
  file_open: { values: { flags: async () => 0x0040, name: async () => 'opened.txt' }, companions: { folderid: ['name'] } },
  // descriptors (fd) come from `descriptor()`: the call's file opened on the call's own connection
  file_pwrite: { values: { offset: async () => 5 } },
  file_read: { values: { count: async () => 10 } },
  file_pread: { values: { count: async () => 10, offset: async () => 5 } },
  // checksums of other bytes: the range changed, so the bytes come back (a match answers 6000)
  file_pread_ifmod: {
    values: { count: async () => 10, offset: async () => 0, sha1: async () => OTHER_SHA1, md5: async () => OTHER_MD5 },
  },
  file_checksum: { values: { count: async () => 10, offset: async () => 0 } },
  file_truncate: { values: { length: async () => 5 } },
  file_seek: { values: { offset: async () => 5, whence: async () => 0 } },
  // an exclusive lock on the first 10 bytes, without waiting (nothing else holds the file)
  file_lock: {
    values: { type: async () => 2, offset: async () => 0, length: async () => 10, whence: async () => 0, noblock: async () => 1 },
  },
  // sharing: offers to an address without an account, offers from and to the call's own account
  sharefolder: { values: { mail: async () => freshAddress(), permissions: async () => 1, message: async () => 'conformance' } },
  sharerequestinfo: { values: { code: async (env) => (await incomingOffer(env)).code } },
  acceptshare: {
    values: {
      code: async (env) => (await incomingOffer(env)).code,
      sharerequestid: async (env) => (await incomingOffer(env)).sharerequestid,
      name: async () => 'accepted share',
    },
  },
  declineshare: {
    values: {
      code: async (env) => (await incomingOffer(env)).code,
      sharerequestid: async (env) => (await incomingOffer(env)).sharerequestid,
    },
  },
  cancelsharerequest: { values: { sharerequestid: async (env) => (await outgoingOffer(env)).sharerequestid } },
  removeshare: { values: { shareid: acceptedShare } },
  changeshare: { values: { shareid: acceptedShare, permissions: async () => 7 } },
  collection_list: { values: { type: async () => 1, showfiles: async () => 1, pagesize: async () => 5 } },
  collection_details: { values: { collectionid: collectionId, page: async () => 1, pagesize: async () => 10 } },
  collection_create: {
    values: {
      name: async (env) => `${env.root} new`,
      type: async () => 1,
      fileids: async (env) => String((await env.file('audio')).fileid),
    },
  },
  collection_rename: { values: { collectionid: collectionId, name: async (env) => `${env.root} renamed` } },
  collection_delete: { values: { collectionid: collectionId } },
  collection_linkfiles: { values: { collectionid: collectionId, fileids: async (env) => String((await env.file('audio')).fileid) } },
  collection_unlinkfiles: {
    values: {
      collectionid: collectionId,
      all: async () => 1,
      positions: async () => '1',
      fileids: async (env) => String((await env.file('audio')).fileid),
    },
  },
  collection_move: {
    values: {
      collectionid: collectionId,
      item: async () => 1,
      fileid: async (env) => (await env.file('audio')).fileid,
      position: async () => 1,
    },
  },
  oauth2_token: {
    values: {
      client_id: async (env) => (await env.oauthCode()).client_id,
      client_secret: async (env) => (await env.oauthCode()).client_secret,
      code: async (env) => (await env.oauthCode()).code,
    },
  },
};

/** The params a method's fixture can fill, and how. */
export function fixtureFor(method: CatalogMethod): { provided: Set<string>; resolvers: Map<string, Resolver>; options: PlanOptions } {
  const resolvers = new Map<string, Resolver>();
  const own = FIXTURES[method.name];
  for (const p of method.params) {
    const fromDefault = DEFAULTS[p.name];
    const needed = p.required !== false;
    if (fromDefault && needed) resolvers.set(p.name, fromDefault);
  }
  for (const [name, r] of Object.entries(own?.values ?? {})) resolvers.set(name, r);
  return { provided: new Set(resolvers.keys()), resolvers, options: own?.companions ? { companions: own.companions } : {} };
}

/** Makes the values one call needs: only those its params use. */
export async function resolveValues(
  env: FixtureEnv,
  method: CatalogMethod,
  resolvers: Map<string, Resolver>,
  names: Iterable<string>,
): Promise<Values> {
  const out: Record<string, Value> = {};
  for (const n of names) {
    const r = resolvers.get(n);
    if (r) out[n] = await r(env, method);
  }
  return out;
}
