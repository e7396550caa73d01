/**
 * The Export section under a result: the call as TypeScript (against a
 * fresh emulator, this playground's emulator, or pCloud), as a URL, or as a
 * `curl` command, with a Copy button. The page shows the emulator user's
 * token masked; Copy writes it in so the copied text runs as it is.
 */
import { type CodeInput, toCurl, toTypeScript, toUrl } from './codegen.js';
import { h } from './form.js';

export type ExportFormat = 'ts-fresh' | 'ts-playground' | 'ts' | 'url' | 'curl';

const KEY = 'pcloudkit-playground:export-format';

/** The formats a call can be exported as, with their labels. */
export function formatsFor(input: CodeInput): [ExportFormat, string][] {
  const out: [ExportFormat, string][] =
    input.target === 'emulator'
      ? [
          ['ts-fresh', 'TypeScript · fresh emulator'],
          ['ts-playground', "TypeScript · this playground's emulator"],
        ]
      : [['ts', 'TypeScript · pCloud']];
  // a URL cannot carry a file: uploads get curl only
  if (toUrl(input)) out.push(...(input.method.data === 'upload' ? [] : ([['url', 'URL']] as [ExportFormat, string][])), ['curl', 'curl']);
  return out;
}

/** The text of one export; `reveal` writes the emulator user's token in (what Copy puts in the clipboard). */
export function exportText(input: CodeInput, format: ExportFormat, reveal: boolean): string {
  const full = { ...input, reveal };
  switch (format) {
    case 'url':
      return toUrl(full) ?? '';
    case 'curl':
      return toCurl(full) ?? '';
    case 'ts-playground':
      return toTypeScript({ ...full, emulator: 'playground' });
    default:
      return toTypeScript({ ...full, emulator: 'fresh' });
  }
}

/** The format last picked (kept across reloads), if the call offers it. */
export function preferredFormat(input: CodeInput): ExportFormat {
  const formats = formatsFor(input).map(([f]) => f);
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(KEY);
  } catch {
    // storage blocked: the first format
  }
  if (saved === 'ts' || saved === 'ts-fresh' || saved === 'ts-playground') {
    // TypeScript stays TypeScript when the target changes
    const ts = formats.find((f) => f.startsWith('ts') && (f === saved || !formats.includes(saved as ExportFormat)));
    if (ts) return ts;
  }
  return formats.find((f) => f === saved) ?? formats[0]!;
}

/** The section: a format picker, the text as shown, and Copy. */
export function exportSection(input: CodeInput, copy: (text: string) => void): HTMLDetailsElement {
  const formats = formatsFor(input);
  const select = h(
    'select',
    { id: 'export-format', 'aria-label': 'Export format' },
    ...formats.map(([f, label]) => h('option', { value: f }, label)),
  );
  select.value = preferredFormat(input);
  const pre = h('pre', { class: 'code', id: 'export-code', tabindex: '0', 'aria-label': 'Exported call' });
  const note = h('p', { class: 'muted export-note', id: 'export-note' });
  const show = () => {
    const format = select.value as ExportFormat;
    pre.textContent = exportText(input, format, false);
    note.textContent =
      format === 'ts-fresh'
        ? 'Starts an emulator of its own: ids from this playground do not exist there. Run with `npx tsx file.ts`.'
        : format === 'ts'
          ? 'Reads the token from the environment (PCLOUD_TOKEN or PCLOUD_AUTH). Run with `npx tsx file.ts`.'
          : input.target === 'pcloud'
            ? 'PCLOUD_TOKEN stands for your token.'
            : pre.textContent.includes('[token') || pre.textContent.includes('%5Btoken')
              ? "The emulator user's token is masked here; Copy writes it in."
              : '';
  };
  select.addEventListener('change', () => {
    try {
      localStorage.setItem(KEY, select.value);
    } catch {
      // not kept
    }
    show();
  });
  show();
  const copyButton = h('button', { type: 'button', class: 'ghost small', id: 'export-copy', 'aria-label': 'Copy the export' }, 'Copy');
  copyButton.addEventListener('click', (e) => {
    e.preventDefault();
    e.stopPropagation();
    copy(exportText(input, select.value as ExportFormat, true));
  });
  const d = h('details', { class: 'section export' });
  d.open = false;
  // the Copy button sits in the body: a button inside a summary is a control inside a control
  d.append(h('summary', {}, 'Export'), h('div', { class: 'body' }, h('div', { class: 'export-row' }, select, copyButton), pre, note));
  return d;
}
