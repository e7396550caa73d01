/**
 * The site's VitePress config. The sidebar is built from the files, never
 * listed by hand: guides from the `title` and `order` front matter of each
 * guide/*.md, the method reference from methods/sidebar.json and the API
 * reference from api/sidebar.json (both written by scripts/build.mjs).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import matter from 'gray-matter';
import { type DefaultTheme, defineConfig } from 'vitepress';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface SidebarEntry {
  text: string;
  link: string;
  collapsed?: boolean;
  items?: SidebarEntry[];
}

/** Guides sorted by their `order` front matter (then title); files without a title use their file name. */
export function guideSidebar(dir = join(root, 'guide')): SidebarEntry[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .map((file) => {
      const { data } = matter(readFileSync(join(dir, file), 'utf8'));
      const order = typeof data.order === 'number' ? data.order : Number(data.order ?? Number.POSITIVE_INFINITY);
      const title = typeof data.title === 'string' && data.title ? data.title : file.replace(/\.md$/, '');
      return { order: Number.isNaN(order) ? Number.POSITIVE_INFINITY : order, text: title, link: `/guide/${file.replace(/\.md$/, '')}` };
    })
    .sort((a, b) => a.order - b.order || a.text.localeCompare(b.text))
    .map(({ text, link }) => ({ text, link }));
}

function generated(file: string): SidebarEntry[] {
  const path = join(root, file);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as SidebarEntry[]) : [];
}

const guides = guideSidebar();
const methodGroups = generated('methods/sidebar.json');
const apiPackages = generated('api/sidebar.json');

const sidebar: DefaultTheme.Sidebar = {
  '/guide/': [{ text: 'Guides', items: guides }],
  '/methods/': [{ text: 'Method reference', link: '/methods/', items: methodGroups }],
  '/api/': [{ text: 'API reference', link: '/api/', items: apiPackages.map(({ text, link }) => ({ text, link })) }],
};

export default defineConfig({
  title: 'pcloudkit',
  description: 'A modular TypeScript SDK for the pCloud API, with a local pCloud emulator.',
  lang: 'en-US',
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],
  outDir: 'dist',
  cacheDir: '.vitepress/cache',
  srcExclude: ['README.md', 'test/**', 'scripts/**', 'dist/**', 'public/**', 'node_modules/**'],
  // Every page is a plain .html file, so the site works from any static server (and the link checker reads files).
  cleanUrls: false,
  lastUpdated: false,
  // Links are checked by test/links.test.ts over the built HTML, anchors included: a dead link fails
  // that test rather than the whole build (which would stop every other package's CI run with it).
  ignoreDeadLinks: true,
  markdown: { theme: { light: 'github-light', dark: 'github-dark' } },
  // The search index (every method and API page) and the largest API pages are big chunks by nature;
  // they load on demand, so Vite's 500 kB warning says nothing useful here.
  vite: { build: { chunkSizeWarningLimit: 4096 } },
  themeConfig: {
    nav: [
      { text: 'Guides', link: guides[0]?.link ?? '/' },
      { text: 'Methods', link: '/methods/' },
      { text: 'API', link: '/api/' },
    ],
    sidebar,
    outline: { level: [2, 3] },
    search: {
      provider: 'local',
      options: {
        detailedView: true,
      },
    },
    footer: { message: 'MIT licensed. Not affiliated with pCloud.' },
  },
});
