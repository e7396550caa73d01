/**
 * Decoding a large answer: a 100,000-entry `listfolder` answer (realistic
 * file and folder metadata, every file with an unsigned 64-bit `hash`),
 * built in memory. Three comparisons, each against `JSON.parse` of the same
 * JSON text (which rounds the hashes):
 *
 * - goal 4: core's exact `parseJson` on that text (goal ratio 0.8);
 * - the same listing with small hashes, so without big integers (informs);
 * - goal 5: the binary protocol's decoder on the listing's binary frame, as
 *   the emulator's binary port encodes it (goal ratio 1: faster than
 *   `JSON.parse`).
 *
 * The cases take turns within each round; the rows hold the medians of the
 * CPU time of one decode (`process.cpuUsage`, which a loaded machine
 * disturbs far less than wall time; the notes give wall-time medians too).
 * Each decoder's result is checked: every hash exact.
 *
 * Alone: `pnpm --filter @pcloudkit/bench exec tsx --conditions=source src/json.ts [--quick]`.
 */
import { pathToFileURL } from 'node:url';
import { parseJson } from '@pcloudkit/core';
import { toJson } from '@pcloudkit/emulator';
import { decodeResponse } from '@pcloudkit/transport-binary';
// The emulator's own answer encoder (not exported by the package): the frame its binary port would send.
import { encodeReply } from '../../emulator/src/binary/index.js';
import { formatTable } from './report.js';
import { type BenchModule, median, type Row, row } from './row.js';

const ENTRIES = 100_000;

type Meta = Record<string, string | number | bigint | boolean | Meta[]>;

/** pCloud's date form: `Thu, 21 Mar 2019 10:26:45 +0000`. */
const date = (seconds: number) => new Date(seconds * 1000).toUTCString().replace('GMT', '+0000');

/** A listfolder answer with `entries` items (one folder in 25), from a fixed seed. */
export function listing(entries: number, bigHashes: boolean): { result: number; metadata: Meta } {
  let seed = 0x2545f491;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const types = [
    ['image/jpeg', 'image', 1, 'IMG_%.jpg'],
    ['video/mp4', 'video', 2, 'VID_%.mp4'],
    ['application/pdf', 'document', 4, 'Scan %.pdf'],
    ['audio/mpeg', 'audio', 3, 'Track %.mp3'],
  ] as const;
  const contents: Meta[] = [];
  for (let i = 0; i < entries; i++) {
    const created = 1_500_000_000 + i * 613;
    if (i % 25 === 0) {
      contents.push({
        id: `d${10_000 + i}`,
        isfolder: true,
        name: `Folder ${i / 25}`,
        folderid: 10_000 + i,
        created: date(created),
        modified: date(created + 3600),
        ismine: true,
        isshared: false,
        icon: 'folder',
        thumb: false,
        comments: 0,
        parentfolderid: 0,
      });
      continue;
    }
    const [contenttype, icon, category, pattern] = types[i % types.length]!;
    const hash = bigHashes ? (BigInt(next()) << 32n) | BigInt(next()) : next() % 1_000_000;
    contents.push({
      id: `f${500_000 + i}`,
      isfolder: false,
      name: pattern.replace('%', String(i).padStart(6, '0')),
      parentfolderid: 0,
      fileid: 500_000 + i,
      created: date(created),
      modified: date(created + 60),
      ismine: true,
      isshared: false,
      icon,
      category,
      thumb: icon === 'image' || icon === 'video',
      size: 10_000 + (next() % 50_000_000),
      contenttype,
      hash,
      comments: 0,
    });
  }
  const root: Meta = {
    id: 'd0',
    isfolder: true,
    name: '/',
    folderid: 0,
    created: date(1_400_000_000),
    modified: date(1_700_000_000),
    ismine: true,
    isshared: false,
    icon: 'folder',
    thumb: false,
    comments: 0,
    contents,
  };
  return { result: 0, metadata: root };
}

/** Throws unless every entry of a decoded listing has the hash of the source, exactly (bigint above 2^53-1). */
function checkExact(decoded: unknown, source: { metadata: Meta }, what: string): void {
  const got = (decoded as { metadata: { contents: Meta[] } }).metadata.contents;
  const want = source.metadata.contents as Meta[];
  if (got.length !== want.length) throw new Error(`${what}: ${got.length} entries instead of ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    const h = want[i]!.hash;
    if (h === undefined) continue;
    const expected = typeof h === 'bigint' && h > BigInt(Number.MAX_SAFE_INTEGER) ? h : Number(h);
    if (got[i]!.hash !== expected) throw new Error(`${what}: entry ${i} has hash ${String(got[i]!.hash)} instead of ${h}`);
  }
}

interface Timing {
  cpu: number[];
  wall: number[];
}

function timeOnce(fn: () => unknown, into: Timing): unknown {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  into.cpu.push((c.user + c.system) / 1000);
  into.wall.push(wall);
  return out;
}

let log: (line: string) => void = (line) => console.error(line);

const json: BenchModule = async ({ quick }) => {
  const rounds = quick ? 3 : 9;
  const big = listing(ENTRIES, true);
  const small = listing(ENTRIES, false);
  const bigText = toJson(big);
  const smallText = toJson(small);
  const frame = encodeReply(big);
  log(
    `listing of ${ENTRIES.toLocaleString('en')} entries: JSON ${(bigText.length / 1e6).toFixed(1)} MB (${(smallText.length / 1e6).toFixed(1)} MB with small hashes), binary frame ${(frame.length / 1e6).toFixed(1)} MB; ${rounds} rounds`,
  );

  const cases = {
    jsonParse: () => JSON.parse(bigText),
    parseJson: () => parseJson(bigText),
    jsonParseSmall: () => JSON.parse(smallText),
    parseJsonSmall: () => parseJson(smallText),
    binary: () => decodeResponse(frame).value,
  };
  type Case = keyof typeof cases;
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, { cpu: [], wall: [] } as Timing])) as Record<Case, Timing>;
  // Warm-up, and the exactness checks.
  checkExact(cases.parseJson(), big, 'parseJson');
  checkExact(cases.parseJsonSmall(), small, 'parseJson (small hashes)');
  checkExact(cases.binary(), big, 'binary decode');
  cases.jsonParse();
  cases.jsonParseSmall();
  for (let r = 0; r < rounds; r++) {
    for (const name of Object.keys(cases) as Case[]) timeOnce(cases[name], times[name]);
    log(`round ${r + 1}/${rounds}: ${(Object.keys(cases) as Case[]).map((k) => `${k} ${times[k].cpu.at(-1)!.toFixed(0)} ms`).join(', ')}`);
  }
  const cpu = (k: Case) => median(times[k].cpu);
  const wall = (k: Case) => `${median(times[k].wall).toFixed(0)} ms`;
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  const rows: Row[] = [
    row({
      group: '4 exact JSON',
      name: `parseJson, ${ENTRIES.toLocaleString('en')}-entry listing with 64-bit hashes`,
      value: cpu('parseJson'),
      unit: 'ms CPU',
      anchor: 'JSON.parse (rounds the hashes)',
      anchorValue: cpu('jsonParse'),
      higherIsBetter: false,
      goal: 0.8,
      note: `${mb(bigText.length)} of JSON, every hash exact; wall ${wall('parseJson')} vs ${wall('jsonParse')}`,
    }),
    row({
      group: '4 exact JSON',
      name: 'parseJson, the same listing without big integers',
      value: cpu('parseJsonSmall'),
      unit: 'ms CPU',
      anchor: 'JSON.parse',
      anchorValue: cpu('jsonParseSmall'),
      higherIsBetter: false,
      note: `${mb(smallText.length)} of JSON; wall ${wall('parseJsonSmall')} vs ${wall('jsonParseSmall')}`,
    }),
    row({
      group: '5 binary decode',
      name: 'binary decode of the listing (its frame)',
      value: cpu('binary'),
      unit: 'ms CPU',
      anchor: 'JSON.parse of its JSON text',
      anchorValue: cpu('jsonParse'),
      higherIsBetter: false,
      goal: 1,
      note: `${mb(frame.length)} frame, every hash exact; wall ${wall('binary')} vs ${wall('jsonParse')}`,
    }),
  ];
  return rows;
};

export default json;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  log = (line) => console.log(line);
  const rows = await json({ quick: process.argv.includes('--quick') });
  console.log(formatTable(rows));
}
