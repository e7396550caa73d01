// Scaffolds packages/<dir> with the layout every package shares.
// usage: node scripts/new-package.mjs <dir> "<description>" [dep ...] [--peer core]
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
const [dir, description, ...rest] = process.argv.slice(2);
const root = `packages/${dir}`;
if (existsSync(`${root}/package.json`)) throw new Error(`${root} exists`);
mkdirSync(`${root}/src`, { recursive: true });
mkdirSync(`${root}/test`, { recursive: true });
const deps = {},
  peers = {},
  dev = {};
let peerMode = false;
for (const r of rest) {
  if (r === '--peer') {
    peerMode = true;
    continue;
  }
  const name = r.startsWith('@') || r === 'undici' ? r : `@pcloudkit/${r}`;
  const ver = name.startsWith('@pcloudkit/') ? 'workspace:^' : '^7.16.0';
  if (peerMode) {
    peers[name] = ver;
    dev[name] = 'workspace:*';
  } else deps[name] = ver;
}
const pkg = {
  name: `@pcloudkit/${dir}`,
  version: '0.1.0',
  description,
  license: 'MIT',
  type: 'module',
  sideEffects: false,
  files: ['dist', 'src', 'README.md'],
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.ts',
  exports: {
    '.': {
      source: './src/index.ts',
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    },
    './package.json': './package.json',
  },
  scripts: {
    build: 'tsup',
    typecheck: 'tsc -p tsconfig.json',
    lint: 'publint',
    test: `vitest run --root ../.. --project ${dir}`,
  },
  dependencies: deps,
  peerDependencies: peers,
  devDependencies: dev,
  engines: { node: '>=20.18.1' },
  publishConfig: { access: 'public' },
};
for (const k of ['dependencies', 'peerDependencies', 'devDependencies']) if (!Object.keys(pkg[k]).length) delete pkg[k];
writeFileSync(`${root}/package.json`, JSON.stringify(pkg, null, 2) + '\n');
writeFileSync(`${root}/tsconfig.json`, JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src', 'test'] }, null, 2) + '\n');
writeFileSync(`${root}/tsup.config.ts`, "import { packageBuild } from '../../tsup.base';\n\nexport default packageBuild();\n");
if (!existsSync(`${root}/src/index.ts`)) writeFileSync(`${root}/src/index.ts`, 'export {};\n');
console.log('created', root);
