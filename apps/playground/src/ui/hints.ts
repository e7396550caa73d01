/**
 * What to do next after a common error: a sentence under the error, and a
 * button that opens the method that helps (listfolder to find ids, the
 * sign-in of the target) where there is one.
 */
import type { ErrorInfo } from '../shared/output.js';
import { h } from './form.js';

export interface HintContext {
  target: 'emulator' | 'pcloud';
  /** Whether the call carried credentials. */
  signedIn: boolean;
}

export interface Hint {
  text: string;
  /** A button: its label and what it does. */
  action?: { label: string; run: 'listfolder' | 'sign-in' | 'authorize' };
}

/** The hint for an error, if it is one of the common ones. */
export function hintFor(error: ErrorInfo, ctx: HintContext): Hint | undefined {
  const signIn: Hint['action'] =
    ctx.target === 'pcloud'
      ? { label: 'Enter a pCloud token…', run: 'sign-in' }
      : { label: 'Get a token from authorize', run: 'authorize' };
  switch (error.result) {
    case 2009:
    case 2005:
    case 2002:
    case 1002:
    case 1004:
      return {
        text: 'No such file or folder for this user. Find the ids and paths that exist with listfolder (folderid 0 is the root).',
        action: { label: 'Open listfolder on /', run: 'listfolder' },
      };
    case 1000:
      return {
        text:
          ctx.target === 'pcloud'
            ? 'This method needs a signed-in user: enter a pCloud token (pCloud token…), or get one through the authorize page.'
            : 'This method needs a signed-in user: pick one in the Emulator users panel, sign in with a password, or get a token through authorize.',
        action: signIn,
      };
    case 2094:
      return {
        text: 'The access token expired or was revoked (deleted with deletetoken, or the app lost access). Get a new one and try again.',
        action: signIn,
      };
    case 2000:
      return { text: 'The e-mail or password is wrong, or the auth token is no longer valid. Sign in again.', action: signIn };
    case 2003:
      return {
        text: 'This user may not do that here: the item belongs to someone else or the share does not allow it. Sign in as its owner.',
      };
    case 2004:
      return { text: 'Something of that name is already there. Pick another name, or (uploads) set renameifexists.' };
    case 2001:
    case 2010:
      return { text: 'Paths start with / and names may not hold / or \\ (nor be empty, . or ..).' };
    case 2008:
      return { text: 'The account is over its quota: delete files (and empty the trash with trash_clear) to make room.' };
    case 4000:
      return { text: 'Too many failed logins from this address: wait a while before trying again.' };
    case 7001:
    case 7002:
      return { text: 'The link code is wrong or the link was deleted. List the links there are with listpublinks or listuploadlinks.' };
  }
  if (error.name === 'ValidationError') return { text: 'Nothing was sent: fix the param named above and send again.' };
  if (error.name === 'AbortError') return { text: 'You cancelled the call. Send starts it again.' };
  if (error.name === 'TransportError' && ctx.target === 'pcloud')
    return { text: 'pCloud could not be reached. Without internet access, use the Emulator target.' };
  return undefined;
}

/** The hint as a block for the error box, or `undefined`. */
export function hintBlock(
  error: ErrorInfo,
  ctx: HintContext,
  act: (run: NonNullable<Hint['action']>['run']) => void,
): HTMLElement | undefined {
  const hint = hintFor(error, ctx);
  if (!hint) return undefined;
  const box = h('p', { class: 'hint-next', id: 'result-hint' }, h('strong', {}, 'What now? '), hint.text);
  if (hint.action) {
    const { run, label } = hint.action;
    const button = h('button', { type: 'button', class: 'ghost small', id: 'result-hint-action' }, label);
    button.addEventListener('click', () => act(run));
    box.append(' ', button);
  }
  return box;
}
