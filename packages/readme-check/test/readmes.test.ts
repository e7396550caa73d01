/**
 * Do the READMEs and the guides work for someone who is not inside this
 * repository? Packs every published package (`pnpm pack`, which needs the
 * packages built: `pnpm build`, as `pnpm test:all` does first), installs the
 * tarballs into a fresh project with plain npm, type-checks every example of
 * the READMEs, the documentation site's guides (`apps/docs/guide/*.md`) and
 * the example projects (`examples/<name>/README.md`) with `tsc --strict`
 * under `node16` and `bundler` resolution, runs the runnable ones (against an
 * emulator the installed CLI starts when they read `PCLOUD_API` /
 * `PCLOUD_TOKEN`), runs with vitest the small test projects a guide spells
 * out file by file, and checks what the emulator README says about its CLI
 * against what the installed CLI does.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Example, importedPackages, installedPackages, readmeExamples } from '../src/index.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const PACKAGES = join(ROOT, 'packages');
const EXAMPLE_PROJECTS = join(ROOT, 'examples');
const GUIDES = join(ROOT, 'apps/docs/guide');

interface Published {
  dir: string;
  name: string;
}

/** The folders under `base` that hold a package.json, with their package.json read. */
function packagesIn(base: string) {
  if (!existsSync(base)) return [];
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(base, d.name, 'package.json')))
    .map((d) => ({ dir: join(base, d.name), pkg: JSON.parse(readFileSync(join(base, d.name, 'package.json'), 'utf8')) }));
}

const published: Published[] = packagesIn(PACKAGES)
  .filter(({ pkg }) => !pkg.private)
  .map(({ dir, pkg }) => ({ dir, name: pkg.name as string }));

interface Located extends Example {
  /** README or guide path relative to the repository, for messages. */
  readme: string;
  /** File name of the example in the scratch project. */
  file: string;
}

/** Every page whose examples are checked: the published READMEs, the front page, the guides, the example projects' READMEs. */
const pages: string[] = [
  ...published.map((p) => join(p.dir, 'README.md')),
  join(ROOT, 'README.md'), // the repository's front page shows the packages too
  ...(existsSync(GUIDES)
    ? readdirSync(GUIDES)
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => join(GUIDES, name))
    : []),
  ...packagesIn(EXAMPLE_PROJECTS)
    .map(({ dir }) => join(dir, 'README.md'))
    .filter((path) => existsSync(path)),
];

const examples: Located[] = pages.flatMap((path) => {
  const readme = path.slice(ROOT.length + 1);
  const slug =
    readme
      .replace(/^packages\//, '')
      .replace(/^apps\/docs\/guide\//, 'guide-')
      .replace(/\/?README\.md$/, '')
      .replace(/\.md$/, '')
      .replace(/[^\w.-]+/g, '-') || 'root';
  // A block that names its file is written at that path under the page's own folder, so the
  // files of one page can import each other as they would in the reader's project.
  return readmeExamples(readFileSync(path, 'utf8')).map((e) => ({
    ...e,
    readme,
    file: e.title ? `${slug}/${e.title.replace(/\.ts$/, '')}` : `${slug}-line${e.line}`,
  }));
});
const checked = examples.filter((e) => e.mode !== 'fragment');
// A block that names its file belongs to a project (see below), not a script of its own.
const runnable = examples.filter((e) => e.mode === 'run' && !e.title);

/**
 * Pages whose titled blocks include a `vitest.config.ts`: those blocks are
 * written out as the files they name and run with vitest, as a reader who
 * copies them would.
 */
const vitestProjects = examples
  .filter((e) => e.title === 'vitest.config.ts')
  .map((config) => ({
    readme: config.readme,
    dir: `examples/${config.file.slice(0, config.file.lastIndexOf('/'))}`,
    files: examples.filter((e) => e.readme === config.readme && e.title && e.mode !== 'fragment'),
  }));

const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const typescriptVersion = rootPackage.devDependencies.typescript!;
const typesNodeVersion = rootPackage.devDependencies['@types/node']!;

/** Example projects (`examples/<name>`) that the checked examples import: packed and installed like the published packages. */
const importedNames = new Set(checked.flatMap((e) => [...importedPackages(e.code)]));
const examplePackages: Published[] = packagesIn(EXAMPLE_PROJECTS)
  .filter(({ pkg }) => importedNames.has(pkg.name))
  .map(({ dir, pkg }) => ({ dir, name: pkg.name as string }));
const ours = new Set([...published, ...examplePackages].map((p) => p.name));
/** Other packages the examples import (vitest for the testing guide): installed at the version the repository uses. */
const thirdParty = [...importedNames].filter((name) => !ours.has(name)).sort();
if (vitestProjects.length > 0 && !thirdParty.includes('vitest')) thirdParty.push('vitest');

const missingBuild = [...published, ...examplePackages].filter((p) => !existsSync(join(p.dir, 'dist')));

/** npm settings from the environment that say how to reach the registry: kept. */
const REGISTRY_SETTINGS = /^npm_config_(registry|@[\w-]+:registry|(https?_)?proxy|noproxy|cafile|ca|strict_ssl|cache|userconfig|nodedir)$/i;

/** The environment for child processes, without what pnpm (running this test) set for its own scripts. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (REGISTRY_SETTINGS.test(k) || !/^(npm_|pnpm_|PNPM_|INIT_CWD$|NODE_OPTIONS$)/.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

function run(command: string, args: string[], cwd: string, timeout: number, env = cleanEnv()) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    execFile(command, args, { cwd, env, timeout, maxBuffer: 32 * 1024 * 1024, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) + (error && code === null ? `\n${error.message}` : '') });
    });
  });
}

/** Starts the installed CLI as its README says (`npx pcloudkit-emulator`); resolves to its ready line and the npx process. */
function startCli(project: string): Promise<{ ready: Record<string, unknown>; child: ChildProcess; line: string }> {
  const child = spawn('npx', ['--no-install', 'pcloudkit-emulator', '--port', '0'], {
    cwd: project,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the emulator CLI printed no ready line within 30 s; stderr: ${stderr}`));
    }, 30_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the emulator CLI exited (${code}) before it was ready; stderr: ${stderr}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolveReady({ ready: JSON.parse(line) as Record<string, unknown>, child, line });
    });
  });
}

/** Stops the emulator (the process its ready line names), then waits for npx to end. */
function stopCli(child: ChildProcess | undefined, pid: unknown): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    try {
      if (typeof pid === 'number') process.kill(pid, 'SIGTERM');
      else child.kill('SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
  });
}

describe('code blocks that name their file', () => {
  it('name distinct .ts files, one set per page', () => {
    const titled = examples.filter((e) => e.title);
    expect(titled.filter((e) => !e.title!.endsWith('.ts')).map((e) => `${e.readme}:${e.line} ${e.title}`)).toEqual([]);
    const seen = new Set<string>();
    const twice = titled.filter((e) => seen.size === seen.add(e.file).size).map((e) => `${e.readme}:${e.line} ${e.title}`);
    expect(twice, 'the same file named twice on one page').toEqual([]);
  });
});

describe('what the examples import', () => {
  it('is a pcloudkit package, an example project or a package the repository itself uses', () => {
    const unknown = thirdParty.filter((name) => !rootPackage.devDependencies[name]);
    const where = (name: string) =>
      checked
        .filter((e) => importedPackages(e.code).has(name))
        .map((e) => `${e.readme}:${e.line}`)
        .join(', ');
    expect(
      unknown.map((name) => `${name} (${where(name)})`),
      'the scratch project installs these at the version of the root package.json',
    ).toEqual([]);
  });
});

describe('README install lines', () => {
  // A reader installs what the README's `npm install` lines say, then runs its examples.
  it.each(published.map((p) => [p.name, p] as const))('%s: its install lines cover every package its examples import', (_name, p) => {
    const markdown = readFileSync(join(p.dir, 'README.md'), 'utf8');
    const installed = installedPackages(markdown);
    const missing = readmeExamples(markdown)
      .filter((e) => e.mode !== 'fragment')
      .flatMap((e) =>
        [...importedPackages(e.code)].filter((name) => !installed.has(name)).map((name) => `${name} (example at line ${e.line})`),
      );
    expect(missing, `installed: ${[...installed].join(' ')}`).toEqual([]);
  });
});

/** Every module a user can import: each package's name plus its `exports` subpaths. */
function entryPoints(): string[] {
  return published.flatMap((p) => {
    const pkg = JSON.parse(readFileSync(join(p.dir, 'package.json'), 'utf8')) as { exports?: Record<string, unknown> };
    return Object.keys(pkg.exports ?? { '.': null })
      .filter((key) => key !== './package.json')
      .map((key) => p.name + key.slice(1));
  });
}

const skipHere = missingBuild.length > 0 && !process.env.CI;
if (skipHere) {
  console.warn(
    `readme-check: skipped, these packages are not built: ${missingBuild.map((p) => p.name).join(', ')} (run \`pnpm build\` first; in CI this fails instead)`,
  );
}

describe.skipIf(skipHere)('README examples in a fresh npm project', () => {
  let project = '';
  let emulator: ChildProcess | undefined;
  let ready: Record<string, unknown> = {};
  let readyLine = '';

  beforeAll(async () => {
    if (missingBuild.length) throw new Error(`build these packages before this test: ${missingBuild.map((p) => p.name).join(', ')}`);
    project = await mkdtemp(join(tmpdir(), 'pcloudkit-readme-'));
    const tarballs = join(project, 'tarballs');
    await mkdir(tarballs);
    const dependencies: Record<string, string> = { typescript: typescriptVersion, '@types/node': typesNodeVersion };
    for (const name of thirdParty) if (rootPackage.devDependencies[name]) dependencies[name] = rootPackage.devDependencies[name]!;
    for (const p of [...published, ...examplePackages]) {
      const packed = await run('pnpm', ['pack', '--pack-destination', tarballs], p.dir, 120_000);
      const tarball = packed.stdout.trim().split('\n').pop()!.trim();
      if (packed.code !== 0 || !tarball.endsWith('.tgz'))
        throw new Error(`pnpm pack failed for ${p.name}:\n${packed.stdout}\n${packed.stderr}`);
      dependencies[p.name] = `file:${tarball}`;
    }
    await writeFile(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'readme-check-scratch', private: true, type: 'module', dependencies }, null, 2)}\n`,
    );
    // One plain npm install: the tarballs satisfy each other's version ranges,
    // the rest (undici, better-sqlite3, typescript...) comes from the registry.
    const installed = await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], project, 540_000);
    if (installed.code !== 0) throw new Error(`npm install failed:\n${installed.stdout}\n${installed.stderr}`);

    await mkdir(join(project, 'examples'));
    for (const e of examples) {
      // `export {}` keeps every example a module of its own, as a file of a real project would be.
      const path = join(project, 'examples', `${e.file}.ts`);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, `${e.code}export {};\n`);
    }

    ({ ready, child: emulator, line: readyLine } = await startCli(project));
  }, 600_000);

  afterAll(async () => {
    await stopCli(emulator, ready.pid);
    if (project) await rm(project, { recursive: true, force: true });
  }, 30_000);

  /** Runs tsc from the scratch project on the given files; resolves to its report. */
  async function tsc(name: string, compilerOptions: Record<string, unknown>, files: string[]) {
    await writeFile(join(project, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions, files }, null, 2));
    const result = await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', `tsconfig.${name}.json`], project, 300_000);
    return `${result.stdout}${result.stderr}`.trim();
  }

  /** Turns tsc's `examples/<file>.ts(l,c)` into the README's own line numbers. */
  function locate(report: string): string {
    return report.replace(/examples\/([\w./-]+)\.ts\((\d+),(\d+)\)/g, (m, file: string, line: string) => {
      const e = examples.find((x) => x.file === file);
      return e ? `${e.readme}:${e.line + Number(line)}` : m;
    });
  }

  const strict = { strict: true, target: 'es2022', lib: ['es2022'], types: ['node'], skipLibCheck: false };

  it('every example type-checks with tsc --strict under node16 resolution', async () => {
    const report = await tsc(
      'node16',
      { ...strict, module: 'node16', moduleResolution: 'node16', outDir: 'out', rootDir: 'examples' },
      checked.map((e) => `examples/${e.file}.ts`),
    );
    expect(locate(report), 'tsc errors (README:line)').toBe('');
  }, 300_000);

  it('every example type-checks with tsc --strict under bundler resolution', async () => {
    const report = await tsc(
      'bundler',
      { ...strict, module: 'esnext', moduleResolution: 'bundler', noEmit: true },
      checked.map((e) => `examples/${e.file}.ts`),
    );
    expect(locate(report), 'tsc errors (README:line)').toBe('');
  }, 300_000);

  it('every entry point type-checks under the older node10 resolution too (typesVersions)', async () => {
    const lines = entryPoints().map((name, i) => `import * as entry${i} from '${name}';\nexport const use${i} = Object.keys(entry${i});`);
    // A named import, so a module that resolves to nothing useful fails too.
    lines.push("import { signIn, type SignInOptions } from '@pcloudkit/methods-oauth2/node';");
    lines.push("export const options: Pick<SignInOptions, 'clientId'> = { clientId: 'x' };", 'export const start = signIn;');
    await writeFile(join(project, 'node10.ts'), `${lines.join('\n')}\n`);
    const report = await tsc('node10', { strict: true, module: 'commonjs', moduleResolution: 'node10', types: ['node'], noEmit: true }, [
      'node10.ts',
    ]);
    expect(report).toBe('');
  }, 300_000);

  it('every entry point of every package loads with require() and import() from the installed tarballs', async () => {
    const entries = entryPoints();
    const script = `
      const { createRequire } = require('node:module');
      const load = createRequire(process.cwd() + '/');
      (async () => {
        const failed = [];
        for (const name of ${JSON.stringify(entries)}) {
          try { if (Object.keys(load(name)).length === 0) failed.push(name + ': require() gave no exports'); } catch (e) { failed.push(name + ': require() ' + e.message); }
          try { if (Object.keys(await import(name)).length === 0) failed.push(name + ': import() gave no exports'); } catch (e) { failed.push(name + ': import() ' + e.message); }
        }
        console.log(JSON.stringify(failed));
      })();
    `;
    await writeFile(join(project, 'load-all.cjs'), script);
    const result = await run(process.execPath, ['load-all.cjs'], project, 60_000);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').pop()!), `entries: ${entries.join(', ')}`).toEqual([]);
    expect(entries.length).toBeGreaterThan(published.length);
  }, 120_000);

  it.each(runnable.map((e) => [`${e.readme}:${e.line}`, e] as const))(
    '%s runs as written',
    async (_name, e) => {
      // The node16 type-check above also writes the compiled examples to out/ (errors or not).
      const compiled = join(project, 'out', `${e.file}.js`);
      expect(existsSync(compiled), 'compiled by the node16 check').toBe(true);
      const result = await run(
        process.execPath,
        [compiled],
        project,
        90_000,
        cleanEnv({ PCLOUD_API: String(ready.api), PCLOUD_BINAPI: String(ready.binapi), PCLOUD_TOKEN: String(ready.access_token) }),
      );
      expect(result.code, `${e.readme}:${e.line} failed:\n${result.stderr}\n${result.stdout}`).toBe(0);
      // Examples report failures they catch with console.error: a clean run writes nothing there.
      expect(result.stderr, `${e.readme}:${e.line} wrote to stderr`).toBe('');
    },
    120_000,
  );

  it.each(vitestProjects.map((p) => [p.readme, p] as const))(
    '%s: the test project its blocks spell out passes under vitest',
    async (_name, p) => {
      const result = await run(
        process.execPath,
        [join(project, 'node_modules/vitest/vitest.mjs'), 'run'],
        join(project, p.dir),
        240_000,
        // Without the variables the vitest running this file set for itself, as in a reader's shell.
        Object.fromEntries(
          Object.entries(cleanEnv({ CI: '1', NO_COLOR: '1' })).filter(([k]) => !/^(VITEST|TEST$|NODE_ENV$|FORCE_COLOR$)/.test(k)),
        ),
      );
      const files = p.files.map((e) => `${e.title} (line ${e.line})`).join(', ');
      expect(result.code, `vitest failed in ${p.readme} [${files}]:\n${result.stdout}\n${result.stderr}`).toBe(0);
      // A project whose tests were all skipped or filtered out would pass too: it must have run some.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are exactly what this removes
      expect(result.stdout.replace(/\u001b\[[\d;]*m/g, '')).toMatch(/Tests\s+\d+ passed/);
    },
    300_000,
  );

  it('the emulator README shows every field of the ready line the CLI prints', () => {
    const readme = readFileSync(join(PACKAGES, 'emulator/README.md'), 'utf8');
    const shown = /When ready it prints[\s\S]*?```json\n(.+)\n```/.exec(readme)?.[1];
    expect(shown, 'the emulator README has a ```json ready-line example after "When ready it prints"').toBeDefined();
    const example = JSON.parse(shown!) as Record<string, unknown>;
    expect(Object.keys(example), `CLI printed: ${readyLine}`).toEqual(Object.keys(ready));
    for (const [key, value] of Object.entries(ready)) {
      expect(typeof example[key], key).toBe(typeof value);
    }
  });

  it('the emulator README starts with `npx pcloudkit-emulator` and names no paths inside the repository', () => {
    const readme = readFileSync(join(PACKAGES, 'emulator/README.md'), 'utf8');
    const code = [...readme.matchAll(/```\w*\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n'));
    const firstStart = code.find((line) => /pcloudkit-emulator|startEmulator\(|cli\.[jt]s/.test(line));
    expect(firstStart, 'the first line of code that starts an emulator').toMatch(/^npx pcloudkit-emulator\b/);
    expect(readme.match(/(^|[\s`(])(packages|src|test|dist|scripts)\/[\w.<>/-]+/gm) ?? []).toEqual([]);
  });
});
