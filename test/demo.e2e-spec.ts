// The demo's npm scripts (`npm start`, `npm run streams:plan`) each compile the demo into dist/
// before running it. Each is run here once, as the README has users type it, and reads only the
// build it has just made. Every other run of the demo or of the plan command uses one build made by
// this file before its tests, in a directory of its own under dist/ (where the demo's imports
// resolve from node_modules), so that no run reads a build that another is still writing.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { connect } from 'nats';
import request from 'supertest';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { AppModule } from '../src/app.module.js';
import { connectError, freePort } from './support/ports.js';
import { startTestApp } from './support/streams-app.js';
import { waitFor, waitForValue } from './support/wait.js';

/** This file's own build of the demo (`src/` and `libs/` as `npm run build:app` compiles them). */
let build: string;

beforeAll(async () => {
  mkdirSync('dist', { recursive: true });
  build = resolve(mkdtempSync(join('dist', 'demo-e2e-')));
  // As build:app does (Jest's global setup has bundled the dashboard's assets): tsc, then
  // tsc-alias to turn the `@app/streams` paths into relative imports.
  const compile = promisify(execFile);
  await compile(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', build]);
  await compile(process.execPath, ['node_modules/tsc-alias/dist/bin/index.js', '-p', 'tsconfig.build.json', '--outDir', build]);
}, 180_000);

afterAll(() => {
  if (build) rmSync(build, { recursive: true, force: true });
});

/** A demo process started by a test, with everything it printed. */
interface DemoRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startDemo(command: string, args: string[], env: NodeJS.ProcessEnv): DemoRun {
  const demoEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete demoEnv.NATS_URL;
  // Its own process group, so that a test can signal it the way a terminal's Ctrl-C does.
  const child = spawn(command, args, { cwd: process.cwd(), env: demoEnv, detached: true });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** The private server the demo announced: its pid, client port and temporary directory. */
async function privateServer(demo: DemoRun): Promise<{ pid: number; port: number; dir: string }> {
  const line = /private nats-server \S+ at nats:\/\/127\.0\.0\.1:(\d+) \(pid (\d+), store (\S+)\)/;
  const match = await waitFor(
    async () => line.exec(demo.output()),
    (m) => m !== null,
    { timeoutMs: 90_000, what: 'the private server line' },
  );
  return { port: Number(match![1]), pid: Number(match![2]), dir: match![3] };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function stopGroup(demo: DemoRun | undefined): void {
  if (demo?.child.exitCode === null && demo.child.signalCode === null && demo.child.pid) {
    try {
      process.kill(-demo.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** `npm start` with no NATS_URL: the demo starts its own nats-server and serves real HTTP. */
describe('demo app (npm start, no NATS_URL)', () => {
  let demo: DemoRun | undefined;

  afterEach(() => {
    stopGroup(demo);
    demo = undefined;
  });

  it('serves /health 200 with its declared streams; Ctrl-C stops its private server and removes its store', async () => {
    const port = 3500 + Math.floor(Math.random() * 400);
    demo = startDemo('npm', ['start', '--silent'], { PORT: String(port) });
    const base = `http://127.0.0.1:${port}`;

    const health = await waitForValue(
      async () => {
        const res = await request(base).get('/health');
        return res.status === 200 ? res : undefined;
      },
      { timeoutMs: 90_000, everyMs: 250 },
    );
    const server = await privateServer(demo);
    // Another team's stream in the same account: the demo does not show it.
    const other = await connect({ servers: `nats://127.0.0.1:${server.port}` });
    await (await other.jetstreamManager()).streams.add({ name: 'other_team', subjects: ['other.team.>'] });
    const infos: string[] = [];
    other.subscribe('$JS.API.STREAM.INFO.>', { callback: (_e, m) => infos.push(m.subject) });
    await other.flush();
    const streams = await request(base).get('/streams');
    const orders = await request(base).get('/streams/orders');
    const foreign = await request(base).get('/streams/other_team');
    const missing = await request(base).get('/streams/no-such-stream');
    await other.flush();
    await other.close();

    // Compact /health: every declared stream is up, so none is detailed.
    expect(health.body.details.streams).toMatchObject({ status: 'up', up: 4, streams: {} });
    expect(health.body.details.nats.status).toBe('up');
    expect(Object.keys(streams.body.streams).sort()).toEqual(['KV_sessions', 'notifications', 'orders', 'payments']);
    expect(orders.body).toMatchObject({ name: 'orders', healthy: true, subjects: ['orders.>'] });
    expect([foreign.status, missing.status]).toEqual([404, 404]);
    // Served from the monitor's snapshot: no STREAM.INFO per HTTP request.
    expect(infos).toEqual([]);

    expect(existsSync(server.dir)).toBe(true);
    // A terminal's Ctrl-C signals the whole foreground process group: npm, its shell, the demo
    // and the private server alike. npm may exit before the demo has finished cleaning up, so the
    // outcome is awaited, not npm's exit.
    process.kill(-demo.child.pid!, 'SIGINT');
    await demo.exited;
    await waitFor(
      async () => isAlive(server.pid) || existsSync(server.dir),
      (left) => !left,
      {
        timeoutMs: 15_000,
        what: 'private server stopped and store removed',
      },
    );
    expect(await connectError(server.port)).toBeDefined();
  }, 120_000);
});

/** The built demo (`node dist/src/main.js`, from this file's build) signalled alone, as a process manager does. */
describe('demo app shutdown (node dist/src/main.js)', () => {
  let demo: DemoRun | undefined;

  afterEach(() => {
    stopGroup(demo);
    demo = undefined;
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s it exits only after its private server is gone and its store removed',
    async (signal) => {
      demo = startDemo(process.execPath, [join(build, 'src/main.js')], { PORT: String(await freePort()) });
      const server = await privateServer(demo);
      await waitFor(
        async () => demo!.output(),
        (out) => out.includes('Demo listening'),
        { timeoutMs: 60_000, what: 'demo listening' },
      );

      process.kill(demo.child.pid!, signal);
      const exit = await demo.exited;

      expect(exit.signal).toBe(signal);
      expect(isAlive(server.pid)).toBe(false);
      expect(existsSync(server.dir)).toBe(false);
      expect(await connectError(server.port)).toBeDefined();
    },
    90_000,
  );

  it('on a crash (uncaught exception) it stops its private server, removes its store and exits 1', async () => {
    demo = startDemo(process.execPath, ['--require', './test/fixtures/demo-crash.cjs', join(build, 'src/main.js')], {
      PORT: String(await freePort()),
    });
    const server = await privateServer(demo);

    const exit = await demo.exited;

    expect(demo.output()).toContain('demo crash provoked by the test');
    expect(exit.code).toBe(1);
    expect(isAlive(server.pid)).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
  }, 90_000);
});

/**
 * The plan command on the demo's compiled app module: as `npm run streams:plan` runs it (building
 * dist/ first), or directly from this file's build. `url` undefined: no NATS_URL at all.
 */
function plan(url: string | undefined, extra: string[] = [], viaNpm = false): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, NATS_URL: url };
  if (url === undefined) delete env.NATS_URL;
  const res = viaNpm
    ? spawnSync('npm', ['run', '--silent', 'streams:plan', '--', ...extra], { env, encoding: 'utf8' })
    : spawnSync(process.execPath, [join(build, 'libs/streams/src/cli/main.js'), 'plan', join(build, 'src/app.module.js'), ...extra], {
        env,
        encoding: 'utf8',
      });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('npm run streams:plan', () => {
  let server: NatsTestServer;

  beforeAll(async () => {
    server = await startNatsServer();
  });

  afterAll(async () => {
    await server?.dispose();
    delete process.env.NATS_URL;
  });

  it("on an empty server: every stream and bucket of the demo's module graph would be created, exit 1 (table and JSON)", () => {
    const table = plan(server.url);
    const json = plan(server.url, ['--json']);

    expect(table.stdout).toMatch(/^orders\s+create$/m);
    expect(table.stdout).toMatch(/^payments\s+create$/m);
    expect(table.stdout).toMatch(/^KV_sessions\s+create$/m);
    expect(table.stdout).toContain('4 of 4 streams would change (4 create).');
    expect(table.status).toBe(1);
    const parsed = JSON.parse(json.stdout);
    // forRootAsync's streams (its factory run), the orders feature module's forFeature, then the bucket.
    expect(parsed.plans.map((p: { name: string; action: string }) => `${p.name}:${p.action}`)).toEqual([
      'orders:create',
      'notifications:create',
      'payments:create',
      'KV_sessions:create',
    ]);
    expect(json.status).toBe(1);
  }, 90_000);

  it('exit 0 once the demo has ensured its streams, exit 1 with the field diff after a change on the server', async () => {
    process.env.NATS_URL = server.url;
    const app = await startTestApp([AppModule]);
    await app.close();

    const clean = plan(server.url);
    expect(clean.stdout).toContain('All 4 streams match.');
    expect(clean.status).toBe(0);
    expect(plan(server.url, ['--json']).status).toBe(0);

    const nc = await connect({ servers: server.url });
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info('orders');
    await jsm.streams.update('orders', { ...info.config, max_msgs: 42 });
    await nc.close();

    const drifted = plan(server.url);
    const json = JSON.parse(plan(server.url, ['--json']).stdout);
    expect(drifted.stdout).toMatch(/^orders\s+update\s+max_msgs: 42 -> 1000000$/m);
    expect(drifted.status).toBe(1);
    expect(json.plans.find((p: { name: string }) => p.name === 'orders')).toMatchObject({
      action: 'update',
      changes: [{ field: 'max_msgs', current: 42, desired: 1_000_000 }],
    });
  }, 60_000);

  it('exit 2 when no server answers, and for a module that does not exist', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;

    const table = plan(url, ['--timeout', '1000']);
    const json = plan(url, ['--timeout', '1000', '--json']);
    const missing = spawnSync(process.execPath, [join(build, 'libs/streams/src/cli/main.js'), 'plan', join(build, 'src/no-such-file.js')], {
      encoding: 'utf8',
    });

    expect(table.status).toBe(2);
    expect(table.stderr).toContain('could not check the plan: Could not connect to NATS');
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout).error).toMatchObject({ name: 'NatsConnectionError' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no-such-file.js does not exist.');
  }, 30_000);

  it('without NATS_URL: tries the default server once and exits 2 saying how to name one, instead of waiting for it', async () => {
    // The precondition: nothing answers on the default address on this machine.
    expect(await connectError(4222)).toBe('ECONNREFUSED');

    const result = plan(undefined, [], true);

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('could not check the plan: Could not connect to NATS at nats://127.0.0.1:4222');
    expect(result.stderr).toContain('No --server and no NATS_URL named a server, so nats://127.0.0.1:4222 was tried once');
  }, 90_000);
});
