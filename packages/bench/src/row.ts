/**
 * One line of the bench table: a measured value beside its anchor (the
 * thing it is compared with, measured in the same run), the ratio between
 * them and the goal that ratio must reach.
 */
export interface Row {
  /** Which goal of the performance issue the row belongs to, e.g. "1 HTTP CPU per call". */
  group: string;
  /** What was measured, e.g. "pcloudkit HTTP, 16 in flight". */
  name: string;
  value: number;
  unit: string;
  /** What it is compared with, e.g. "bare undici + JSON.parse". */
  anchor: string;
  anchorValue: number;
  /**
   * value / anchorValue when higher is better (calls/s, MB/s), anchorValue /
   * value when lower is better (µs, ms): a ratio above 1 always means "better
   * than the anchor".
   */
  ratio: number;
  /** The least ratio the goal accepts; undefined for rows that only inform. */
  goal?: number;
  /** Free text shown after the row (peak RSS, exactness, ...). */
  note?: string;
}

/** A bench module: measures its part and gives back its rows. */
export type BenchModule = (options: { quick: boolean }) => Promise<Row[]>;

export function row(r: Omit<Row, 'ratio'> & { higherIsBetter: boolean }): Row {
  const { higherIsBetter, ...rest } = r;
  const ratio = higherIsBetter ? r.value / r.anchorValue : r.anchorValue / r.value;
  return { ...rest, ratio };
}

/** Median of a list of numbers (the bench interleaves rounds and reports medians). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
