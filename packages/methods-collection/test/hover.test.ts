/**
 * What an editor shows: drives TypeScript's language service over an
 * in-memory file that uses the collection plugin (resolved to the TypeScript
 * sources, like the tests), and reads the hover text ("quick info") of
 * `client.collection_details` and of param keys.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const pkgDir = dirname(dirname(fileURLToPath(import.meta.url)));
const methodsFile = join(pkgDir, 'src', 'methods.ts');

/** A language service over the real sources plus one virtual file. */
function service(code: string) {
  const file = join(pkgDir, 'test', '__hover__.ts');
  const config = ts.readConfigFile(join(pkgDir, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, pkgDir);
  const read = (f: string) => (f === file ? code : ts.sys.readFile(f));
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => [file],
    getScriptVersion: () => '1',
    getScriptSnapshot: (f) => {
      const text = read(f);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => pkgDir,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (f) => f === file || ts.sys.fileExists(f),
    readFile: read,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  const ls = ts.createLanguageService(host, ts.createDocumentRegistry());
  /** Hover documentation at the `n`-th occurrence of `marker` (an identifier) in `inFile`. */
  const docAt = (marker: string, n = 0, inFile = file) => {
    const text = read(inFile)!;
    let at = -1;
    for (let i = 0; i <= n; i++) at = text.indexOf(marker, at + 1);
    expect(at, `${marker} #${n} in ${inFile}`).toBeGreaterThanOrEqual(0);
    const info = ls.getQuickInfoAtPosition(inFile, at + 1);
    return ts.displayPartsToString(info?.documentation);
  };
  const errors = () => ls.getSemanticDiagnostics(file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  return { docAt, errors };
}

const code = `
import { createClient, memoryTransport } from '@pcloudkit/core';
import { collection } from '@pcloudkit/methods-collection';
const client = createClient({ transport: memoryTransport() }).use(collection);
export const a = client.collection_details({ collectionid: 1, page: 2 });
export const b = client.collection_move;
export const c = client.collection_unlinkfiles({ collectionid: 1, positions: [1] });
`;

describe('editor hover on plugin methods', () => {
  const { docAt, errors } = service(code);

  it('compiles', () => {
    expect(errors()).toEqual([]);
  });

  it('shows the method JSDoc on client.<method>, the same as on the definition', () => {
    const own = docAt('collection_details = defineMethod', 0, methodsFile);
    expect(own).toMatch(/^One collection with its items/);
    expect(docAt('collection_details', 0)).toBe(own);
    expect(docAt('collection_move', 0)).toBe(docAt('collection_move = defineMethod', 0, methodsFile));
  });

  it('shows the JSDoc of a param on its key in the params object', () => {
    expect(docAt('collectionid', 0)).toMatch(/^Id of one of the user's collections/);
    expect(docAt('page', 0)).toMatch(/^Page to return, from 1/);
    // a member of a one-of set
    expect(docAt('positions', 0)).toMatch(/^Positions \(from 1\)/);
  });
});
