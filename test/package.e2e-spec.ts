// The packed library as its users get it: `npm pack`, installed into three fresh Nest apps outside
// the repository (CommonJS Nest 11 with Jest, ESM Nest 12 with Vitest, ESM Nest 12 with Jest), each
// compiled by its own TypeScript, booted against a real nats-server and tested by its own runner.
// Installing is the slow part; an installed app is kept in the OS temp dir under a key made of the
// tarball's and the fixture's contents, so the second run of the e2e matrix (and any run without
// a change to the library or the fixture) reuses it.
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
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { resolveNatsServerBinary, startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { freePort } from './support/ports.js';
import { waitForValue } from './support/wait.js';

const ROOT = resolve('.');
const FIXTURES = join(ROOT, 'test/fixtures/packaged-apps');
const CACHE = join(tmpdir(), 'nestjs-jetstream-streams-package-test');
const run = promisify(execFile);

interface AppKind {
  /** Folder under test/fixtures/packaged-apps, copied over `common/`. */
  fixture: string;
  nestMajor: string;
  commonjs: boolean;
  /** What its test runner prints when the one spec passed. */
  passed: RegExp;
}

const APPS: AppKind[] = [
  { fixture: 'nest11-cjs-jest', nestMajor: '11', commonjs: true, passed: /Tests:\s+1 passed, 1 total/ },
  { fixture: 'nest12-esm-vitest', nestMajor: '12', commonjs: false, passed: /Tests\s+1 passed \(1\)/ },
  { fixture: 'nest12-esm-jest', nestMajor: '12', commonjs: false, passed: /Tests:\s+1 passed, 1 total/ },
];

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
 * The app installed with the tarball: from the cache when this tarball and fixture were installed
 * before, else freshly (`npm install` of the tarball into the copied fixture), then cached. Other
 * versions of the same app are removed from the cache.
 */
async function installedApp(kind: AppKind, tarball: string): Promise<string> {
  const hash = createHash('sha256').update(readFileSync(tarball));
  for (const source of [join(FIXTURES, 'common'), join(FIXTURES, kind.fixture)]) {
    for (const file of filesUnder(source)) hash.update(file).update(readFileSync(join(source, file)));
  }
  const dir = join(CACHE, `${kind.fixture}-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, '.installed'))) return dir;

  mkdirSync(CACHE, { recursive: true });
  for (const old of readdirSync(CACHE).filter((name) => name.startsWith(`${kind.fixture}-`)))
    rmSync(join(CACHE, old), { recursive: true, force: true });
  const staging = mkdtempSync(join(CACHE, `.staging-${kind.fixture}-`));
  writeSources(kind, staging);
  cpSync(tarball, join(staging, 'nestjs-jetstream-streams.tgz'));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', './nestjs-jetstream-streams.tgz'], {
    cwd: staging,
    maxBuffer: 16 * 1024 * 1024,
  });
  writeFileSync(join(staging, '.installed'), new Date().toISOString());
  try {
    renameSync(staging, dir);
  } catch (err) {
    // Another run installed the same app meanwhile: use that one.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(dir, '.installed'))) throw err;
  }
  return dir;
}

/** The environment of the apps' processes: the suite's nats-server binary, no colours, none of Jest's worker variables. */
function appEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NATS_SERVER_BIN: resolveNatsServerBinary(), NO_COLOR: '1' };
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

/** Starts `node dist/main.js` against `natsUrl`, waits for GET /health 200, stops the app with SIGTERM, returns the body. */
async function bootAndCheckHealth(dir: string, natsUrl: string): Promise<HealthBody> {
  const port = await freePort();
  const app = spawn(process.execPath, ['dist/main.js'], { cwd: dir, env: appEnv({ NATS_URL: natsUrl, PORT: String(port) }) });
  let output = '';
  app.stdout?.on('data', (d: Buffer) => (output += d));
  app.stderr?.on('data', (d: Buffer) => (output += d));
  const exited = new Promise((done) => app.once('exit', done));
  try {
    const res = await waitForValue(
      async () => {
        const r = await request(`http://127.0.0.1:${port}`).get('/health');
        return r.status === 200 ? r : undefined;
      },
      { timeoutMs: 30_000, everyMs: 250, what: 'GET /health 200' },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- app output ---\n${output}`);
    });
    return res.body;
  } finally {
    app.kill('SIGTERM');
    await exited;
  }
}

describe('packed library in fresh Nest apps', () => {
  const apps = new Map<string, string>();
  let tarball: string;

  beforeAll(async () => {
    tarball = await packLibrary();
    // The installs are network- and disk-bound: all three at once. Each app is then compiled by its
    // own TypeScript (tsconfig.build.json, as its `npm run build` does); a type error fails here.
    await Promise.all(
      APPS.map(async (kind) => {
        const dir = await installedApp(kind, tarball);
        const compiled = await runIn(dir, process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']);
        if (compiled.code !== 0) throw new Error(`${kind.fixture} does not compile:\n${compiled.stdout}${compiled.stderr}`);
        apps.set(kind.fixture, dir);
      }),
    );
  }, 420_000);

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
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe.each(APPS)('$fixture', (kind) => {
    let server: NatsTestServer;

    beforeEach(async () => {
      server = await startNatsServer();
    });

    afterEach(async () => {
      await server?.dispose();
    });

    it('loads one copy of the library by import and require, boots and serves /health 200, and its own test runner passes', async () => {
      const dir = apps.get(kind.fixture)!;
      const nestCore = JSON.parse(readFileSync(join(dir, 'node_modules/@nestjs/core/package.json'), 'utf8')) as { version: string };
      expect(nestCore.version.split('.')[0]).toBe(kind.nestMajor);

      for (const script of ['one-copy.cjs', 'one-copy.mjs']) {
        const loaded = await runIn(dir, process.execPath, [script]);
        expect(loaded.code).toBe(0);
        expect(JSON.parse(loaded.stdout)).toMatchObject({ sameStreamService: true, sameStreamsModule: true, sameTestingKit: true });
      }

      const health = await bootAndCheckHealth(dir, server.url);
      expect(health.details.nats.status).toBe('up');
      // Compact /health: the declared stream is counted up, with nothing to detail.
      expect(health.details.streams).toMatchObject({ status: 'up', up: 1, streams: {} });

      const tested = await runIn(dir, 'npm', ['run', 'test:e2e']);
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
      const checked = await runIn(apps.get('nest11-cjs-jest')!, process.execPath, [
        'node_modules/typescript/bin/tsc',
        '-p',
        'tsconfig.node10.json',
      ]);
      expect(checked).toMatchObject({ code: 0, stdout: '' });
    });

    it('runs the installed plan command on its compiled declarations: 1 before the app created its stream, 0 after, 2 without a server', async () => {
      const dir = apps.get('nest11-cjs-jest')!;
      const plan = (...args: string[]) =>
        runIn(
          dir,
          'npx',
          ['--no-install', 'nestjs-jetstream-streams', 'plan', 'dist/streams.js', ...args],
          appEnv({ NATS_URL: server.url }),
        );

      const before = await plan();
      await bootAndCheckHealth(dir, server.url);
      const after = await plan();
      const afterJson = await plan('--json');
      const noServer = await plan('--server', `nats://127.0.0.1:${await freePort()}`, '--timeout', '1000');

      expect(before.stdout).toMatch(/^consumer_orders\s+create$/m);
      expect(before.code).toBe(1);
      expect(after.stdout).toContain('The 1 declared stream matches.');
      expect(after.code).toBe(0);
      expect(JSON.parse(afterJson.stdout).plans).toEqual([{ name: 'consumer_orders', action: 'unchanged', changes: [], conflicts: [] }]);
      expect(noServer.code).toBe(2);
      expect(noServer.stderr).toContain('Could not connect to NATS');
    }, 120_000);
  });

  it('examples/ type-check against the installed package in the ESM Nest 12 app', async () => {
    const dir = apps.get('nest12-esm-vitest')!;
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
