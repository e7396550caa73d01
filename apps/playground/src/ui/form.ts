/**
 * Builds a method's form from its description and checks the values before
 * anything is sent, with the same checks core runs in `client.request`.
 */
import { defineMethod, encodeParams, ValidationError, type ParamInfo, type ParamSpec } from '@pcloudkit/core';
import type { MethodInfo } from '../server/registry.js';

/** Params as the form collected them: ints stay decimal strings so 64-bit ids are exact. */
export type FormValues = Record<string, string | boolean>;

/** Creates an element with attributes and children (shared by the UI modules). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

const fieldId = (name: string) => `p-${name}`;
const errId = (name: string) => `p-${name}-err`;

function bounds(p: ParamInfo): string {
  if (p.min !== undefined && p.max !== undefined) return `${p.min}–${p.max}`;
  if (p.min !== undefined) return `≥ ${p.min}`;
  if (p.max !== undefined) return `≤ ${p.max}`;
  return '';
}

function typeLabel(p: ParamInfo): string {
  const b = bounds(p);
  return b ? `${p.type} ${b}` : p.type;
}

function input(p: ParamInfo): HTMLElement {
  const common = { id: fieldId(p.name), name: p.name, 'aria-describedby': `${errId(p.name)} ${fieldId(p.name)}-hint` };
  switch (p.type) {
    case 'flag': {
      return h('input', { ...common, type: 'checkbox' });
    }
    case 'bool': {
      const s = h(
        'select',
        common,
        h('option', { value: '' }, '(not sent)'),
        h('option', { value: 'true' }, 'true'),
        h('option', { value: 'false' }, 'false'),
      );
      return s;
    }
    case 'string':
      if (p.enum?.length)
        return h('select', common, h('option', { value: '' }, '(not sent)'), ...p.enum.map((v) => h('option', { value: v }, v)));
      return h('input', { ...common, type: 'text', autocomplete: 'off', spellcheck: 'false' });
    case 'int':
      return h('input', { ...common, type: 'text', inputmode: 'numeric', autocomplete: 'off', placeholder: bounds(p) || 'integer' });
    case 'int-list':
      return h('input', { ...common, type: 'text', autocomplete: 'off', placeholder: '1, 2, 3' });
    case 'string-list':
      return h('input', { ...common, type: 'text', autocomplete: 'off', placeholder: 'a,b,c' });
    case 'datetime':
      return h('input', { ...common, type: 'text', autocomplete: 'off', placeholder: 'Unix seconds or 2024-05-01T12:00:00Z' });
  }
}

function field(p: ParamInfo, required: boolean): HTMLElement {
  const control = input(p);
  const hint = h('p', { class: 'hint', id: `${fieldId(p.name)}-hint` }, p.summary ?? '');
  const err = h('p', { class: 'err', id: errId(p.name), role: 'alert' });
  if (p.type === 'flag') {
    const label = h(
      'label',
      { class: 'check', for: fieldId(p.name) },
      control,
      h('span', { class: 'name' }, p.name),
      h('span', { class: 'type' }, 'flag'),
    );
    return h('div', { class: 'field', 'data-param': p.name }, label, hint, err);
  }
  if (required) control.setAttribute('aria-required', 'true');
  const label = h('label', { for: fieldId(p.name) }, h('span', { class: 'name' }, p.name));
  if (required) label.append(h('span', { class: 'req', title: 'required', 'aria-label': 'required' }, '*'));
  label.append(h('span', { class: 'type' }, typeLabel(p)));
  return h('div', { class: 'field', 'data-param': p.name }, label, control, hint, err);
}

/** One-of set: a segmented choice of which member to give, then that member's input. */
function oneOfSet(set: string, members: ParamInfo[]): HTMLElement {
  const seg = h('div', { class: 'seg', role: 'radiogroup', 'aria-label': `Give exactly one of ${members.map((m) => m.name).join(', ')}` });
  const fields = members.map((m) => field(m, true));
  members.forEach((m, i) => {
    const radio = h('input', { type: 'radio', name: `oneof-${set}`, value: m.name, 'aria-controls': fieldId(m.name) });
    if (i === 0) (radio as HTMLInputElement).checked = true;
    seg.append(h('label', {}, radio, h('span', {}, m.name)));
  });
  const show = () => {
    const chosen = (seg.querySelector('input:checked') as HTMLInputElement).value;
    fields.forEach((f, i) => {
      f.hidden = members[i]!.name !== chosen;
    });
  };
  seg.addEventListener('change', show);
  const legend = h('legend', {}, 'One of', h('span', { class: 'req', 'aria-label': 'required' }, '*'));
  const box = h('fieldset', { class: 'oneof', 'data-oneof': set }, legend, seg, ...fields);
  show();
  return box;
}

/** Builds the inputs for a method into `form` (before its actions row). */
export function buildFields(method: MethodInfo): HTMLElement[] {
  const out: HTMLElement[] = [];
  const doneSets = new Set<string>();
  // Required params first, then one-of sets, then the optional ones, each in definition order.
  const required = method.params.filter((p) => p.required && !p.oneOf);
  const optional = method.params.filter((p) => !p.required && !p.oneOf);
  for (const p of required) out.push(field(p, true));
  for (const p of method.params) {
    if (!p.oneOf || doneSets.has(p.oneOf)) continue;
    doneSets.add(p.oneOf);
    const members = (method.oneOf[p.oneOf] ?? []).map((n) => method.params.find((q) => q.name === n)!).filter(Boolean);
    out.push(oneOfSet(p.oneOf, members));
  }
  if (method.data === 'upload') {
    const file = h('input', { type: 'file', id: 'p-file', name: 'file', 'aria-required': 'true', 'aria-describedby': 'p-file-err' });
    out.push(
      h(
        'div',
        { class: 'field', 'data-param': 'file' },
        h(
          'label',
          { for: 'p-file' },
          h('span', { class: 'name' }, 'file'),
          h('span', { class: 'req', 'aria-label': 'required' }, '*'),
          h('span', { class: 'type' }, 'file data'),
        ),
        file,
        h('p', { class: 'err', id: 'p-file-err', role: 'alert' }),
      ),
    );
  }
  if (optional.length) {
    const details = h('details', { class: 'optional' }, h('summary', {}, `Optional params (${optional.length})`));
    const grid = h('div', { class: 'params' });
    for (const p of optional) grid.append(field(p, false));
    details.append(grid);
    details.open = required.length + doneSets.size === 0 || optional.length <= 4;
    out.push(details);
  }
  return out;
}

export interface Collected {
  values: FormValues;
  errors: { param: string; message: string }[];
  file?: File;
}

type Problem = Collected['errors'][number];

/** A definition with only the given params, for core's checks (sets that lost a member are left out). */
function definitionOf(method: MethodInfo, specs: Map<string, ParamSpec>) {
  const keep = (sets: Record<string, readonly string[]>) =>
    Object.fromEntries(Object.entries(sets).filter(([, members]) => members.every((m) => specs.has(m))));
  const params = Object.fromEntries(
    [...specs].map(([name, { requires, ...spec }]) => [name, requires && specs.has(requires) ? { ...spec, requires } : spec]),
  );
  return defineMethod({ name: method.name, group: method.group, params, oneOf: keep(method.oneOf), atMostOne: keep(method.atMostOne) });
}

/**
 * Runs core's param checks (`encodeParams`) on the form values and returns
 * every problem, not only the first: each failing param is set aside and the
 * check runs again on the rest. `param` names one param or, for a set, the
 * members joined by `|`.
 */
export function problems(method: MethodInfo, values: FormValues): Problem[] {
  const specs = new Map<string, ParamSpec>(method.params.map(({ name, oneOf: _set, atMostOne: _most, ...spec }) => [name, spec]));
  const given: Record<string, unknown> = { ...values };
  const out: Problem[] = [];
  for (;;) {
    try {
      encodeParams(definitionOf(method, specs), given);
      return out;
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      out.push({ param: error.param, message: error.message.slice(error.method.length + 2) });
      const names = error.param.split('|').filter((n) => specs.has(n));
      if (!names.length) return out;
      for (const n of names) {
        specs.delete(n);
        delete given[n];
      }
    }
  }
}

/** Reads and checks the form. Errors are shown next to their inputs by `showErrors`. */
export function collect(form: HTMLElement, method: MethodInfo): Collected {
  const values: FormValues = {};
  const errors: Collected['errors'] = [];
  const chosen = new Map<string, string>();
  form.querySelectorAll<HTMLFieldSetElement>('fieldset[data-oneof]').forEach((fs) => {
    const r = fs.querySelector<HTMLInputElement>('.seg input:checked');
    if (r) chosen.set(fs.dataset.oneof!, r.value);
  });
  for (const p of method.params) {
    const el = form.querySelector<HTMLInputElement | HTMLSelectElement>(`#${CSS.escape(fieldId(p.name))}`);
    if (!el) continue;
    if (p.oneOf && chosen.get(p.oneOf) !== p.name) continue; // another member of the set was chosen
    if (p.type === 'flag') {
      if ((el as HTMLInputElement).checked) values[p.name] = true;
      continue;
    }
    const raw = el.value.trim();
    if (raw !== '') values[p.name] = p.type === 'bool' ? raw === 'true' : raw;
  }
  // A set's problem is shown at a member whose input is on screen (the chosen one of a one-of set).
  const visible = (name: string) => {
    const set = method.params.find((p) => p.name === name)?.oneOf;
    return set === undefined || chosen.get(set) === name;
  };
  for (const { param, message } of problems(method, values)) errors.push({ param: param.split('|').find(visible) ?? param, message });
  let file: File | undefined;
  if (method.data === 'upload') {
    file = form.querySelector<HTMLInputElement>('#p-file')?.files?.[0];
    if (!file) errors.push({ param: 'file', message: 'Choose a file to upload' });
  }
  return { values, errors, file };
}

/** Marks invalid inputs (aria-invalid + message); focuses the first one. */
export function showErrors(form: HTMLElement, errors: Collected['errors']): void {
  for (const e of form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
  for (const e of form.querySelectorAll('.err')) e.textContent = '';
  for (const { param, message } of errors) {
    const err = form.querySelector(`#${CSS.escape(errId(param))}`);
    if (err) err.textContent = message;
    form.querySelector(`#${CSS.escape(fieldId(param))}`)?.setAttribute('aria-invalid', 'true');
  }
  const first = errors[0];
  if (first) {
    const el = form.querySelector<HTMLElement>(`#${CSS.escape(fieldId(first.param))}`);
    el?.closest('details')?.setAttribute('open', '');
    el?.focus();
  }
}

/** Fills a form from earlier values (history entries). */
export function fill(form: HTMLElement, method: MethodInfo, values: FormValues): void {
  for (const p of method.params) {
    const el = form.querySelector<HTMLInputElement | HTMLSelectElement>(`#${CSS.escape(fieldId(p.name))}`);
    if (!el) continue;
    const v = values[p.name];
    if (p.type === 'flag') (el as HTMLInputElement).checked = v === true;
    else el.value = v === undefined ? '' : String(v);
    if (p.oneOf && v !== undefined) {
      const radio = form.querySelector<HTMLInputElement>(`input[name="oneof-${CSS.escape(p.oneOf)}"][value="${CSS.escape(p.name)}"]`);
      if (radio) {
        radio.checked = true;
        radio.dispatchEvent(new Event('change', { bubbles: true }));
      }
    }
    if (v !== undefined) el.closest('details')?.setAttribute('open', '');
  }
}

/** Input types that take typed text (a `/` typed there is text, not the search shortcut). */
const TEXT_TYPES = new Set([
  'text',
  'search',
  'email',
  'password',
  'number',
  'url',
  'tel',
  'date',
  'datetime-local',
  'time',
  'month',
  'week',
]);

/** Whether keys typed on `target` are text (text inputs, text areas, selects, editable content), unlike a checkbox or a radio switch. */
export function typingIn(target: EventTarget | null): boolean {
  if (target instanceof HTMLInputElement) return TEXT_TYPES.has(target.type);
  return (
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLElement && target.isContentEditable)
  );
}
