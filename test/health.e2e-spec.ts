import { Injectable, type BeforeApplicationShutdown, type INestApplication } from '@nestjs/common';
import { StreamMonitor, type StreamsModuleOptions } from '@app/streams';
import { NatsHealthIndicator, StreamsHealthIndicator } from '@app/streams/health';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { connect, DiscardPolicy, type NatsConnection } from 'nats';
import request from 'supertest';
import { startHealthTestApp } from './support/health-test-app.js';
import { JsApiSpy } from './support/js-api-spy.js';
import { waitFor } from './support/wait.js';
import { uniqueName } from './support/streams-fixture.js';

interface HealthBody {
  status: 'ok' | 'error' | 'shutting_down';
  info?: Record<string, Record<string, unknown>>;
  error?: Record<string, Record<string, unknown>>;
  details: Record<string, Record<string, unknown> & { status: string }>;
}

interface StreamDetail {
  status: string;
  problems: string[];
  messages: number;
  usage: { messages?: number; bytes?: number };
  drift?: Array<{ field: string; current: unknown; desired: unknown }>;
}

async function getHealth(app: INestApplication): Promise<{ status: number; body: HealthBody }> {
  const res = await request(app.getHttpServer()).get('/health');
  return { status: res.status, body: res.body as HealthBody };
}

function streamDetail(body: HealthBody, name: string): StreamDetail {
  const streams = body.details.streams as unknown as { streams: Record<string, StreamDetail> };
  return streams.streams[name];
}

describe('GET /health against a real nats-server', () => {
  let server: NatsTestServer | undefined;
  let app: INestApplication | undefined;
  let raw: NatsConnection | undefined;

  afterEach(async () => {
    await raw?.close().catch(() => undefined);
    await app?.close();
    await server?.dispose();
    raw = undefined;
    app = undefined;
    server = undefined;
  });

  /** Options with every stream detailed in /health (`details: 'full'`); the compact default has its own test. */
  function options(overrides: Partial<StreamsModuleOptions> & { streams: StreamsModuleOptions['streams'] }): StreamsModuleOptions {
    return {
      connection: { servers: server!.url, reconnectTimeWait: 200 },
      monitorIntervalMs: 500,
      drainTimeoutMs: 1_000,
      ...overrides,
      health: { details: 'full', ...overrides.health },
    };
  }

  it('is compact by default: counts the streams that are up, and details only those with a problem', async () => {
    server = await startNatsServer();
    const names = [uniqueName('quiet'), uniqueName('quiet'), uniqueName('quiet')];
    const gone = uniqueName('gone');
    app = await startHealthTestApp({
      connection: { servers: server.url },
      monitorIntervalMs: 500,
      streams: [...names, gone].map((name) => ({ name, subjects: [`${name}.>`] })),
    });
    raw = await connect({ servers: server.url });
    await (await raw.jetstreamManager()).streams.delete(gone);

    const down = await waitFor(
      () => getHealth(app!),
      (h) => h.status === 503,
      { timeoutMs: 5_000 },
    );

    const details = down.body.details.streams as unknown as { up: number; streams: Record<string, StreamDetail>; failing: string[] };
    expect(details.up).toBe(3);
    expect(Object.keys(details.streams)).toEqual([gone]);
    expect(details.streams[gone]).toMatchObject({ status: 'down', reason: 'not-found', problems: ['stream not found'] });
    expect(details.failing).toEqual([gone]);
  });

  it('is 200 with details for the connection and each declared stream', async () => {
    server = await startNatsServer();
    const [orders, audit] = [uniqueName('orders'), uniqueName('audit')];
    app = await startHealthTestApp(
      options({
        streams: [
          { name: orders, subjects: [`${orders}.>`], max_age: '7d' },
          { name: audit, subjects: [`${audit}.>`], max_msgs: 1_000 },
        ],
      }),
    );

    const { status, body } = await getHealth(app);

    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.details.nats).toMatchObject({ status: 'up', rttMs: expect.any(Number) });
    expect(body.details.streams.status).toBe('up');
    expect(streamDetail(body, orders)).toMatchObject({ status: 'up', problems: [], messages: 0 });
    expect(streamDetail(body, audit)).toMatchObject({ status: 'up', problems: [], usage: { messages: 0 } });
    expect(streamDetail(body, orders).drift).toBeUndefined();
    expect(streamDetail(body, audit).drift).toBeUndefined();
  });

  it('is 503 naming NATS when the server is killed, and 200 again after a restart on the same port', async () => {
    server = await startNatsServer();
    const name = uniqueName('orders');
    app = await startHealthTestApp(
      options({ streams: [{ name, subjects: [`${name}.>`] }], requestTimeoutMs: 500, operationTimeoutMs: 1_500 }),
    );
    expect((await getHealth(app)).status).toBe(200);

    await server.stop('SIGKILL');
    const down = await waitFor(
      () => getHealth(app!),
      (h) => h.status === 503,
      { timeoutMs: 5_000 },
    );
    const record = await app.get(StreamMonitor).healthCheck(name);

    expect(down.body.status).toBe('error');
    expect(down.body.error?.nats).toMatchObject({ status: 'down', reason: expect.stringMatching(/NATS/) });
    expect(down.body.error?.nats.servers).toEqual([server.url]);
    expect(record).toMatchObject({ name, healthy: false, status: 'down', error: expect.any(String) });

    await server.restart();
    const up = await waitFor(
      () => getHealth(app!),
      (h) => h.status === 200,
      { timeoutMs: 15_000 },
    );

    expect(up.body.details.nats.status).toBe('up');
    expect(streamDetail(up.body, name)).toMatchObject({ status: 'up' });
  });

  it('reports the streams down as soon as NATS is, not the cached snapshot (a long monitor interval)', async () => {
    server = await startNatsServer();
    const name = uniqueName('cached');
    app = await startHealthTestApp(options({ streams: [{ name, subjects: [`${name}.>`] }], monitorIntervalMs: 60_000 }));
    const nats = app.get(NatsHealthIndicator);
    const streams = app.get(StreamsHealthIndicator);
    expect((await streams.isHealthy('streams')).streams.status).toBe('up');

    await server.stop('SIGKILL');
    await waitFor(
      () => nats.isHealthy('nats'),
      (r) => r.nats.status === 'down',
      { timeoutMs: 5_000, what: 'nats indicator down' },
    );
    const after = await streams.isHealthy('streams');

    expect(after.streams).toMatchObject({
      status: 'down',
      reason: expect.stringMatching(/^NATS is not connected \((disconnected|reconnecting)\)$/),
    });
  });

  it('answers within health.timeoutMs when the server is frozen: down, the server has not answered, not held for operationTimeoutMs', async () => {
    server = await startNatsServer();
    const name = uniqueName('frozen');
    // operationTimeoutMs longer than the test's own timeout: only the bound can make the check settle.
    app = await startHealthTestApp(
      options({
        streams: [{ name, subjects: [`${name}.>`] }],
        monitorIntervalMs: 200,
        operationTimeoutMs: 120_000,
        health: { timeoutMs: 300 },
      }),
    );
    const streams = app.get(StreamsHealthIndicator);
    expect((await streams.isHealthy('streams')).streams.status).toBe('up');

    process.kill(server.pid, 'SIGSTOP');
    try {
      const frozen = await waitFor(
        () => streams.isHealthy('streams'),
        (r) => r.streams.status === 'down',
        { timeoutMs: 20_000, everyMs: 100, what: 'streams indicator down' },
      );
      expect(frozen.streams.reason).toMatch(
        /^the server has not answered the stream list within health\.timeoutMs \(300 ms\); the latest list is from /,
      );
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
    await waitFor(
      () => streams.isHealthy('streams'),
      (r) => r.streams.status === 'up',
      { timeoutMs: 20_000, what: 'streams indicator up again' },
    );
  });

  it('is 503 naming a declared stream that was deleted behind the app', async () => {
    server = await startNatsServer();
    const [kept, deleted] = [uniqueName('kept'), uniqueName('deleted')];
    app = await startHealthTestApp(
      options({
        streams: [
          { name: kept, subjects: [`${kept}.>`] },
          { name: deleted, subjects: [`${deleted}.>`] },
        ],
      }),
    );
    expect((await getHealth(app)).status).toBe(200);
    raw = await connect({ servers: server.url });

    await (await raw.jetstreamManager()).streams.delete(deleted);
    const { body } = await waitFor(
      () => getHealth(app!),
      (h) => h.status === 503,
      { timeoutMs: 5_000 },
    );

    expect(body.details.nats.status).toBe('up');
    expect(body.error?.streams).toMatchObject({ status: 'down', failing: [deleted] });
    expect(String(body.error?.streams.reason)).toContain(deleted);
    expect(streamDetail(body, deleted)).toMatchObject({ status: 'down', problems: ['stream not found'] });
    expect(streamDetail(body, kept).status).toBe('up');
  });

  it('is 503 naming the drifted field when a declared stream is changed behind the app', async () => {
    server = await startNatsServer();
    const name = uniqueName('drift');
    app = await startHealthTestApp(options({ streams: [{ name, subjects: [`${name}.>`], max_msgs: 100 }] }));
    expect((await getHealth(app)).status).toBe(200);
    raw = await connect({ servers: server.url });
    const jsm = await raw.jetstreamManager();

    const { config } = await jsm.streams.info(name);
    await jsm.streams.update(name, { ...config, max_msgs: 5_000 });
    const { body } = await waitFor(
      () => getHealth(app!),
      (h) => h.status === 503,
      { timeoutMs: 5_000 },
    );

    expect(body.error?.streams).toMatchObject({ failing: [name] });
    const detail = streamDetail(body, name);
    expect(detail.status).toBe('down');
    expect(detail.drift).toEqual([{ field: 'max_msgs', current: 5_000, desired: 100 }]);
    expect(detail.problems.join('; ')).toContain('max_msgs');
  });

  it("stays 200 with the drift as a warning when health.drift is 'warn' (compact details still name the stream)", async () => {
    server = await startNatsServer();
    const name = uniqueName('driftwarn');
    app = await startHealthTestApp({
      connection: { servers: server.url },
      monitorIntervalMs: 500,
      health: { drift: 'warn' },
      streams: [{ name, subjects: [`${name}.>`], max_msgs: 100 }],
    });
    raw = await connect({ servers: server.url });
    const jsm = await raw.jetstreamManager();

    const { config } = await jsm.streams.info(name);
    await jsm.streams.update(name, { ...config, max_msgs: 5_000 });
    const { status, body } = await waitFor(
      () => getHealth(app!),
      (h) => streamDetail(h.body, name)?.drift !== undefined,
      { timeoutMs: 5_000 },
    );

    expect(status).toBe(200);
    const detail = streamDetail(body, name) as StreamDetail & { warnings?: string[]; reason?: string };
    expect(detail).toMatchObject({ status: 'up', reason: 'drifted', drift: [{ field: 'max_msgs', current: 5_000, desired: 100 }] });
    expect(detail.warnings?.join('; ')).toContain('max_msgs');
  });

  it('reports a stream over the usage threshold with its usage, in /health and in healthCheck(name)', async () => {
    server = await startNatsServer();
    const name = uniqueName('full');
    app = await startHealthTestApp(
      options({
        streams: [{ name, subjects: [`${name}.>`], max_msgs: 10, discard: DiscardPolicy.New }],
        health: { usageThreshold: 0.8 },
      }),
    );
    raw = await connect({ servers: server.url });
    const js = raw.jetstream();

    for (let i = 0; i < 7; i++) await js.publish(`${name}.x`, new TextEncoder().encode(String(i)));
    const below = await waitFor(
      () => getHealth(app!),
      (h) => streamDetail(h.body, name)?.messages === 7,
      { timeoutMs: 5_000 },
    );
    expect(below.status).toBe(200);
    expect(streamDetail(below.body, name).usage.messages).toBeCloseTo(0.7);

    for (let i = 7; i < 10; i++) await js.publish(`${name}.x`, new TextEncoder().encode(String(i)));
    const over = await waitFor(
      () => getHealth(app!),
      (h) => h.status === 503,
      { timeoutMs: 5_000 },
    );

    const detail = streamDetail(over.body, name);
    expect(over.body.error?.streams).toMatchObject({ failing: [name] });
    expect(detail).toMatchObject({ status: 'down', messages: 10, usage: { messages: 1 } });
    expect(detail.problems.join('; ')).toMatch(/messages at 100% of the limit \(threshold 80%\)/);
    const record = await app.get(StreamMonitor).healthCheck(name);
    expect(record).toMatchObject({ name, healthy: false, status: 'down', messages: 10, usage: { messages: 1 } });
  });

  it('healthCheck(name) returns the structured record, and healthy false with error for a missing stream', async () => {
    server = await startNatsServer();
    const name = uniqueName('record');
    app = await startHealthTestApp(options({ streams: [{ name, subjects: [`${name}.>`], max_msgs: 100, max_bytes: 1_000_000 }] }));
    raw = await connect({ servers: server.url });
    const js = raw.jetstream();
    for (let i = 0; i < 4; i++) await js.publish(`${name}.a`, new TextEncoder().encode('x'.repeat(10)));
    await (await raw.jetstreamManager()).consumers.add(name, { durable_name: 'c1' });
    const service = app.get(StreamMonitor);

    const record = await service.healthCheck(name);
    const missing = await service.healthCheck(uniqueName('nope'));

    expect(record).toMatchObject({
      name,
      healthy: true,
      status: 'up',
      problems: [],
      subjects: [`${name}.>`],
      messages: 4,
      first_seq: 1,
      last_seq: 4,
      consumer_count: 1,
      drift: [],
    });
    expect(record.bytes).toBeGreaterThan(40);
    expect(record.usage.messages).toBeCloseTo(0.04);
    expect(record.usage.bytes).toBeCloseTo(record.bytes / 1_000_000);
    expect(record.error).toBeUndefined();
    expect(missing).toMatchObject({ healthy: false, status: 'down', error: 'stream not found', messages: 0 });
  });

  it('500 requests at concurrency 50 cost the server at most a handful of stream lists', async () => {
    server = await startNatsServer();
    const names = [uniqueName('a'), uniqueName('b'), uniqueName('c')];
    const intervalMs = 5_000;
    app = await startHealthTestApp(
      options({ monitorIntervalMs: intervalMs, streams: names.map((name) => ({ name, subjects: [`${name}.>`] })) }),
    );
    const spy = await JsApiSpy.start(server.url);
    try {
      const statuses: number[] = [];
      const started = Date.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          while (next < 500) {
            next++;
            statuses.push((await request(app!.getHttpServer()).get('/health')).status);
          }
        }),
      );
      const elapsed = Date.now() - started;
      await spy.settle();

      expect(statuses).toHaveLength(500);
      expect(statuses.every((s) => s === 200)).toBe(true);
      // One list per started monitor interval at most (plus the first read).
      expect(spy.lists).toBeGreaterThanOrEqual(1);
      expect(spy.lists).toBeLessThanOrEqual(1 + Math.ceil(elapsed / intervalMs));
      expect(spy.subjects.filter((s) => s.startsWith('$JS.API.STREAM.INFO'))).toEqual([]);
    } finally {
      await spy.close();
    }
  });

  it('is 503 while the app shuts down (after onModuleDestroy), and the indicators say why', async () => {
    server = await startNatsServer();
    const name = uniqueName('bye');
    const ref: { app?: INestApplication } = {};
    const seen: { http?: { status: number; body: HealthBody }; nats?: unknown; streams?: unknown } = {};

    @Injectable()
    class ShutdownProbe implements BeforeApplicationShutdown {
      constructor(
        private readonly nats: NatsHealthIndicator,
        private readonly streams: StreamsHealthIndicator,
      ) {}

      // Runs after every onModuleDestroy, while the HTTP server still accepts requests.
      async beforeApplicationShutdown(): Promise<void> {
        seen.http = await getHealth(ref.app!);
        seen.nats = await this.nats.isHealthy('nats');
        seen.streams = await this.streams.isHealthy('streams');
      }
    }

    const target = await startHealthTestApp(options({ streams: [{ name, subjects: [`${name}.>`] }] }), [ShutdownProbe]);
    ref.app = app = target;
    expect((await getHealth(target)).status).toBe(200);

    await target.close();
    app = undefined; // closed here; a second close would run the hooks again

    expect(seen.http?.status).toBe(503);
    expect(seen.http?.body.error?.nats).toMatchObject({ status: 'down', reason: 'shutting down' });
    expect(seen.http?.body.error?.streams).toMatchObject({ status: 'down', reason: 'shutting down' });
    expect(seen.nats).toEqual({ nats: expect.objectContaining({ status: 'down', reason: 'shutting down' }) });
    expect(seen.streams).toEqual({ streams: expect.objectContaining({ status: 'down', reason: 'shutting down' }) });
  });
});
