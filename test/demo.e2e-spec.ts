// The demo's npm scripts (`npm start`, `npm run streams:plan`) each compile the demo into dist/;
// they live in one spec file so that Jest runs them one after the other, never two builds at once.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'nats';
import request from 'supertest';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { AppModule } from '../src/app.module.js';
import { connectError } from './support/ports.js';
import { startTestApp } from './support/streams-app.js';
import { waitForValue } from './support/wait.js';

/** `npm start` with no NATS_URL: the demo starts its own nats-server and serves real HTTP. */
describe('demo app (npm start, no NATS_URL)', () => {
  let child: ChildProcess | undefined;
  let output = '';

  afterEach(async () => {
    if (child?.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
    child = undefined;
  });

  it('serves /health 200 with its declared streams, and stops its private server on SIGTERM', async () => {
    const port = 3500 + Math.floor(Math.random() * 400);
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
    delete env.NATS_URL;
    child = spawn('npm', ['start', '--silent'], { cwd: process.cwd(), env, detached: true });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const base = `http://127.0.0.1:${port}`;

    const health = await waitForValue(
      async () => {
        const res = await request(base).get('/health');
        return res.status === 200 ? res : undefined;
      },
      { timeoutMs: 90_000, everyMs: 250 },
    );
    const streams = await request(base).get('/streams');
    const orders = await request(base).get('/streams/orders');
    const missing = await request(base).get('/streams/no-such-stream');

    // Compact /health: every declared stream is up, so none is detailed.
    expect(health.body.details.streams).toMatchObject({ status: 'up', up: 3, streams: {} });
    expect(health.body.details.nats.status).toBe('up');
    expect(Object.keys(streams.body.streams).sort()).toEqual(['notifications', 'orders', 'payments']);
    expect(orders.body).toMatchObject({ name: 'orders', healthy: true, subjects: ['orders.>'] });
    expect(missing.status).toBe(404);

    const natsPort = Number(/private nats-server \S+ at nats:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    expect(natsPort).toBeGreaterThan(0);
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
    expect(await connectError(natsPort)).toBeDefined();
  }, 120_000);
});

function plan(url: string): { status: number | null; out: string } {
  const res = spawnSync('npm', ['run', '--silent', 'streams:plan'], { env: { ...process.env, NATS_URL: url }, encoding: 'utf8' });
  return { status: res.status, out: `${res.stdout}${res.stderr}` };
}

/** `npm run streams:plan` as a drift check: exit 0 when everything matches, 1 with a field diff otherwise. */
describe('npm run streams:plan', () => {
  let server: NatsTestServer;

  beforeAll(async () => {
    server = await startNatsServer();
  });

  afterAll(async () => {
    await server?.dispose();
    delete process.env.NATS_URL;
  });

  it('says every stream would be created on an empty server and exits 1', () => {
    const { status, out } = plan(server.url);

    expect(out).toContain('orders: create');
    expect(out).toContain('payments: create');
    expect(status).toBe(1);
  });

  it('exits 0 once the demo has ensured its streams, and 1 with the field diff after a change on the server', async () => {
    process.env.NATS_URL = server.url;
    const app = await startTestApp([AppModule]);
    await app.close();

    const clean = plan(server.url);
    expect(clean.out).toContain('All 3 streams match.');
    expect(clean.status).toBe(0);

    const nc = await connect({ servers: server.url });
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info('orders');
    await jsm.streams.update('orders', { ...info.config, max_msgs: 42 });
    await nc.close();

    const drifted = plan(server.url);
    expect(drifted.out).toContain('orders: update');
    expect(drifted.out).toContain('max_msgs: 42 -> 1000000');
    expect(drifted.status).toBe(1);
  }, 60_000);
});
