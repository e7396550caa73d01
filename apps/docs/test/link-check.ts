/**
 * Checks every internal link of a built static site: each `href`/`src` that
 * stays on the site must name a file that exists, and each `#fragment` must
 * name an element id (or `<a name>`) in the page it points to.
 *
 * Written on htmlparser2 rather than with a crawler such as linkinator: the
 * site is plain files, so resolving a link is a path join, and the check
 * that matters most here (every method anchor `#getaudiolink` exists) needs
 * the ids of the target page, which a parser gives directly.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { Parser } from 'htmlparser2';

export interface BrokenLink {
  /** Page the link is on, relative to the site root (`methods/streaming.html`). */
  page: string;
  /** The link as written. */
  link: string;
  reason: 'missing file' | 'missing anchor';
}

export interface SiteReport {
  pages: number;
  /** Internal links checked (fragments included). */
  links: number;
  /** Links to other sites, not checked (no network). */
  external: number;
  broken: BrokenLink[];
}

interface Page {
  ids: Set<string>;
  links: string[];
}

const LINK_ATTRS: Record<string, string> = { a: 'href', link: 'href', script: 'src', img: 'src', source: 'src', iframe: 'src' };

function parsePage(html: string): Page {
  const page: Page = { ids: new Set(), links: [] };
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (attrs.id) page.ids.add(attrs.id);
        if (name === 'a' && attrs.name) page.ids.add(attrs.name);
        const attr = LINK_ATTRS[name];
        const value = attr ? attrs[attr] : undefined;
        if (value !== undefined) page.links.push(value);
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return page;
}

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.html'))
    .map((f) => f.split(sep).join('/'));
}

/** The site file a path names: `dir/` -> `dir/index.html`, an extensionless path -> `path.html` (clean URLs). */
function fileFor(root: string, path: string): string | undefined {
  const candidates = path.endsWith('/') ? [`${path}index.html`] : [path, `${path}.html`, `${path}/index.html`];
  for (const c of candidates) {
    const full = join(root, c);
    if (existsSync(full) && statSync(full).isFile()) return c;
  }
  return undefined;
}

/** Checks every internal link and anchor of the site in `root`. */
export function checkSite(root: string): SiteReport {
  const files = htmlFiles(root);
  const pages = new Map<string, Page>();
  for (const f of files) pages.set(f, parsePage(readFileSync(join(root, f), 'utf8')));
  const report: SiteReport = { pages: files.length, links: 0, external: 0, broken: [] };
  for (const [file, page] of pages) {
    for (const link of page.links) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith('//')) {
        report.external += 1;
        continue;
      }
      if (link === '' || link === '#') continue;
      report.links += 1;
      const url = new URL(link, `http://site.invalid/${file}`);
      const path = decodeURIComponent(url.pathname).replace(/^\//, '');
      const target = path === '' ? 'index.html' : fileFor(root, path);
      if (!target) {
        report.broken.push({ page: file, link, reason: 'missing file' });
        continue;
      }
      const fragment = decodeURIComponent(url.hash.slice(1));
      if (fragment && target.endsWith('.html')) {
        const ids = pages.get(target)?.ids ?? parsePage(readFileSync(join(root, target), 'utf8')).ids;
        if (!ids.has(fragment)) report.broken.push({ page: file, link, reason: 'missing anchor' });
      }
    }
  }
  return report;
}
