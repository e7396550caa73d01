import { defineConfig, type Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * Keeps `./methods.js` (a method package's definitions, an entry of its own)
 * out of the files that import it: they import the built `methods` file
 * instead. Bundled in, its definitions would sit behind esbuild's
 * `__export()` namespace call, which an app's bundler must keep, so importing
 * one method would pull in every method of the package.
 */
const methodsEntryExternal: Plugin = {
  name: 'methods-entry-external',
  setup(build) {
    // tsup names CommonJS output `.cjs` (and may build it as ESM first, then convert it), so go by the extension
    const ext = build.initialOptions.outExtension?.['.js'] ?? '.js';
    build.onResolve({ filter: /^\.\/methods\.js$/ }, () => ({ path: `./methods${ext}`, external: true }));
  },
};

/** The build every package shares: ESM + CJS + declarations for the given entry points. */
export function packageBuild(entry: string[] = ['src/index.ts'], extra: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    ...(entry.includes('src/methods.ts') ? { esbuildPlugins: [methodsEntryExternal] } : {}),
    ...extra,
  });
}
