/**
 * Reads the examples out of a README or a guide: every fenced block tagged
 * `ts`, with what the check may do with it. An HTML comment on the line just
 * above the fence (blank lines between are allowed) narrows that:
 *
 * - `<!-- readme-check: typecheck-only -->`: type-checked, not run (it talks
 *   to pCloud itself, opens a browser, or uses a value it declares);
 * - `<!-- readme-check: fragment -->`: neither (a piece of a larger program).
 *
 * Every other block must type-check and run as written. A block whose fence
 * names a file, as VitePress titles code (```` ```ts [vitest.config.ts] ````),
 * is a file of a small project rather than a script: see {@link Example.title}.
 */

export type ExampleMode = 'run' | 'typecheck-only' | 'fragment';

export interface Example {
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  mode: ExampleMode;
  /**
   * The file name the fence gives in brackets (```` ```ts [test/app.test.ts] ````).
   * Such blocks are files of one project per page: type-checked like the
   * others, never run on their own, and run together with vitest when the
   * page has a `vitest.config.ts` block.
   */
  title?: string;
}

const MARKER = /^<!--\s*readme-check:\s*([\w-]+)\s*-->$/;

export function readmeExamples(markdown: string): Example[] {
  const lines = markdown.split(/\r?\n/);
  const examples: Example[] = [];
  let fence: { line: number; mode: ExampleMode; ts: boolean; body: string[]; ticks: string; title?: string } | undefined;
  let lastMarker: { mode: ExampleMode; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (fence) {
      if (text.trimEnd() === fence.ticks) {
        if (fence.ts) {
          const example: Example = { line: fence.line, code: `${fence.body.join('\n')}\n`, mode: fence.mode };
          if (fence.title) example.title = fence.title;
          examples.push(example);
        }
        fence = undefined;
      } else fence.body.push(text);
      continue;
    }
    const open = /^(`{3,})\s*([\w-]*)(.*)$/.exec(text);
    if (open) {
      const mode = lastMarker?.mode ?? 'run';
      fence = { line: i + 1, mode, ts: /^(ts|typescript)$/i.test(open[2]!), body: [], ticks: open[1]! };
      const title = /\[([^\]]+)\]/.exec(open[3]!)?.[1]?.trim();
      if (title && fence.ts) {
        if (!/^[\w.-]+(\/[\w.-]+)*$/.test(title) || title.split('/').includes('..'))
          throw new Error(`line ${i + 1}: a code block's file name must be a relative path, got "${title}"`);
        fence.title = title;
      }
      lastMarker = undefined;
      continue;
    }
    const marker = MARKER.exec(text.trim());
    if (marker) {
      const mode = marker[1];
      if (mode !== 'typecheck-only' && mode !== 'fragment') throw new Error(`line ${i + 1}: unknown readme-check marker "${mode}"`);
      lastMarker = { mode, line: i + 1 };
    } else if (text.trim() !== '') lastMarker = undefined;
  }
  if (fence) throw new Error(`line ${fence.line}: code block never closed`);
  return examples;
}

/**
 * Packages a README tells the reader to install: the names on its
 * `npm install` (or `npm i`, `pnpm add`, `yarn add`) lines, flags left out.
 */
export function installedPackages(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const [, args] of markdown.matchAll(/(?:npm (?:install|i)|pnpm add|yarn add)((?: +[^\s`#]+)+)/g)) {
    for (const arg of args!.trim().split(/ +/)) if (!arg.startsWith('-')) names.add(packageName(arg));
  }
  return names;
}

/** Packages an example imports (`node:` modules left out), by package name. */
export function importedPackages(code: string): Set<string> {
  const names = new Set<string>();
  const pattern = /\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;
  for (const [, from, dynamic, bare] of code.matchAll(pattern)) {
    const spec = from ?? dynamic ?? bare;
    if (spec && !spec.startsWith('node:') && !spec.startsWith('.')) names.add(packageName(spec));
  }
  return names;
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`, a version suffix dropped. */
function packageName(spec: string): string {
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : parts[0]!;
  return name.replace(/(?<=.)@.*$/, '');
}
