// The packed library as its users get it: `npm pack`, then three fresh Nest apps outside the
// repository (CommonJS Nest 11 with Jest, ESM Nest 12 with Vitest, ESM Nest 12 with Jest), each
// made as `nest new` makes it and set up with exactly the install lines of the README (read from
// it, unpinned where it is unpinned), compiled by its own TypeScript, booted against a real
// nats-server and tested by its own runner. A fourth app, the ESM one with Vitest, is set up with
// the README's Node 22 metrics line and installed, built, run and tested on Node 22 from npm.
//
// Installing is the slow part. An installed app is kept in the OS temp dir under a key made of the
// tarball's, the fixture's and the README lines' contents, and used again only while the registry
// would still give it the same versions: `npm outdated` finds none newer within its ranges, and it
// is less than a day old (for changes further down the dependency tree).
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, delimiter, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { resolveNatsServerBinary, startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { freePort } from './support/ports.js';
import { waitForValue } from './support/wait.js';

const ROOT = resolve('.');
const FIXTURES = join(ROOT, 'test/fixtures/packaged-apps');
// One cache per checkout: runs from other checkouts (worktrees) never remove each other's apps.
const CACHE = join(tmpdir(), 'nestjs-jetstream-streams-package-test', createHash('sha256').update(ROOT).digest('hex').slice(0, 12));
const DAY_MS = 24 * 60 * 60 * 1000;
const run = promisify(execFile);

/** A Node.js release from npm that an app is installed, built, run and tested with instead of the tests' own Node. */
interface NodeRelease {
  /** The range of `node-<platform>-<arch>` (the official build, as the `node` package of npm installs it) to install. */
  range: string;
  /** The lowest version the README's lines for the app are written for: a lower one fails the run. */
  atLeast: string;
}

interface AppKind {
  /** Names the app in the test titles and in the cache. */
  name: string;
  /** Folder under test/fixtures/packaged-apps, copied over `common/`. */
  fixture: string;
  nestMajor: string;
  /** The major of `@opentelemetry/sdk-metrics` its metrics line gives, as the README says (2 on Node 20, 3 on Node 22). */
  sdkMajor: string;
  commonjs: boolean;
  /** The README's install blocks (`<!-- install: <name> -->`) this app is set up with, in order. */
  install: string[];
  /** What its test runner prints when the one spec passed. */
  passed: RegExp;
  /** The Node.js it runs on; the tests' own Node (20 in CI) when absent. */
  node?: NodeRelease;
}

// The Node 22 app checks the README's Node 22 metrics line and the package on Node 22. Neither
// depends on the server's version, which the three Node 20 apps cover on every channel; so it
// runs on one channel only, the newest (or the one server of a run without channels).
const NODE22_HERE = !process.env.NATS_SERVER_CHANNEL || process.env.NATS_SERVER_CHANNEL === 'unstable' || !!process.env.NATS_SERVER_BIN;

const APPS: AppKind[] = [
  {
    name: 'nest11-cjs-jest',
    fixture: 'nest11-cjs-jest',
    nestMajor: '11',
    sdkMajor: '2',
    commonjs: true,
    install: ['nest11-cjs-jest', 'metrics-node20'],
    passed: /Tests:\s+1 passed, 1 total/,
  },
  {
    name: 'nest12-esm-vitest',
    fixture: 'nest12-esm-vitest',
    nestMajor: '12',
    sdkMajor: '2',
    commonjs: false,
    install: ['nest12-esm', 'metrics-node20'],
    passed: /Tests\s+1 passed \(1\)/,
  },
  ...(NODE22_HERE
    ? [
        {
          name: 'nest12-esm-vitest on node 22',
          fixture: 'nest12-esm-vitest',
          nestMajor: '12',
          sdkMajor: '3',
          commonjs: false,
          install: ['nest12-esm', 'metrics-node22'],
          passed: /Tests\s+1 passed \(1\)/,
          node: { range: '22', atLeast: '22.15.0' },
        },
      ]
    : []),
  {
    name: 'nest12-esm-jest',
    fixture: 'nest12-esm-jest',
    nestMajor: '12',
    sdkMajor: '2',
    commonjs: false,
    install: ['nest12-esm', 'metrics-node20'],
    passed: /Tests:\s+1 passed, 1 total/,
  },
];

/** The lines of the fenced code block that follows `<!-- <marker> -->` in the README. */
function readmeBlock(marker: string): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(`<!-- ${marker} -->`);
  const block = at === -1 ? null : /^```\w*\n([\s\S]*?)^```$/m.exec(readme.slice(at));
  if (!block) throw new Error(`README.md has no code block after <!-- ${marker} -->`);
  return block[1].split('\n').filter((line) => line.trim() !== '');
}

/** The README's install lines of one setup: each an `npm i`, run as written by a shell. */
function installLines(setup: string): string[] {
  const lines = readmeBlock(`install: ${setup}`);
  const other = lines.find((line) => !/^npm i /.test(line));
  if (other) throw new Error(`README.md install block "${setup}" has a line that is no \`npm i\`: ${other}`);
  return lines;
}

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => statSync(join(dir, file)).isFile())
    .sort();
}

/** Packs the library (its `prepack` script builds it); returns the tarball's path. */
async function packLibrary(): Promise<string> {
  const packDir = mkdtempSync(join(tmpdir(), 'streams-pack-'));
  const { stdout } = await run('npm', ['pack', './libs/streams', '--pack-destination', packDir, '--silent'], { cwd: ROOT });
  return join(packDir, stdout.trim().split('\n').pop()!);
}

/** Copies the app's sources into `dir`; the CommonJS app gets extensionless relative imports, as `nest new` writes them. */
function writeSources(kind: AppKind, dir: string): void {
  for (const source of [join(FIXTURES, 'common'), join(FIXTURES, kind.fixture)]) {
    for (const file of filesUnder(source)) {
      const target = join(dir, file);
      mkdirSync(join(target, '..'), { recursive: true });
      let text = readFileSync(join(source, file), 'utf8');
      if (kind.commonjs && file.endsWith('.ts')) text = text.replace(/(from '\.{1,2}\/[^']+)\.js'/g, "$1'");
      writeFileSync(target, text);
    }
  }
}

/**
 * Why an installed app can no longer stand for a fresh install, or undefined while it can: a day
 * old, or `npm outdated` finds a version the registry would now give within one of its ranges.
 */
async function staleness(dir: string, node: string): Promise<string | undefined> {
  if (Date.now() - statSync(join(dir, '.installed')).mtimeMs > DAY_MS) return 'installed more than a day ago';
  const outdated = await runIn(dir, 'npm', ['outdated', '--json'], appEnv({}, node));
  let report: Record<string, { current?: string; wanted?: string }>;
  try {
    report = JSON.parse(outdated.stdout || '{}');
  } catch {
    return `npm outdated failed: ${outdated.stderr}`;
  }
  const behind = Object.entries(report).filter(([, v]) => v.current !== v.wanted);
  return behind.length ? `newer within range: ${behind.map(([name, v]) => `${name} ${v.current} -> ${v.wanted}`).join(', ')}` : undefined;
}

/**
 * The `node` binary of a release from npm, installed in the cache and used again for a day (npm's
 * `node` package does the same from an install script; the platform's package is installed
 * directly here). Fails when the registry gives a version below the one the README names.
 */
async function nodeRelease(release: NodeRelease): Promise<string> {
  const pkg = `node-${process.platform}-${process.arch}`;
  const dir = join(CACHE, `${pkg}-${release.range}`);
  const node = join(dir, 'node_modules', pkg, 'bin', 'node');
  if (!existsSync(join(dir, '.installed')) || Date.now() - statSync(join(dir, '.installed')).mtimeMs > DAY_MS) {
    mkdirSync(CACHE, { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    const staging = mkdtempSync(join(CACHE, `.staging-${pkg}-`));
    const step = ['install', '--prefix', staging, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `${pkg}@${release.range}`];
    const installed = await runIn(staging, 'npm', step);
    if (installed.code !== 0)
      throw new Error(`npm ${step.join(' ')} failed (exit ${installed.code}):\n${installed.stdout}${installed.stderr}`);
    settleInstall(staging, dir);
  }
  const version = (await run(node, ['--version'])).stdout.trim().replace(/^v/, '');
  const [have, need] = [version, release.atLeast].map((v) => v.split('.').map(Number));
  const below = have.findIndex((part, i) => part !== need[i]);
  if (below !== -1 && have[below] < need[below])
    throw new Error(`${pkg}@${release.range} installed Node ${version}, below ${release.atLeast}`);
  return node;
}

/**
 * Marks a finished install in `staging` and moves it to `dir` in the cache; when another run put
 * one there meanwhile, that one is kept and `staging` removed.
 */
function settleInstall(staging: string, dir: string): void {
  writeFileSync(join(staging, '.installed'), new Date().toISOString());
  try {
    renameSync(staging, dir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(dir, '.installed'))) throw err;
  }
}

/**
 * The app installed with the tarball, as a user would: `npm install` of the fixture (the
 * `package.json` of `nest new`), then the README's install lines for its setup, each run by a
 * shell as written, with the tarball under the name they give, npm running on the app's `node`.
 * Taken from the cache while it is not stale; other versions of the same app are removed from the cache.
 */
async function installedApp(kind: AppKind, tarball: string, node: string): Promise<string> {
  const lines = kind.install.flatMap(installLines);
  const named = lines.flatMap((line) => line.match(/\S+\.tgz/g) ?? []);
  if (named.some((file) => basename(file) !== basename(tarball))) {
    throw new Error(`README.md installs ${named.join(', ')}, but npm pack made ${basename(tarball)}`);
  }
  const nodeVersion = (await run(node, ['--version'])).stdout.trim();
  const hash = createHash('sha256').update(readFileSync(tarball)).update(lines.join('\n')).update(nodeVersion);
  for (const source of [join(FIXTURES, 'common'), join(FIXTURES, kind.fixture)]) {
    for (const file of filesUnder(source)) hash.update(file).update(readFileSync(join(source, file)));
  }
  const key = kind.name.replace(/\W+/g, '-');
  const dir = join(CACHE, `${key}-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, '.installed')) && (await staleness(dir, node)) === undefined) return dir;

  mkdirSync(CACHE, { recursive: true });
  const versions = new RegExp(`^${key}-[0-9a-f]{16}$`);
  for (const old of readdirSync(CACHE).filter((name) => versions.test(name))) rmSync(join(CACHE, old), { recursive: true, force: true });
  const staging = mkdtempSync(join(CACHE, `.staging-${key}-`));
  writeSources(kind, staging);
  cpSync(tarball, join(staging, basename(tarball)));
  const steps = [['npm', 'install', '--no-audit', '--no-fund', '--loglevel=error'].join(' '), ...lines];
  for (const step of steps) {
    const result = await runIn(staging, 'sh', ['-c', step], appEnv({}, node));
    if (result.code !== 0) throw new Error(`${kind.fixture}: \`${step}\` failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
  }
  settleInstall(staging, dir);
  return dir;
}

/**
 * The environment of the apps' processes: `node` first on PATH (so that `npm` and `npx` run on
 * it), the suite's nats-server binary, no colours, none of Jest's worker variables.
 */
function appEnv(extra: NodeJS.ProcessEnv = {}, node = process.execPath): NodeJS.ProcessEnv {
  const PATH = `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`;
  const env: NodeJS.ProcessEnv = { ...process.env, PATH, NATS_SERVER_BIN: resolveNatsServerBinary(), NO_COLOR: '1' };
  delete env.JEST_WORKER_ID;
  delete env.FORCE_COLOR;
  delete env.NATS_URL;
  return { ...env, ...extra };
}

/** Runs a command in the app; resolves with its exit code and output whatever the code. */
function runIn(dir: string, command: string, args: string[], env: NodeJS.ProcessEnv = appEnv()) {
  return run(command, args, { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({
      code: err.code ?? -1,
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? '',
    }),
  );
}

/** The part of the apps' /health answer the tests read. */
interface HealthBody {
  details: { nats: { status: string }; streams: { status: string; up: number; streams: Record<string, { status: string }> } };
}

/** An installed and compiled app, and the `node` it runs on. */
interface App {
  dir: string;
  node: string;
}

/**
 * Starts `node dist/main.js` against `natsUrl`, waits for GET /health 200 and for GET /metrics to
 * report the declared stream up, stops the app with SIGTERM, returns both bodies.
 */
async function bootAndScrape({ dir, node }: App, natsUrl: string): Promise<{ health: HealthBody; metrics: string }> {
  const port = await freePort();
  const app = spawn(node, ['dist/main.js'], { cwd: dir, env: appEnv({ NATS_URL: natsUrl, PORT: String(port) }, node) });
  let output = '';
  app.stdout?.on('data', (d: Buffer) => (output += d));
  app.stderr?.on('data', (d: Buffer) => (output += d));
  const exited = new Promise((done) => app.once('exit', done));
  const base = `http://127.0.0.1:${port}`;
  try {
    const withOutput = (err: Error) => {
      throw new Error(`${err.message}\n--- app output ---\n${output}`);
    };
    const health = await waitForValue(
      async () => {
        const r = await request(base).get('/health');
        return r.status === 200 ? (r.body as HealthBody) : undefined;
      },
      { timeoutMs: 30_000, everyMs: 250, what: 'GET /health 200' },
    ).catch(withOutput);
    const metrics = await waitForValue(
      async () => {
        const r = await request(base).get('/metrics');
        return r.status === 200 && r.text.includes('nats_jetstream_stream_up{') ? r.text : undefined;
      },
      { timeoutMs: 15_000, everyMs: 250, what: 'GET /metrics with the stream series' },
    ).catch(withOutput);
    return { health, metrics };
  } finally {
    app.kill('SIGTERM');
    await exited;
  }
}

describe('packed library in fresh Nest apps set up with the README', () => {
  const apps = new Map<string, App>();
  let tarball: string;

  beforeAll(async () => {
    tarball = await packLibrary();
    // The installs are network- and disk-bound: all at once. Each app is then compiled by its own
    // TypeScript (tsconfig.build.json, as its `npm run build` does); a type error fails here.
    await Promise.all(
      APPS.map(async (kind) => {
        const node = kind.node ? await nodeRelease(kind.node) : process.execPath;
        const dir = await installedApp(kind, tarball, node);
        const compiled = await runIn(dir, node, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], appEnv({}, node));
        if (compiled.code !== 0) throw new Error(`${kind.name} does not compile:\n${compiled.stdout}${compiled.stderr}`);
        apps.set(kind.name, { dir, node });
      }),
    );
  }, 600_000);

  afterAll(() => {
    if (tarball) rmSync(join(tarball, '..'), { recursive: true, force: true });
  });

  it('ships what its exports, bin, types and source maps point to, a README and a LICENSE, and no tests', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streams-tarball-'));
    try {
      expect(spawnSync('tar', ['-xzf', tarball, '-C', dir]).status).toBe(0);
      const pkgDir = join(dir, 'package');
      const files = new Set(filesUnder(pkgDir));
      const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
      const targets = [
        manifest.main,
        manifest.types,
        ...Object.values<string>(manifest.bin),
        ...leaves(manifest.exports),
        ...Object.values<string[]>(manifest.typesVersions['*']).flat(),
      ].map((p: string) => relative('.', p));

      expect(Object.keys(manifest.exports)).toEqual(['.', './health', './dashboard', './testing', './package.json']);
      expect(targets.filter((target) => !files.has(target))).toEqual([]);
      expect(files.has('README.md') && files.has('LICENSE')).toBe(true);
      expect([...files].filter((f) => /\.spec\.|e2e/.test(f))).toEqual([]);
      const maps = [...files].filter((f) => f.endsWith('.map'));
      expect(maps.length).toBeGreaterThan(0);
      const unresolved = maps.flatMap((map) =>
        (JSON.parse(readFileSync(join(pkgDir, map), 'utf8')).sources as string[])
          .map((source) => relative(pkgDir, resolve(pkgDir, map, '..', source)))
          .filter((source) => !files.has(source)),
      );
      expect(unresolved).toEqual([]);
      expect(manifest.peerDependenciesMeta).toEqual({ '@nestjs/terminus': { optional: true }, '@nestjs/testing': { optional: true } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs the README's /metrics recipe, as written, in the apps' main.ts and in their spec", () => {
    const recipe = readmeBlock('recipe: metrics-endpoint');
    const trimmed = (file: string) =>
      readFileSync(join(FIXTURES, 'common', file), 'utf8')
        .split('\n')
        .map((line) => line.trim());

    expect(recipe).toHaveLength(3);
    for (const file of ['src/main.ts', 'test/app.e2e-spec.ts']) {
      const lines = trimmed(file);
      const at = lines.indexOf(recipe[0]);
      expect(lines.slice(at, at + 3)).toEqual(recipe);
    }
  });

  describe.each(APPS)('$name', (kind) => {
    let server: NatsTestServer;

    beforeEach(async () => {
      server = await startNatsServer();
    });

    afterEach(async () => {
      await server?.dispose();
    });

    it('loads one copy of every entry by import and require, and its root, dashboard and testing entries without @nestjs/terminus', async () => {
      const { dir, node } = apps.get(kind.name)!;
      const runNode = (args: string[]) => runIn(dir, node, args, appEnv({}, node));
      const major = (pkg: string) =>
        (JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version.split('.')[0];
      expect(major('@nestjs/core')).toBe(kind.nestMajor);
      expect(major('@opentelemetry/sdk-metrics')).toBe(kind.sdkMajor);

      for (const script of ['one-copy.cjs', 'one-copy.mjs']) {
        const loaded = await runNode([script]);
        expect(loaded.code).toBe(0);
        expect(JSON.parse(loaded.stdout)).toMatchObject({
          sameStreamService: true,
          sameStreamsModule: true,
          sameHealthModule: true,
          sameDashboardModule: true,
          sameTestingKit: true,
        });
      }
      const esm = await runNode(['no-terminus.mjs']);
      expect(JSON.parse(esm.stdout)).toEqual({
        'nestjs-jetstream-streams': 'loaded',
        'nestjs-jetstream-streams/dashboard': 'loaded',
        'nestjs-jetstream-streams/testing': 'loaded',
        'nestjs-jetstream-streams/health': '@nestjs/terminus was loaded',
      });
      if (kind.commonjs) {
        // The CommonJS build, as Jest in CommonJS mode loads it (Nest 11 only: Nest 12 cannot be require()d without require(esm)).
        const cjs = await runNode(['--no-experimental-require-module', 'no-terminus.cjs']);
        expect(JSON.parse(cjs.stdout)).toEqual({
          build: expect.stringMatching(/[\\/]dist[\\/]cjs[\\/]index\.js$/),
          terminusLoadedAfter: {
            'nestjs-jetstream-streams': false,
            'nestjs-jetstream-streams/dashboard': false,
            'nestjs-jetstream-streams/testing': false,
            'nestjs-jetstream-streams/health': true,
          },
        });
      }
    });

    it('boots (node dist/main.js): /health 200, /metrics with the library series; and its own test runner passes', async () => {
      const app = apps.get(kind.name)!;

      const { health, metrics } = await bootAndScrape(app, server.url);
      const tested = await runIn(app.dir, 'npm', ['run', 'test:e2e'], appEnv({}, app.node));

      expect(health.details.nats.status).toBe('up');
      // Compact /health: the declared stream and the feature's bucket counted up, with nothing to detail.
      expect(health.details.streams).toMatchObject({ status: 'up', up: 2, streams: {} });
      expect(metrics).toMatch(/^nats_jetstream_stream_up\{[^}]*nats_jetstream_stream_name="consumer_orders"[^}]*\} 1/m);
      expect(metrics).toMatch(
        /^nats_jetstream_stream_reconciliations_total\{[^}]*nats_jetstream_reconciliation_outcome="created"[^}]*\} \d/m,
      );
      expect(`${tested.stdout}${tested.stderr}`).toMatch(kind.passed);
      expect(tested.code).toBe(0);
    }, 180_000);
  });

  describe('CommonJS app (Nest 11)', () => {
    let server: NatsTestServer;

    beforeAll(async () => {
      server = await startNatsServer();
    });

    afterAll(async () => {
      await server?.dispose();
    });

    it('type-checks with the module: commonjs (node10) setup of older `nest new` apps', async () => {
      const checked = await runIn(apps.get('nest11-cjs-jest')!.dir, process.execPath, [
        'node_modules/typescript/bin/tsc',
        '-p',
        'tsconfig.node10.json',
      ]);
      expect(checked).toMatchObject({ code: 0, stdout: '' });
    });

    it('runs the installed plan command on its compiled declarations and on its compiled app module: 1 before the app ran, 0 after, 2 without a server', async () => {
      const app = apps.get('nest11-cjs-jest')!;
      const plan = (module: string, ...args: string[]) =>
        runIn(app.dir, 'npx', ['--no-install', 'nestjs-jetstream-streams', 'plan', module, ...args], appEnv({ NATS_URL: server.url }));

      const before = await plan('dist/app.module.js', '--json');
      const declarationsBefore = await plan('dist/streams.js');
      const { health } = await bootAndScrape(app, server.url);
      const after = await plan('dist/app.module.js');
      const declarationsAfter = await plan('dist/streams.js', '--json');
      const noServer = await plan('dist/app.module.js', '--server', `nats://127.0.0.1:${await freePort()}`, '--timeout', '1000');

      expect(health.details.streams.status).toBe('up');
      expect(before.code).toBe(1);
      expect((JSON.parse(before.stdout).plans as Array<{ name: string; action: string }>).map((p) => `${p.name}:${p.action}`)).toEqual([
        'consumer_orders:create',
        'KV_consumer_carts:create',
      ]);
      expect(declarationsBefore.stdout).toMatch(/^consumer_orders\s+create$/m);
      expect(declarationsBefore.code).toBe(1);
      expect(after.stdout).toContain('All 2 streams match.');
      expect(after.code).toBe(0);
      expect(JSON.parse(declarationsAfter.stdout).plans).toEqual([
        { name: 'consumer_orders', action: 'unchanged', changes: [], conflicts: [] },
      ]);
      expect(noServer.code).toBe(2);
      expect(noServer.stderr).toContain('Could not connect to NATS');
    }, 120_000);
  });

  it('examples/ type-check against the installed package in the ESM Nest 12 app', async () => {
    const { dir } = apps.get('nest12-esm-vitest')!;
    rmSync(join(dir, 'examples'), { recursive: true, force: true });
    cpSync(join(ROOT, 'examples'), join(dir, 'examples'), { recursive: true });

    const checked = await runIn(dir, process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.examples.json']);

    expect(checked).toMatchObject({ code: 0, stdout: '' });
  }, 60_000);
});

/** The string values of a nested object (the targets of an `exports` map, not its keys). */
function leaves(value: unknown): string[] {
  return typeof value === 'string' ? [value] : Object.values(value as object).flatMap(leaves);
}
