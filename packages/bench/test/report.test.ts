import { describe, expect, it } from 'vitest';
import { cells, exitCode, failures, formatNumber, formatTable, toResults, verdict } from '../src/report.js';
import { median, row, type Row } from '../src/row.js';

const fast = row({
  group: '6 transfers',
  name: 'pcloudkit HTTP upload',
  value: 450,
  unit: 'MiB/s',
  anchor: 'raw socket copy',
  anchorValue: 500,
  higherIsBetter: true,
  goal: 0.8,
  note: 'peak RSS 90 MB',
});
const slow = row({
  group: '7 emulator',
  name: 'listfolder | 10,000',
  value: 90,
  unit: 'ms',
  anchor: 'JSON.stringify',
  anchorValue: 30,
  higherIsBetter: false,
  goal: 0.5,
});
const info = row({
  group: 'info',
  name: 'binary, 1 in flight',
  value: 7004,
  unit: 'calls/s',
  anchor: 'bare undici',
  anchorValue: 5204,
  higherIsBetter: true,
});

describe('rows', () => {
  it('puts the ratio the right way round for both kinds of unit', () => {
    expect(fast.ratio).toBeCloseTo(0.9);
    expect(slow.ratio).toBeCloseTo(1 / 3);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('tells pass, fail and rows that only inform apart', () => {
    expect(verdict(fast)).toBe(true);
    expect(verdict(slow)).toBe(false);
    expect(verdict(info)).toBeNull();
    expect(verdict({ ...fast, ratio: Number.NaN })).toBe(false);
    expect(failures([fast, slow, info])).toEqual([slow]);
  });
});

describe('table', () => {
  it('prints every column of a row', () => {
    expect(cells(fast)).toEqual([
      '6 transfers',
      'pcloudkit HTTP upload',
      '450 MiB/s',
      'raw socket copy',
      '500 MiB/s',
      '0.90x',
      '≥ 0.80x',
      'pass',
      'peak RSS 90 MB',
    ]);
    expect(cells(slow)[7]).toBe('FAIL');
    expect(cells(info).slice(6, 8)).toEqual(['', 'info']);
  });

  it('is a Markdown table with aligned columns, pipes escaped and missing modules listed', () => {
    const lines = formatTable([fast, slow, info], [{ module: 'json', status: 'skipped', reason: 'src/json.ts is not there' }]).split('\n');
    expect(lines[0]).toMatch(/^\| goal +\| measured +\| value +\| anchor +\| anchor value +\| ratio +\| goal ratio +\| pass +\| note +\|$/);
    expect(lines[1]).toMatch(/^\|-+(\|-+){8}\|$/);
    expect(lines.slice(0, 5).every((l) => l.length === lines[0]!.length)).toBe(true);
    expect(lines[3]).toContain('listfolder \\| 10,000');
    expect(lines[5]).toBe('(json: skipped, src/json.ts is not there)');
  });

  it('formats numbers by their size', () => {
    expect(formatNumber(12345.6)).toBe('12,346');
    expect(formatNumber(45.67)).toBe('45.7');
    expect(formatNumber(4.567)).toBe('4.57');
    expect(formatNumber(0.04567)).toBe('0.046');
  });
});

describe('--check', () => {
  const skipped = { module: 'json', status: 'skipped' as const, reason: 'not there' };
  const failed = { module: 'calls', status: 'failed' as const, reason: 'boom' };
  it('fails only with --check when a ratio is below its goal', () => {
    expect(exitCode([fast, slow, info], [], false)).toBe(0);
    expect(exitCode([fast, slow, info], [], true)).toBe(1);
    expect(exitCode([fast, info], [], true)).toBe(0);
  });
  it('fails with --check when a module is missing, and always when one failed', () => {
    expect(exitCode([fast], [skipped], false)).toBe(0);
    expect(exitCode([fast], [skipped], true)).toBe(1);
    expect(exitCode([fast], [failed], false)).toBe(1);
  });
});

describe('results file', () => {
  it('holds every row with its verdict, and the run facts', () => {
    const meta = {
      date: '2026-01-01T00:00:00.000Z',
      node: 'v20',
      platform: 'linux x64',
      cpus: 2,
      load: { before: 1, after: 2 },
      quick: true,
      seconds: 3,
    };
    const results = toResults([fast, slow, info] as Row[], [], meta);
    const back = JSON.parse(JSON.stringify(results)) as typeof results;
    expect(back).toMatchObject(meta);
    expect(back.rows.map((r) => [r.name, r.pass])).toEqual([
      [fast.name, true],
      [slow.name, false],
      [info.name, null],
    ]);
    expect(back.rows[0]).toMatchObject({ value: 450, anchorValue: 500, goal: 0.8, unit: 'MiB/s' });
  });
});
