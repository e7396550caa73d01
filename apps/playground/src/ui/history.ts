/**
 * The call history beside the form: kept in the browser's localStorage so
 * it survives a reload, filtered as you type, cleared with one button. Each
 * entry re-opens its call (method, params, transport and target, result)
 * or runs it again in one click.
 */
import { SECRET_PARAMS } from '@pcloudkit/core';
import type { MethodInfo } from '../server/registry.js';
import type { CallOutput } from '../shared/output.js';
import { type FormValues, h } from './form.js';

export interface HistoryEntry {
  id: number;
  method: MethodInfo;
  values: FormValues;
  transport: 'http' | 'binary';
  target: 'emulator' | 'pcloud';
  fileName?: string;
  output: CallOutput;
  at: Date;
}

export interface HistoryOptions {
  /** The methods the page offers (a stored entry of a method no longer offered is dropped). */
  methods: readonly MethodInfo[];
  /** Shows an entry: its form, switches and result. */
  open(entry: HistoryEntry): void;
  /** Shows an entry and sends it again. */
  rerun(entry: HistoryEntry): void;
  /** Copies an entry as code. */
  copy(entry: HistoryEntry): void;
}

/** What localStorage keeps of an entry: the method by name, no secret param, no token (outputs carry none: they are scrubbed). */
interface Stored {
  id: number;
  method: string;
  values: FormValues;
  transport: 'http' | 'binary';
  target: 'emulator' | 'pcloud';
  fileName?: string;
  output: CallOutput;
  at: string;
}

export const STORAGE_KEY = 'pcloudkit-playground:history';
/** Entries kept. */
const KEEP = 100;
/** Largest output kept whole (characters of JSON); bigger ones lose their frames, then their answer. */
const OUTPUT_LIMIT = 64 * 1024;

const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector<T>(sel)!;

/** An output small enough for storage. */
function slim(output: CallOutput): CallOutput {
  let out = output;
  if (out.data?.url.startsWith('blob:')) {
    // the page's own copy of a data answer dies with the page
    const { data: _data, ...rest } = out;
    out = rest;
  }
  if (JSON.stringify(out).length > OUTPUT_LIMIT && out.frames) out = { ...out, frames: [] };
  if (JSON.stringify(out).length > OUTPUT_LIMIT && out.response)
    out = { ...out, response: JSON.stringify({ note: `the answer (${out.response.length} characters) was too large to keep` }) };
  return out;
}

function load(methods: readonly MethodInfo[]): HistoryEntry[] {
  let raw: string | null = null;
  try {
    raw = localStorage.getItem(STORAGE_KEY);
  } catch {
    return [];
  }
  if (!raw) return [];
  try {
    const stored = JSON.parse(raw) as { v?: number; entries?: Stored[] };
    if (stored.v !== 1 || !Array.isArray(stored.entries)) return [];
    const out: HistoryEntry[] = [];
    for (const s of stored.entries) {
      const method = methods.find((m) => m.name === s.method);
      if (!method || (s.transport !== 'http' && s.transport !== 'binary') || (s.target !== 'emulator' && s.target !== 'pcloud')) continue;
      out.push({ ...s, method, at: new Date(s.at) });
    }
    return out;
  } catch {
    return [];
  }
}

export function setupHistory(options: HistoryOptions) {
  let entries = load(options.methods);
  let seq = entries.reduce((n, e) => Math.max(n, e.id), 0);
  let current: number | undefined;
  const filter = $<HTMLInputElement>('#history-filter');

  function save(): void {
    const stored: Stored[] = entries.map((e) => ({
      ...e,
      method: e.method.name,
      // passwords, tokens, codes and secrets typed into a form stay in this page's memory only
      values: Object.fromEntries(Object.entries(e.values).filter(([k]) => !SECRET_PARAMS.has(k))),
      output: slim(e.output),
      at: e.at.toISOString(),
    }));
    for (;;) {
      try {
        localStorage.setItem(STORAGE_KEY, JSON.stringify({ v: 1, entries: stored }));
        return;
      } catch {
        // over the quota: drop the oldest until it fits
        if (!stored.length) return;
        stored.pop();
      }
    }
  }

  function matches(entry: HistoryEntry, words: string[]): boolean {
    const e = entry.output.error;
    const hay = [
      entry.method.name,
      entry.method.group,
      entry.transport,
      entry.target,
      e ? `error ${e.result ?? ''} ${e.name} ${e.message}` : 'ok',
      ...Object.entries(entry.values).map(([k, v]) => `${k}=${v}`),
    ]
      .join(' ')
      .toLowerCase();
    return words.every((w) => hay.includes(w));
  }

  function render(): void {
    const list = $('#history-list');
    list.replaceChildren();
    if (!entries.length) {
      list.append(h('li', { class: 'history-empty' }, 'Calls you make show up here, and stay after a reload.'));
      return;
    }
    const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const shown = entries.filter((e) => matches(e, words));
    if (!shown.length) {
      list.append(h('li', { class: 'history-empty' }, `No call matches “${filter.value.trim()}”.`));
      return;
    }
    for (const entry of shown) {
      const ok = !entry.output.error;
      const when = entry.at.toLocaleTimeString();
      const open = h(
        'button',
        { type: 'button', class: 'h-open', 'aria-label': `Show ${entry.method.name} call from ${when}` },
        h('span', { class: `dot${ok ? '' : ' bad'}`, 'aria-hidden': 'true' }),
        entry.method.name,
      );
      open.addEventListener('click', () => {
        current = entry.id;
        options.open(entry);
        render();
      });
      const rerun = h(
        'button',
        {
          type: 'button',
          class: 'ghost small h-rerun',
          title: 'Run this call again',
          'aria-label': `Run ${entry.method.name} again (${entry.transport}, ${entry.target})`,
        },
        h('span', { 'aria-hidden': 'true' }, '↻ '),
        'Run',
      );
      rerun.addEventListener('click', () => {
        current = entry.id;
        options.rerun(entry);
      });
      const copy = h(
        'button',
        { type: 'button', class: 'ghost small h-copy', 'aria-label': `Copy TS: the ${entry.method.name} call as TypeScript` },
        'Copy TS',
      );
      copy.addEventListener('click', () => options.copy(entry));
      const meta = h(
        'span',
        { class: 'h-meta' },
        `${when} · ${entry.transport} · ${entry.target} · ${ok ? `${entry.output.timing} ms` : (entry.output.error!.result ?? entry.output.error!.name)}`,
      );
      list.append(
        h(
          'li',
          { class: entry.id === current ? 'current' : '', 'data-entry': String(entry.id) },
          open,
          h('span', { class: 'h-actions' }, rerun, copy),
          meta,
        ),
      );
    }
  }

  filter.addEventListener('input', render);
  $('#history-clear').addEventListener('click', () => {
    entries = [];
    current = undefined;
    try {
      localStorage.removeItem(STORAGE_KEY);
    } catch {
      // nothing kept anyway
    }
    render();
  });
  render();

  return {
    /** Adds a finished call at the top, keeps it and shows it as current. */
    add(entry: Omit<HistoryEntry, 'id'>): HistoryEntry {
      const full = { ...entry, id: ++seq };
      entries.unshift(full);
      if (entries.length > KEEP) entries.length = KEEP;
      current = full.id;
      save();
      render();
      return full;
    },
    /** Marks no entry as current (another method was opened). */
    deselect(): void {
      if (current === undefined) return;
      current = undefined;
      render();
    },
    entries: () => entries,
  };
}
