/**
 * Turning bench rows into the printed table, the JSON results file and the
 * `--check` verdict. Pure functions, so the test can feed them made-up rows.
 */
import type { Row } from './row.js';

/** A module that did not give rows: not written yet (`skipped`) or failed while measuring (`failed`). */
export interface Missing {
  module: string;
  status: 'skipped' | 'failed';
  reason: string;
}

/** What the results file holds. */
export interface Results {
  date: string;
  node: string;
  platform: string;
  cpus: number;
  /** 1-minute load average before and after the run (the machine is shared; read ratios with it in mind). */
  load: { before: number; after: number };
  quick: boolean;
  /** Seconds the whole run took. */
  seconds: number;
  rows: Array<Row & { pass: boolean | null }>;
  missing: Missing[];
}

/** `true`/`false` for rows with a goal, `null` for rows that only inform. */
export function verdict(r: Row): boolean | null {
  if (r.goal === undefined) return null;
  return Number.isFinite(r.ratio) && r.ratio >= r.goal;
}

/** A number with a precision that suits its size (3 significant digits at least, grouped thousands). */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const ratioText = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}x` : String(n));

const COLUMNS = ['goal', 'measured', 'value', 'anchor', 'anchor value', 'ratio', 'goal ratio', 'pass', 'note'] as const;

/** The cells of one row, in the order of the table's columns. */
export function cells(r: Row): string[] {
  const v = verdict(r);
  return [
    r.group,
    r.name,
    `${formatNumber(r.value)} ${r.unit}`,
    r.anchor,
    `${formatNumber(r.anchorValue)} ${r.unit}`,
    ratioText(r.ratio),
    r.goal === undefined ? '' : `≥ ${ratioText(r.goal)}`,
    v === null ? 'info' : v ? 'pass' : 'FAIL',
    r.note ?? '',
  ];
}

/** The rows as a Markdown table (readable in a terminal, pasted as is into the README). */
export function formatTable(rows: readonly Row[], missing: readonly Missing[] = []): string {
  const body = rows.map(cells);
  const escapePipes = (s: string) => s.replace(/\|/g, '\\|');
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...body.map((cols) => escapePipes(cols[i]!).length)));
  const line = (cols: readonly string[]) => `| ${cols.map((c, i) => escapePipes(c).padEnd(widths[i]!)).join(' | ')} |`;
  const out = [line(COLUMNS), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)];
  for (const m of missing) out.push(`(${m.module}: ${m.status}, ${m.reason})`);
  return out.join('\n');
}

/** The rows with a goal whose ratio falls below it. */
export function failures(rows: readonly Row[]): Row[] {
  return rows.filter((r) => verdict(r) === false);
}

/**
 * Exit code of a run: 1 when a module failed, and with `check` also when a
 * module was missing or a ratio fell below its goal; 0 otherwise.
 */
export function exitCode(rows: readonly Row[], missing: readonly Missing[], check: boolean): number {
  if (missing.some((m) => m.status === 'failed')) return 1;
  if (!check) return 0;
  return missing.length > 0 || failures(rows).length > 0 ? 1 : 0;
}

/** The results file's content. */
export function toResults(rows: readonly Row[], missing: readonly Missing[], meta: Omit<Results, 'rows' | 'missing'>): Results {
  return { ...meta, rows: rows.map((r) => ({ ...r, pass: verdict(r) })), missing: [...missing] };
}
