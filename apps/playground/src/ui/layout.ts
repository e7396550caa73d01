/**
 * The page on small screens: below 700 px the method list is a drawer that a
 * "Methods" button in the top bar opens (picking a method closes it), so the
 * form and the result get the whole width.
 */
import { h } from './form.js';

const PHONE = '(max-width: 700px)';

export function setupLayout(): void {
  const nav = document.querySelector<HTMLElement>('.sidebar');
  const bar = document.querySelector<HTMLElement>('.topbar');
  if (!nav || !bar) return;
  nav.id ||= 'methods-nav';
  const phone = window.matchMedia(PHONE);
  const toggle = h(
    'button',
    { type: 'button', class: 'ghost drawer-toggle', id: 'drawer-toggle', 'aria-controls': nav.id, 'aria-expanded': 'false' },
    h('span', { 'aria-hidden': 'true' }, '☰ '),
    'Methods',
  );
  bar.prepend(toggle);
  const backdrop = h('div', { class: 'drawer-backdrop', 'aria-hidden': 'true' });
  document.body.append(backdrop);

  const set = (open: boolean, focus = true) => {
    document.body.classList.toggle('drawer-open', open);
    toggle.setAttribute('aria-expanded', String(open));
    if (open && focus) nav.querySelector<HTMLInputElement>('#search')?.focus();
  };
  const isOpen = () => document.body.classList.contains('drawer-open');
  toggle.addEventListener('click', () => set(!isOpen()));
  backdrop.addEventListener('click', () => set(false, false));
  // Picking a method (or the file handle panel) closes the drawer and moves to the form.
  nav.addEventListener('click', (e) => {
    if (!phone.matches || !(e.target as Element).closest('.method-item, #open-fileops')) return;
    set(false);
    document.querySelector<HTMLElement>('#method-panel')?.focus({ preventScroll: false });
  });
  document.addEventListener(
    'keydown',
    (e) => {
      if (!phone.matches) return;
      if (e.key === 'Escape' && isOpen()) {
        set(false);
        toggle.focus();
      }
      // `/` searches the methods: the drawer has to be open for the search box to take focus.
      const t = e.target as Element | null;
      const typing = t instanceof HTMLInputElement && !['checkbox', 'radio'].includes(t.type);
      if (e.key === '/' && !typing && !(t instanceof HTMLTextAreaElement) && !isOpen()) set(true, false);
    },
    true,
  );
  phone.addEventListener('change', () => set(false, false));
}
