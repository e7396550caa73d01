#!/usr/bin/env node
/**
 * Writes the declarations of a method package's `src/methods.ts` entry (and
 * the local modules it imports) into `dist/`, as `.d.ts` and `.d.cts`, with
 * TypeScript's own emitter. Run after tsup from the package folder:
 * `tsup && node ../../scripts/method-declarations.mjs`.
 *
 * Why not tsup's bundled declarations: a bundled file declares each method
 * as `declare const listfolder ...; export { listfolder }`, and an editor
 * hovering `client.use(plugin).listfolder` then lands on the bare export
 * name, which has no JSDoc. TypeScript's emit keeps `export declare const
 * listfolder`, whose JSDoc editors show.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

const dir = process.cwd();
const entry = join(dir, 'src', 'methods.ts');
const options = {
  declaration: true,
  emitDeclarationOnly: true,
  rootDir: join(dir, 'src'),
  outDir: join(dir, 'dist'),
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: [],
  // Workspace packages by their TypeScript sources, as in the tests: no build order to respect.
  customConditions: ['source'],
  strict: true,
  skipLibCheck: true,
};
const written = [];
const program = ts.createProgram([entry], options);
const result = program.emit(undefined, (file, text) => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  written.push(file);
});
const problems = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
if (problems.length > 0 || result.emitSkipped) {
  console.error(ts.formatDiagnostics(problems, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => '\n' }));
  process.exit(1);
}
// The CommonJS flavour: the same declarations, pointing at each other's `.cjs` names.
for (const file of written) {
  const cts = file.replace(/\.d\.ts$/, '.d.cts');
  writeFileSync(cts, readFileSync(file, 'utf8').replace(/(from '\.{1,2}\/[^']+)\.js'/g, "$1.cjs'"));
}
console.log(`method declarations: ${written.map((f) => f.slice(dir.length + 1)).join(', ')} (+ .d.cts)`);
