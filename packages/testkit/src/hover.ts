/**
 * What an editor shows: a TypeScript language service over a package's real
 * sources plus one virtual file, for tests that assert hover text ("quick
 * info") on `client.<method>` and on param keys.
 */
import { join } from 'node:path';
import ts from 'typescript';

export interface HoverService {
  /** Hover documentation at the `n`-th occurrence of `marker` (an identifier) in `inFile` (default: the virtual file). */
  docAt(marker: string, n?: number, inFile?: string): string;
  /** Type errors of the virtual file. */
  errors(): string[];
}

/** A language service for `pkgDir` (its tsconfig.json) with `code` as a virtual file in its test folder. */
export function hoverService(pkgDir: string, code: string): HoverService {
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
  return {
    docAt(marker, n = 0, inFile = file) {
      const text = read(inFile) ?? '';
      let at = -1;
      for (let i = 0; i <= n; i++) at = text.indexOf(marker, at + 1);
      if (at < 0) throw new Error(`${marker} #${n} is not in ${inFile}`);
      const info = ls.getQuickInfoAtPosition(inFile, at + 1);
      return ts.displayPartsToString(info?.documentation);
    },
    errors: () => ls.getSemanticDiagnostics(file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
  };
}
