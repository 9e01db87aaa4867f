import { spawn, type ChildProcess } from 'node:child_process';
import request from 'supertest';
import { connectError } from './support/ports.js';
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

    expect(Object.keys(health.body.details.streams.streams).sort()).toEqual(['notifications', 'orders', 'payments']);
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
