/**
 * A running call: Send shows it is busy (without being disabled, so a mouse
 * click leaves the focus on it rather than dropping it to the page), a
 * Cancel button beside it (and Escape) aborts the call, and the focus comes
 * back to Send when the call ends.
 */
import { h } from './form.js';

export interface Run {
  signal: AbortSignal;
  /** Ends the busy state; the focus goes back to Send if it was nowhere or on Cancel. */
  finish(): void;
}

/** The Cancel button for a form's actions row (hidden until a call runs). */
export function cancelButton(): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'ghost', id: 'cancel', hidden: '', title: 'Abort the running call (Escape)' }, 'Cancel');
  return b;
}

/** Marks `form`'s call as running; Cancel and Escape abort it. */
export function startRun(form: HTMLFormElement): Run {
  const ctl = new AbortController();
  const send = form.querySelector<HTMLButtonElement>('#send');
  const cancel = form.querySelector<HTMLButtonElement>('#cancel');
  send?.setAttribute('aria-disabled', 'true');
  send?.setAttribute('aria-busy', 'true');
  const abort = () => ctl.abort(new DOMException('You cancelled the call.', 'AbortError'));
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && !document.querySelector('dialog[open]')) abort();
  };
  if (cancel) {
    cancel.hidden = false;
    cancel.disabled = false;
    cancel.onclick = abort;
  }
  document.addEventListener('keydown', onKey);
  return {
    signal: ctl.signal,
    finish() {
      document.removeEventListener('keydown', onKey);
      const focusWasOnCancel = document.activeElement === cancel;
      if (cancel) {
        cancel.hidden = true;
        cancel.onclick = null;
      }
      send?.removeAttribute('aria-disabled');
      send?.removeAttribute('aria-busy');
      const lost = focusWasOnCancel || document.activeElement === document.body || document.activeElement === null;
      if (lost && send?.isConnected) send.focus({ preventScroll: true });
    },
  };
}
