import { spawnSync } from 'node:child_process';
import { connect } from 'nats';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { AppModule } from '../src/app.module.js';
import { startTestApp } from './support/streams-app.js';

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
