import { readdirSync, existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// One run over every package: each package, app or example with a test/ folder is a
// project named after its folder. The "source" export condition makes
// workspace packages resolve to their TypeScript sources, so tests never
// depend on a stale build.
const projects = ['packages', 'apps', 'examples'].flatMap((base) =>
  readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`${base}/${d.name}/test`))
    .map((d) => ({
      extends: true as const,
      test: {
        name: d.name,
        root: `${base}/${d.name}`,
        include: ['test/**/*.test.ts'],
        typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
      },
    })),
);

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    projects,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
