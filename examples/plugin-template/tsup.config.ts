import { defineConfig } from 'tsup';

// ESM + CommonJS + declarations, as a published plugin should ship.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
