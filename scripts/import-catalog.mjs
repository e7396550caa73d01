// Regenerates packages/catalog/src/data/ from the project's pCloud API catalogue
// (methods/<group>.json, errors.json and the group table of its README.md).
// Run it by hand when the catalogue changes:
//
//   node scripts/import-catalog.mjs [path]        (default: ../shared/pcloud-api)
//
// Nothing in the build or the tests runs this script: they only read the
// generated files, which are committed.
import { readFileSync, writeFileSync, readdirSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = resolve(process.argv[2] ?? join(repo, '..', 'shared', 'pcloud-api'));
const out = join(repo, 'packages', 'catalog', 'src', 'data');

// ---------------------------------------------------------------------------
// Facts the catalogue states only in prose (notes or param summaries). Each
// entry is added to the generated data; the comment says where it came from.

const additions = {
  diff: {
    // notes: "diffid, after and last are alternatives; send at most one of them."
    atMostOne: { since: ['diffid', 'after', 'last'] },
    // param block: "only works together with diffid"
    requires: { block: 'diffid' },
    // summary and notes: with block set the call waits for new events (a long poll)
    longPoll: 'block',
  },
  copyfile: {
    // param ctime: "requires mtime"
    requires: { ctime: 'mtime' },
  },
  createfolder: {
    // notes: "in practice it is path alone or folderid together with name (error 1001 otherwise)"
    requires: { folderid: 'name' },
  },
  createfolderifnotexists: {
    // notes: "in practice it is path alone or folderid together with name"
    requires: { folderid: 'name' },
  },
  changeuploadlink: {
    // notes: "expire and deleteexpire are alternatives; sending both is undefined."
    atMostOne: { expiry: ['expire', 'deleteexpire'] },
  },
  uploadfile: {
    // notes: "path and folderid are listed under Required ... both optional (root folder by default); send at most one."
    atMostOne: { target: ['path', 'folderid'] },
  },
  file_write: {
    // notes: over HTTP the bytes are the raw PUT body (or one part named 'data'); over binary they follow the request
    payloadUpload: true,
  },
  file_pwrite: {
    // notes: "Body transport is the same as file_write"
    payloadUpload: true,
  },
};

// What the links in each link method's answer point to (from its summary:
// an audio stream, a video stream, an HLS playlist, a thumbnail image).
const media = {
  audio: ['getaudiolink', 'getpubaudiolink'],
  video: ['getvideolink', 'getvideolinks', 'getpubvideolinks'],
  hls: ['gethlslink'],
  image: ['getthumblink', 'getthumbslinks', 'getpubthumblink', 'getpubthumbslinks'],
};
const mediaOf = new Map(Object.entries(media).flatMap(([kind, names]) => names.map((n) => [n, kind])));

// Error codes pCloud sends that errors.json does not list. 2095 is the
// answer for a revoked OAuth access token (its sibling 2094, an invalid
// token, is in errors.json); the text is the server's.
const extraErrors = {
  2095: "Revoked 'access_token' provided, you need to re-authorize the application.",
};

// ---------------------------------------------------------------------------

const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));

/** Group order: the README's group table, then any other group file in name order. */
function groupOrder() {
  const files = readdirSync(join(src, 'methods'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
  const readme = existsSync(join(src, 'README.md')) ? readFileSync(join(src, 'README.md'), 'utf8') : '';
  const listed = [...readme.matchAll(/^\|\s*([a-z0-9_]+)\s*\|/gm)].map((m) => m[1]).filter((g) => files.includes(g));
  return [...new Set([...listed, ...files])];
}

const PARAM_TYPES = new Set(['int', 'string', 'bool', 'datetime', 'int-list', 'string-list']);
const CONFIDENCE = new Set(['docs', 'apitxt', 'inferred']);

function convert(m, group) {
  const fail = (msg) => {
    throw new Error(`${group}/${m.name}: ${msg}`);
  };
  if (m.group !== group) fail(`group '${m.group}' in ${group}.json`);
  if (!CONFIDENCE.has(m.confidence)) fail(`confidence '${m.confidence}'`);
  const add = additions[m.name] ?? {};
  const oneOf = m.oneOf ?? {};
  const params = m.params.map((p) => {
    if (!PARAM_TYPES.has(p.type)) fail(`param ${p.name} has type '${p.type}'`);
    const req = p.required;
    if (req !== true && req !== false && !(typeof req === 'string' && oneOf[req.slice('one-of:'.length)]?.includes(p.name))) {
      fail(`param ${p.name} has required ${JSON.stringify(req)} without a matching oneOf set`);
    }
    const requires = add.requires?.[p.name];
    return { name: p.name, type: p.type, required: req, summary: p.summary, ...(requires ? { requires } : {}) };
  });
  const names = new Set(params.map((p) => p.name));
  const known = (list, what) => {
    for (const n of list) if (!names.has(n)) fail(`${what} names unknown param '${n}'`);
  };
  for (const members of Object.values(add.atMostOne ?? {})) known(members, 'atMostOne');
  known(Object.values(add.requires ?? {}), 'requires');
  known(Object.keys(add.requires ?? {}), 'requires');
  if (add.longPoll) known([add.longPoll], 'longPoll');
  return {
    name: m.name,
    group,
    auth: m.auth,
    summary: m.summary,
    params,
    oneOf,
    atMostOne: add.atMostOne ?? {},
    output: m.output.map((o) => ({ name: o.name, type: o.type, summary: o.summary })),
    errors: m.errors,
    ...(m.data ? { data: m.data } : {}),
    ...(m.binaryOnly ? { connectionBound: true } : {}),
    ...(add.longPoll ? { longPoll: add.longPoll } : {}),
    ...(add.payloadUpload ? { payloadUpload: true } : {}),
    ...(mediaOf.has(m.name) ? { media: mediaOf.get(m.name) } : {}),
    notes: m.notes,
    confidence: m.confidence,
  };
}

const groups = groupOrder();
const seen = new Set();
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const g of groups) {
  const list = readJson(join(src, 'methods', `${g}.json`)).map((m) => convert(m, g));
  for (const m of list) {
    if (seen.has(m.name)) throw new Error(`method ${m.name} appears twice`);
    seen.add(m.name);
  }
  writeFileSync(join(out, `${g}.json`), `${JSON.stringify(list, null, 2)}\n`);
}
for (const name of Object.keys(additions)) if (!seen.has(name)) throw new Error(`addition for unknown method ${name}`);

const errors = { ...readJson(join(src, 'errors.json')), ...extraErrors };
const sortedErrors = Object.fromEntries(Object.entries(errors).sort(([a], [b]) => Number(a) - Number(b)));
writeFileSync(join(out, 'errors.json'), `${JSON.stringify(sortedErrors, null, 2)}\n`);

const ident = (g) => g.replace(/[^a-zA-Z0-9_]/g, '_');
const index = [
  '// Generated by scripts/import-catalog.mjs from the project catalogue; do not edit by hand.',
  ...groups.map((g) => `import ${ident(g)} from './${g}.json';`),
  "import errors from './errors.json';",
  '',
  '/** Method lists per group, in catalogue order. */',
  `export const groupData = [${groups.map(ident).join(', ')}];`,
  'export const errorData: Record<string, string> = errors;',
  '',
].join('\n');
writeFileSync(join(out, 'index.ts'), index);
console.log(`wrote ${seen.size} methods in ${groups.length} groups and ${Object.keys(errors).length} error messages to ${out}`);
