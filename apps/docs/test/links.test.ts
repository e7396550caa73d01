/**
 * The link checker over the built site: every internal link and anchor
 * resolves, every catalogue method has its anchor in the reference, and
 * every guide file became a page. The checker itself is first run on a
 * small site with known faults, so a checker that finds nothing fails.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { methods } from '@pcloudkit/catalog';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSite } from './link-check.js';
import { missingSite, siteBuilt, siteDir, skipSiteTests } from './site.js';

describe('the link checker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'docs-links-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds missing pages and missing anchors, and accepts good links', () => {
    mkdirSync(join(dir, 'methods'));
    writeFileSync(
      join(dir, 'index.html'),
      '<a href="/methods/a.html#one">ok</a><a href="./methods/a#two">clean URL, ok</a><a href="https://example.com/x">external</a>',
    );
    writeFileSync(
      join(dir, 'methods', 'a.html'),
      [
        '<h2 id="one">one</h2><a name="two"></a>',
        '<a href="#one">same page</a>',
        '<a href="#nowhere">bad anchor</a>',
        '<a href="../missing.html">bad page</a>',
        '<a href="./">folder without index</a>',
        '<script src="/assets/app.js"></script>',
      ].join(''),
    );
    const report = checkSite(dir);
    expect(report.pages).toBe(2);
    expect(report.external).toBe(1);
    expect(report.links).toBe(7);
    expect(report.broken).toEqual([
      { page: 'methods/a.html', link: '#nowhere', reason: 'missing anchor' },
      { page: 'methods/a.html', link: '../missing.html', reason: 'missing file' },
      { page: 'methods/a.html', link: './', reason: 'missing file' },
      { page: 'methods/a.html', link: '/assets/app.js', reason: 'missing file' },
    ]);
  });
});

describe.skipIf(skipSiteTests)('the built site', () => {
  it('has every internal link and anchor resolving', () => {
    if (!siteBuilt) throw new Error(missingSite);
    const report = checkSite(siteDir);
    expect(report.broken).toEqual([]);
    // The reference alone has 17 group pages and a page per package entry point.
    expect(report.pages).toBeGreaterThan(40);
    expect(report.links).toBeGreaterThan(2000);
  });

  it('has an anchor for every catalogue method on its group page', () => {
    if (!siteBuilt) throw new Error(missingSite);
    const pages = readdirSync(join(siteDir, 'methods')).filter((f) => f.endsWith('.html') && f !== 'index.html');
    expect(pages).toHaveLength(17);
    const html = pages.map((f) => readFileSync(join(siteDir, 'methods', f), 'utf8')).join('\n');
    const missing = methods.filter((m) => !html.includes(`id="${m.name}"`)).map((m) => m.name);
    expect(missing).toEqual([]);
  });

  it('made a page of every guide', () => {
    if (!siteBuilt) throw new Error(missingSite);
    const guides = readdirSync(join(siteDir, '..', 'guide')).filter((f) => f.endsWith('.md'));
    expect(guides.length).toBeGreaterThan(0);
    for (const g of guides) expect(readdirSync(join(siteDir, 'guide'))).toContain(g.replace(/\.md$/, '.html'));
  });
});
