/**
 * The browser sign-in's own logic, with the few window APIs it touches
 * played by small stand-ins. The real thing (Chromium, the emulator's page,
 * popup and redirect) is in packages/browser-tests.
 */
import { EU, TimeoutError, US, ValidationError } from '@pcloudkit/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OAuth2Error } from '../src/index.js';
import { PENDING_KEY, completePopupSignIn, finishSignIn, signInWithPopup, startSignIn } from '../src/browser.js';

class MemoryStorage {
  items = new Map<string, string>();
  getItem(k: string) {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.items.set(k, v);
  }
  removeItem(k: string) {
    this.items.delete(k);
  }
}

let href: string;
let storage: MemoryStorage;
let listeners: Array<(e: MessageEvent) => void>;
let opened: { url: string; popup: { closed: boolean; close(): void } | null }[];
let popupToReturn: () => { closed: boolean; close(): void } | null;
let opener: { postMessage: ReturnType<typeof vi.fn> } | null;

beforeEach(() => {
  href = 'https://app.example/start';
  storage = new MemoryStorage();
  listeners = [];
  opened = [];
  opener = null;
  popupToReturn = () => ({
    closed: false,
    close() {
      this.closed = true;
    },
  });
  vi.stubGlobal('location', {
    get href() {
      return href;
    },
    get origin() {
      return new URL(href).origin;
    },
    get pathname() {
      return new URL(href).pathname;
    },
    assign: (url: string) => {
      href = url;
    },
  });
  vi.stubGlobal('history', {
    state: null,
    replaceState: (_s: unknown, _t: string, url: string) => {
      href = url;
    },
  });
  vi.stubGlobal('sessionStorage', storage);
  vi.stubGlobal('window', {
    get opener() {
      return opener;
    },
    screenX: 0,
    screenY: 0,
    outerWidth: 1200,
    outerHeight: 900,
    open: (url: string) => {
      const popup = popupToReturn();
      opened.push({ url, popup });
      return popup;
    },
    addEventListener: (_t: string, f: (e: MessageEvent) => void) => listeners.push(f),
    removeEventListener: (_t: string, f: (e: MessageEvent) => void) => {
      listeners = listeners.filter((l) => l !== f);
    },
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

/** What pCloud's page does after approval: loads the redirect URI with the answer in the fragment. */
function returnTo(authorize: string, answer: Record<string, string>) {
  const sent = new URL(authorize).searchParams;
  href = `${sent.get('redirect_uri')}#${new URLSearchParams({ ...answer, state: answer.state ?? sent.get('state')! })}`;
}

describe('redirect flow', () => {
  it('keeps a random state for this tab, goes to the authorize page, and reads the token back', () => {
    const url = startSignIn({ clientId: 'app1', redirectUri: 'https://app.example/return' });
    expect(href).toBe(url);
    const sent = new URL(url).searchParams;
    expect(new URL(url).origin).toBe('https://my.pcloud.com');
    expect(sent.get('response_type')).toBe('token');
    expect(sent.get('client_id')).toBe('app1');
    expect(sent.get('state')).toMatch(/^[\w-]{32}$/);
    expect(JSON.parse(storage.getItem(PENDING_KEY)!).state).toBe(sent.get('state'));

    returnTo(url, { access_token: 'tok', token_type: 'bearer', uid: '7', locationid: '2', hostname: 'eapi.pcloud.com' });
    const result = finishSignIn();
    expect(result).toEqual({ accessToken: 'tok', uid: 7, locationid: 2, hostname: 'eapi.pcloud.com', region: EU });
    expect(href).toBe('https://app.example/return'); // the token is out of the address bar
    expect(storage.getItem(PENDING_KEY)).toBeNull();
    // a reload of the page afterwards is an ordinary visit
    expect(finishSignIn()).toBeUndefined();
  });

  it('defaults the redirect URI to this page, and a custom host gets the authorize page scheme', () => {
    href = 'http://127.0.0.1:5000/app/?x=1';
    const url = startSignIn({ clientId: 'app1', authorizeOrigin: 'http://127.0.0.1:9000', navigate: () => {} });
    expect(new URL(url).searchParams.get('redirect_uri')).toBe('http://127.0.0.1:5000/app/');
    returnTo(url, { access_token: 'tok', locationid: '1', hostname: '127.0.0.1:9000' });
    expect(finishSignIn()?.region).toEqual({ api: ['http://127.0.0.1:9000'] });
  });

  it('with a transport, gives back a client on the user region with the token', async () => {
    const calls: Array<{ host: string; bearer?: string }> = [];
    const transport = {
      call: async (req: { host: string; bearer?: string }) => {
        calls.push({ host: req.host, bearer: req.bearer });
        return { result: { result: 0, email: 'x@y' } };
      },
      close: async () => {},
    };
    const url = startSignIn({ clientId: 'app1', navigate: () => {} });
    returnTo(url, { access_token: 'tok', locationid: '1', hostname: 'api.pcloud.com' });
    const result = finishSignIn({ transport: transport as never });
    expect(result?.region).toBe(US);
    await result!.client.call('userinfo');
    expect(calls).toEqual([{ host: 'api.pcloud.com', bearer: 'tok' }]);
  });

  it('a refusal is OAuth2Error denied with access_denied', () => {
    const url = startSignIn({ clientId: 'app1', navigate: () => {} });
    returnTo(url, { error: 'access_denied' });
    const error = (() => {
      try {
        finishSignIn();
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(OAuth2Error);
    expect(error).toMatchObject({ reason: 'denied', oauthError: 'access_denied' });
    expect(href).not.toContain('#');
  });

  it('refuses a wrong state, and a token when no sign-in was started in this tab', () => {
    const url = startSignIn({ clientId: 'app1', navigate: () => {} });
    returnTo(url, { access_token: 'tok', state: 'other' });
    expect(() => finishSignIn()).toThrow(expect.objectContaining({ reason: 'state-mismatch' }));
    expect(href).not.toContain('tok');

    href = 'https://app.example/start#access_token=planted&state=whatever';
    expect(() => finishSignIn()).toThrow(expect.objectContaining({ reason: 'state-mismatch' }));
    expect(href).toBe('https://app.example/start');
  });

  it('bad options fail with ValidationError before anything is stored or opened', async () => {
    expect(() => startSignIn({ clientId: '' })).toThrow(ValidationError);
    expect(() => startSignIn(undefined as never)).toThrow(ValidationError);
    expect(() => startSignIn({ clientId: 'app1', redirectUri: 'javascript:alert(1)' })).toThrow(/http: or https:/);
    expect(() => startSignIn({ clientId: 'app1', redirectUri: 'http://[bad' })).toThrow(/not a URL/);
    await expect(signInWithPopup({ clientId: 'app1', timeout: -1 })).rejects.toBeInstanceOf(ValidationError);
    await expect(signInWithPopup({ clientId: 'app1', redirectUri: 'data:text/html,x' })).rejects.toBeInstanceOf(ValidationError);
    expect(storage.items.size).toBe(0);
    expect(opened).toEqual([]);
    expect(href).toBe('https://app.example/start');
  });

  it('a relative redirect URI is taken relative to the page', () => {
    href = 'https://app.example/app/start?x=1';
    const url = startSignIn({ clientId: 'app1', redirectUri: 'return', navigate: () => {} });
    expect(new URL(url).searchParams.get('redirect_uri')).toBe('https://app.example/app/return');
  });
});

describe('popup flow', () => {
  const message = (source: unknown, origin: string, data: unknown) => {
    for (const l of [...listeners]) l({ source, origin, data } as MessageEvent);
  };

  it('accepts the answer only from its popup and the redirect origin, then closes the popup', async () => {
    const pending = signInWithPopup({ clientId: 'app1', redirectUri: 'https://app.example/return' });
    const { url, popup } = opened[0]!;
    const state = new URL(url).searchParams.get('state')!;
    expect(state.startsWith('popup.')).toBe(true);
    const answer = `https://app.example/return#access_token=tok&locationid=1&state=${encodeURIComponent(state)}`;
    message({}, 'https://app.example', { type: 'pcloudkit:oauth2-redirect', url: answer }); // another window
    message(popup, 'https://evil.example', { type: 'pcloudkit:oauth2-redirect', url: answer }); // another origin
    expect(popup!.closed).toBe(false);
    message(popup, 'https://app.example', { type: 'pcloudkit:oauth2-redirect', url: answer });
    expect(await pending).toEqual({ accessToken: 'tok', locationid: 1, region: US });
    expect(popup!.closed).toBe(true);
    expect(listeners).toHaveLength(0);
  });

  it('a popup the browser blocked is popup-blocked', async () => {
    popupToReturn = () => null;
    await expect(signInWithPopup({ clientId: 'app1' })).rejects.toMatchObject({ name: 'OAuth2Error', reason: 'popup-blocked' });
  });

  it('a popup the user closed is popup-closed; a state mismatch is refused', async () => {
    vi.useFakeTimers();
    const closed = signInWithPopup({ clientId: 'app1' });
    opened[0]!.popup!.closed = true;
    vi.advanceTimersByTime(300);
    await expect(closed).rejects.toMatchObject({ reason: 'popup-closed' });

    const forged = signInWithPopup({ clientId: 'app1' });
    const popup = opened[1]!.popup;
    message(popup, 'https://app.example', {
      type: 'pcloudkit:oauth2-redirect',
      url: 'https://app.example/start#access_token=t&state=popup.x',
    });
    await expect(forged).rejects.toMatchObject({ reason: 'state-mismatch' });
    expect(popup!.closed).toBe(true);
  });

  it('gives up after the timeout', async () => {
    vi.useFakeTimers();
    const waiting = signInWithPopup({ clientId: 'app1', timeout: 1000 });
    vi.advanceTimersByTime(1000);
    await expect(waiting).rejects.toBeInstanceOf(TimeoutError);
    expect(opened[0]!.popup!.closed).toBe(true);
  });

  it('the redirect page in the popup hands the answer to its opener, same origin only', () => {
    opener = { postMessage: vi.fn() };
    href = 'https://app.example/return#access_token=tok&state=popup.abc';
    expect(finishSignIn()).toBeUndefined();
    expect(opener.postMessage).toHaveBeenCalledWith(
      { type: 'pcloudkit:oauth2-redirect', url: 'https://app.example/return#access_token=tok&state=popup.abc' },
      'https://app.example',
    );
    expect(href).toBe('https://app.example/return');
    // not a popup answer: nothing to hand over
    href = 'https://app.example/return#access_token=tok&state=abc';
    expect(completePopupSignIn()).toBe(false);
  });
});
