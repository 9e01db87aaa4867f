import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { connect } from 'nats';
import request from 'supertest';
import { StreamService } from 'nestjs-jetstream-streams';
import { startNatsServer, type NatsTestServer } from 'nestjs-jetstream-streams/testing';
import { ConfigAsyncAppModule } from '../examples/config-async/app.module.js';
import { CustomHealthAppModule } from '../examples/custom-health/app.module.js';
import { FeatureStreamsAppModule } from '../examples/feature-streams/app.module.js';
import { InvoiceEvents } from '../examples/feature-streams/billing.module.js';
import { runCli } from '../libs/streams/src/cli/run-cli.js';
import { startTestApp } from './support/streams-app.js';
import { waitFor } from './support/wait.js';

/** The examples in examples/ boot and do what their READMEs say, against a real nats-server. */
describe('examples', () => {
  let server: NatsTestServer;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    server = await startNatsServer();
  });

  afterEach(async () => {
    // Each example is an app of its own: the next one starts on a server without its streams (two
    // declare 'orders' with different defaults, and a default never changes an existing stream's limits).
    if (app) {
      const streams = app.get(StreamService);
      for (const name of await streams.listStreams()) await streams.deleteStream(name);
    }
    await app?.close();
    app = undefined;
  });

  afterAll(async () => {
    await server?.dispose();
    delete process.env.NATS_URL;
  });

  it('config-async: takes NATS_URL from @nestjs/config and ensures its stream with the configured defaults', async () => {
    process.env.NATS_URL = server.url;
    app = await startTestApp([ConfigAsyncAppModule], { logger: false });

    const info = await app.get(StreamService).getStreamInfo('orders');

    expect(info.config.max_age).toBe(7 * 24 * 3600 * 1e9);
  });

  it('config-async: the plan command plans its module as declared (the @nestjs/config factory run), exit 0, then 1 after a change', async () => {
    process.env.NATS_URL = server.url;
    app = await startTestApp([ConfigAsyncAppModule], { logger: false });
    await app.close();
    app = undefined;
    // The plan command takes a compiled file: one that re-exports the example's module (Jest compiles the TypeScript).
    mkdirSync(join('node_modules', '.cache'), { recursive: true });
    const dir = mkdtempSync(join(process.cwd(), 'node_modules', '.cache', 'examples-plan-'));
    const file = join(dir, 'app.module.mjs');
    writeFileSync(file, `export { ConfigAsyncAppModule } from '${resolve('examples/config-async/app.module.ts')}';\n`);
    const plan = async () => {
      const out = { stdout: '', stderr: '' };
      const code = await runCli(['plan', file], {
        stdout: (t) => (out.stdout += t),
        stderr: (t) => (out.stderr += t),
        env: { NATS_URL: server.url },
        cwd: dir,
      });
      return { code, ...out };
    };
    try {
      const clean = await plan();
      const nc = await connect({ servers: server.url });
      const jsm = await nc.jetstreamManager();
      await jsm.streams.update('orders', { ...(await jsm.streams.info('orders')).config, max_age: 3600 * 1e9 });
      await nc.close();
      const drifted = await plan();

      expect(clean.stdout).toContain('The 1 declared stream matches.');
      expect(clean.code).toBe(0);
      // The factory's streamDefaults (max_age 7d) are what the plan compares with.
      expect(drifted.stdout).toMatch(/^orders\s+update\s+max_age: 3600000000000 -> 604800000000000$/m);
      expect(drifted.code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('feature-streams: every feature module’s streams exist after start-up, and streamScope publishes', async () => {
    app = await startTestApp([FeatureStreamsAppModule.register(server.url)], { logger: false });
    const streams = app.get(StreamService);

    const names = await streams.listStreams();
    const seq = await app.get(InvoiceEvents).publishIssued('inv-1');

    expect(names).toEqual(expect.arrayContaining(['invoices', 'refunds', 'shipments']));
    expect(seq).toBe(1);
    expect((await streams.getStreamInfo('refunds')).config.deny_delete).toBe(true);
  });

  it('custom-health: readiness goes down for a missing stream while liveness stays up', async () => {
    app = await startTestApp([CustomHealthAppModule.register(server.url)], { logger: false });
    const http = app.getHttpServer();
    expect((await request(http).get('/health/ready')).status).toBe(200);

    await app.get(StreamService).deleteStream('orders');

    // /health reads the monitor snapshot, which is at most one monitor interval (5 s) old.
    const ready = await waitFor(
      () => request(http).get('/health/ready'),
      (res) => res.status !== 200,
      { timeoutMs: 10_000, everyMs: 250 },
    );
    const live = await request(http).get('/health/live');
    expect(ready.status).toBe(503);
    expect(ready.body.error.streams.failing).toEqual(['orders']);
    expect(live.status).toBe(200);
  });
});
