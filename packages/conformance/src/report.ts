import type { RunReport } from './run.js';

/** The table (method, calls, deviations, status), each unexplained deviation, and the closing total line. */
export function formatReport(report: RunReport): string {
  const rows = report.methods.map((r) => [
    r.method,
    String(r.calls),
    String(r.deviations.length) + (r.explained.length ? ` (+${r.explained.length} deliberate)` : ''),
    r.status === 'not covered' ? `not covered (${r.reason ?? `no fixture for ${r.missing?.join(', ')}`})` : r.status,
  ]);
  const head = ['method', 'calls', 'deviations', 'status'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 || i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  if (report.unexplained.length > 0) {
    out.push('', 'Unexplained deviations:');
    for (const d of report.unexplained) out.push(`  ${d.method} [${d.protocol}] ${d.check}: ${d.detail}`);
  }
  if (report.stale.length > 0) {
    out.push('', 'Deliberate deviations that no longer happen (remove them from src/deviations.ts):');
    for (const e of report.stale) out.push(`  ${e.method} ${e.check}`);
  }
  out.push('', totalLine(report));
  return out.join('\n');
}

/** `N methods, M deviations` plus the counts of the other statuses. */
export function totalLine(report: RunReport): string {
  const count = (s: string) => report.methods.filter((r) => r.status === s).length;
  const deliberate = report.methods.reduce((n, r) => n + r.explained.length, 0);
  return (
    `${report.methods.length} methods, ${report.unexplained.length} deviations` +
    ` (${count('checked')} checked, ${count('not implemented')} not implemented, ${count('not covered')} not covered,` +
    ` ${deliberate} deliberate${report.stale.length ? `, ${report.stale.length} stale deliberate entries` : ''})`
  );
}
