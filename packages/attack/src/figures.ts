/** One measured figure of an attack. */
export interface Figure {
  attack: string;
  label: string;
  value: number;
  unit?: 'bytes' | 'ms' | '';
}

function show(f: Figure): string {
  if (f.unit === 'bytes') {
    const mib = f.value / (1024 * 1024);
    return mib >= 1024 ? `${(mib / 1024).toFixed(2)} GiB` : `${mib.toFixed(1)} MiB`;
  }
  if (f.unit === 'ms') return `${Math.round(f.value)} ms`;
  return f.value.toLocaleString('en-US');
}

/**
 * The figures a run of the suite gathers, printed together at its end: per
 * attack what load the server held, what inputs were tried, and totals.
 */
export class Figures {
  private readonly rows: Figure[] = [];

  add(attack: string, label: string, value: number, unit: Figure['unit'] = ''): void {
    this.rows.push({ attack, label, value, unit });
  }

  /** Sum of every figure with this label. */
  total(label: string): number {
    return this.rows.filter((r) => r.label === label).reduce((n, r) => n + r.value, 0);
  }

  all(): readonly Figure[] {
    return this.rows;
  }

  /** A plain-text table, grouped by attack, then the closing totals. */
  format(totals: Record<string, string | number> = {}): string {
    const lines: string[] = ['', 'attack suite figures', '===================='];
    let current = '';
    for (const r of this.rows) {
      if (r.attack !== current) {
        current = r.attack;
        lines.push(r.attack);
      }
      lines.push(`  ${r.label.padEnd(44)} ${show(r)}`);
    }
    lines.push('--------------------');
    for (const [k, v] of Object.entries(totals)) lines.push(`${k}: ${typeof v === 'number' ? v.toLocaleString('en-US') : v}`);
    return `${lines.join('\n')}\n`;
  }
}
