import { defineConfig, type Options } from 'tsup';

/** The build every package shares: ESM + CJS + declarations for the given entry points. */
export function packageBuild(entry: string[] = ['src/index.ts'], extra: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    keepNames: true,
    target: 'node20',
    ...extra,
  });
}
