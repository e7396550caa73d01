/**
 * Debian's Chromium driven by playwright-core, and a log of everything a
 * page (and any popup it opens) reports: console messages, uncaught errors,
 * failed requests.
 */
import type { BrowserContext, Page, Request } from 'playwright-core';

export { CHROMIUM, launchChromium } from '@pcloudkit/testkit';

export interface PageEvent {
  kind: 'console' | 'pageerror' | 'requestfailed';
  /** For console messages: `log`, `warning`, `error`, ... */
  type?: string;
  text: string;
  url: string;
}

/** Records what every page of `context` reports, popups included. */
export function recordPageEvents(context: BrowserContext): PageEvent[] {
  const events: PageEvent[] = [];
  const watch = (page: Page) => {
    page.on('console', (m) => events.push({ kind: 'console', type: m.type(), text: m.text(), url: page.url() }));
    page.on('pageerror', (e) => events.push({ kind: 'pageerror', text: String(e.stack ?? e), url: page.url() }));
    const answered = new WeakSet<Request>();
    page.on('response', (r) => answered.add(r.request()));
    page.on('requestfailed', (r) => {
      const errorText = r.failure()?.errorText ?? '';
      // Chromium sometimes reports a fetch body read to its end through a stream reader as
      // ERR_ABORTED after the whole answer arrived (the reader let go; nothing failed). A
      // refused or broken request has no answer, so it still counts.
      if (errorText === 'net::ERR_ABORTED' && answered.has(r)) return;
      events.push({ kind: 'requestfailed', text: `${r.method()} ${r.url()}: ${errorText}`, url: page.url() });
    });
  };
  context.on('page', watch);
  for (const page of context.pages()) watch(page);
  return events;
}

/** The events that mean something went wrong: errors and warnings in the console, uncaught errors, failed requests. */
export function problems(events: readonly PageEvent[]): PageEvent[] {
  return events.filter((e) => e.kind !== 'console' || e.type === 'error' || e.type === 'warning' || /CORS|Access-Control/i.test(e.text));
}
