import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { metrics, type Attributes } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type Histogram } from '@opentelemetry/sdk-metrics';
import { Test } from '@nestjs/testing';
import { AckPolicy, connect, type NatsConnection } from 'nats';
import {
  StreamConfigConflictError,
  StreamMonitor,
  StreamNotFoundError,
  StreamService,
  StreamsModule,
  type StreamsModuleExtras,
  type StreamsModuleOptions,
} from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { AppModule } from '../src/app.module.js';
import { JsApiSpy } from './support/js-api-spy.js';
import { startStreamsApp, startTestApp } from './support/streams-app.js';
import { waitFor } from './support/wait.js';
import { uniqueName } from './support/streams-fixture.js';

/** A reader the test pulls from, as Prometheus pulls from its exporter. */
class PullReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** One collected data point: its attributes and value (a number, or a histogram's summary). */
interface Point {
  attributes: Attributes;
  value: number | Histogram;
}

/** Collects once and returns the points of every instrument by name. */
async function collect(reader: MetricReader): Promise<Map<string, Point[]>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const byName = new Map<string, Point[]>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric.dataPoints as Point[]);
  }
  return byName;
}

/** The value of the point of `name` whose attributes include `match`. */
function valueOf(all: Map<string, Point[]>, name: string, match: Attributes): number | undefined {
  const point = all.get(name)?.find((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v));
  return point === undefined ? undefined : (point.value as number);
}

describe('OpenTelemetry metrics against a real nats-server', () => {
  let server: NatsTestServer;
  let nc: NatsConnection;
  let app: INestApplication | undefined;
  let provider: MeterProvider | undefined;
  let spy: JsApiSpy | undefined;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
  });

  afterEach(async () => {
    await spy?.close();
    await app?.close();
    await provider?.shutdown();
    metrics.disable();
    spy = undefined;
    app = undefined;
    provider = undefined;
  });

  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
  });

  /** Registers an SDK with a pull reader, then starts the app (the order a user's main.ts has). */
  async function boot(options: Partial<StreamsModuleOptions> & StreamsModuleExtras = {}): Promise<PullReader> {
    const reader = new PullReader();
    provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    // Short timeouts: a read in flight when the server stops gives up sooner.
    const root = StreamsModule.forRoot({
      connection: { servers: server.url, reconnectTimeWait: 200 },
      monitorIntervalMs: 300,
      requestTimeoutMs: 1_000,
      operationTimeoutMs: 3_000,
      ...options,
    });
    app = await startTestApp([root], { logger: false });
    return reader;
  }

  it('reports each stream with the values jsm.streams.info gives', async () => {
    const orders = uniqueName('orders');
    const reader = await boot({
      name: 'eu',
      streams: [{ name: orders, subjects: [`${orders}.>`], max_msgs: 1_000, max_bytes: 1024 * 1024 }],
    });
    const js = nc.jetstream();
    for (let i = 0; i < 25; i++) await js.publish(`${orders}.created`, new Uint8Array(100 + i * 10));
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.add(orders, { durable_name: 'billing', ack_policy: AckPolicy.Explicit });
    const info = await jsm.streams.info(orders);
    const stream = { 'nats.connection.name': 'eu', 'nats.jetstream.stream.name': orders };

    const all = await waitFor(
      () => collect(reader),
      (m) => valueOf(m, 'nats.jetstream.stream.consumers', stream) === 1 && valueOf(m, 'nats.jetstream.stream.messages', stream) === 25,
      { what: 'the published messages and the consumer in the gauges' },
    );

    expect(valueOf(all, 'nats.jetstream.stream.messages', stream)).toBe(info.state.messages);
    expect(valueOf(all, 'nats.jetstream.stream.bytes', stream)).toBe(info.state.bytes);
    expect(valueOf(all, 'nats.jetstream.stream.consumers', stream)).toBe(info.state.consumer_count);
    expect(valueOf(all, 'nats.jetstream.stream.limit.usage', { ...stream, 'nats.jetstream.limit': 'messages' })).toBeCloseTo(
      info.state.messages / info.config.max_msgs,
      10,
    );
    expect(valueOf(all, 'nats.jetstream.stream.limit.usage', { ...stream, 'nats.jetstream.limit': 'bytes' })).toBeCloseTo(
      info.state.bytes / info.config.max_bytes,
      10,
    );
    expect(valueOf(all, 'nats.jetstream.stream.up', stream)).toBe(1);
    expect(
      valueOf(all, 'nats.jetstream.stream.status', {
        ...stream,
        'nats.jetstream.stream.state': 'up',
        'nats.jetstream.stream.reason': 'none',
      }),
    ).toBe(1);
    expect(valueOf(all, 'nats.connection.status', { 'nats.connection.name': 'eu', 'nats.connection.state': 'connected' })).toBe(1);
    // The client measures in whole milliseconds: a local round trip may read 0.
    expect(valueOf(all, 'nats.connection.rtt', { 'nats.connection.name': 'eu' })).toBeGreaterThanOrEqual(0);
    expect(valueOf(all, 'nats.connection.reconnects', { 'nats.connection.name': 'eu' })).toBe(0);
  });

  it('sends no JetStream request of its own: collections read the monitor snapshot, one list per interval', async () => {
    const quiet = uniqueName('quiet');
    const reader = await boot({ monitorIntervalMs: 60_000, streams: [{ name: quiet, subjects: [`${quiet}.>`] }] });
    spy = await JsApiSpy.start(server.url);
    const read = jest.spyOn(app!.get(StreamMonitor), 'read');

    await collect(reader);
    await collect(reader);
    await collect(reader);
    await spy.settle();

    expect(read).toHaveBeenCalledTimes(3);
    expect(spy.subjects).toEqual(['$JS.API.STREAM.LIST']);
  });

  it('counts reconciliations by outcome, start-up included', async () => {
    const orders = uniqueName('orders');
    const reader = await boot({ streams: [{ name: orders, subjects: [`${orders}.>`] }] });
    const streams = app!.get(StreamService);
    const count = async (outcome: string) =>
      valueOf(await collect(reader), 'nats.jetstream.stream.reconciliations', {
        'nats.jetstream.stream.name': orders,
        'nats.jetstream.reconciliation.outcome': outcome,
      });

    expect(await count('created')).toBe(1);

    await streams.ensureStream(orders, [`${orders}.>`], { max_msgs: 500 });
    await expect(streams.ensureStream(orders, [`${orders}.>`], { max_msgs: 500, storage: 'memory' })).rejects.toBeInstanceOf(
      StreamConfigConflictError,
    );
    await expect(streams.ensureStreams([{ name: orders, subjects: [`${orders}.>`], max_msgs: 500 }])).resolves.toHaveLength(1);

    expect(await count('created')).toBe(1);
    expect(await count('updated')).toBe(1);
    expect(await count('conflict')).toBe(1);
    expect(await count('unchanged')).toBe(1);
  });

  it('records JetStream API request durations in seconds, by request, operation and error', async () => {
    const reader = await boot();
    const streams = app!.get(StreamService);
    const created = uniqueName('created');

    await expect(streams.getStreamInfo(uniqueName('missing'))).rejects.toBeInstanceOf(StreamNotFoundError);
    await streams.ensureStream(created, [`${created}.>`]);

    const durations = (await collect(reader)).get('nats.jetstream.api.duration') ?? [];
    const find = (attrs: Attributes) =>
      durations.find((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v))?.value as Histogram | undefined;
    const notFound = find({
      'nats.jetstream.api.request': 'STREAM.INFO',
      'nats.jetstream.operation': 'getStreamInfo',
      'error.type': '10059',
    });
    const create = find({ 'nats.jetstream.api.request': 'STREAM.CREATE', 'nats.jetstream.operation': 'ensureStream' });
    expect(notFound?.count).toBe(1);
    expect(create?.count).toBe(1);
    expect(create!.sum).toBeGreaterThan(0);
    // Seconds, not milliseconds: a local request takes far less than 10 s.
    expect(create!.sum).toBeLessThan(10);
  });

  it('reports a deleted stream as 0, and during an outage streams down with their last counts and the reconnect', async () => {
    const kept = uniqueName('kept');
    const gone = uniqueName('gone');
    const reader = await boot({ streams: [{ name: kept, subjects: [`${kept}.>`] }] });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: gone, subjects: [`${gone}.>`] });
    await nc.jetstream().publish(`${kept}.a`, 'x');
    await nc.jetstream().publish(`${gone}.a`, 'x');
    const at = (stream: string) => ({ 'nats.jetstream.stream.name': stream });
    await waitFor(
      () => collect(reader),
      (m) => valueOf(m, 'nats.jetstream.stream.messages', at(gone)) === 1,
      { what: 'the second stream' },
    );

    await jsm.streams.delete(gone);
    const afterDelete = await waitFor(
      () => collect(reader),
      (m) => valueOf(m, 'nats.jetstream.stream.up', at(gone)) === 0,
      { what: 'the deleted stream at 0' },
    );
    expect(valueOf(afterDelete, 'nats.jetstream.stream.messages', at(gone))).toBe(0);
    expect(valueOf(afterDelete, 'nats.jetstream.stream.status', { ...at(gone), 'nats.jetstream.stream.state': 'up' })).toBe(0);

    await server.stop();
    const down = await waitFor(
      () => collect(reader),
      (m) => valueOf(m, 'nats.jetstream.stream.up', at(kept)) === 0,
      { what: 'the outage in the gauges' },
    );
    expect(valueOf(down, 'nats.jetstream.stream.status', { ...at(kept), 'nats.jetstream.stream.reason': 'unreadable' })).toBe(1);
    expect(valueOf(down, 'nats.jetstream.stream.messages', at(kept))).toBe(1);
    expect(valueOf(down, 'nats.connection.status', { 'nats.connection.state': 'connected' })).toBe(0);

    await server.restart();
    const back = await waitFor(
      () => collect(reader),
      (m) => valueOf(m, 'nats.jetstream.stream.up', at(kept)) === 1,
      { what: 'recovery in the gauges' },
    );
    expect(valueOf(back, 'nats.connection.reconnects', {})).toBe(1);
    expect(valueOf(back, 'nats.connection.status', { 'nats.connection.state': 'reconnected' })).toBe(1);
    expect(valueOf(back, 'nats.jetstream.stream.status', { ...at(kept), 'nats.jetstream.stream.reason': 'unreadable' })).toBe(0);
  });

  it('does nothing without an SDK: no callback, no read, no instrument even for an SDK registered later', async () => {
    const [plain, late] = [uniqueName('plain'), uniqueName('late')];
    app = await startStreamsApp(
      { connection: { servers: server.url }, streams: [{ name: plain, subjects: [`${plain}.>`] }] },
      { logger: false },
    );
    const read = jest.spyOn(app.get(StreamMonitor), 'read');
    const reader = new PullReader();
    provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);

    await app.get(StreamService).ensureStream(late, [`${late}.>`]);
    const all = await collect(reader);

    expect([...all.keys()].filter((name) => name.startsWith('nats.'))).toEqual([]);
    expect(read).not.toHaveBeenCalled();
  });
});

/** The demo app serves `/metrics` through the Prometheus exporter's request handler. */
describe('the demo app: GET /metrics (Prometheus)', () => {
  let server: NatsTestServer;
  let app: INestApplication;

  beforeAll(async () => {
    server = await startNatsServer();
    process.env.NATS_URL = server.url;
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await server?.dispose();
    delete process.env.NATS_URL;
  });

  it('has the stream gauges of the declared streams, the reconciliations and the API durations', async () => {
    const nc = await connect({ servers: server.url });
    await nc.jetstream().publish('orders.created', 'one');
    await nc.close();
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');

    const text = await waitFor(
      async () => (await fetch(`${base}/metrics`)).text(),
      (t) => /^nats_jetstream_stream_messages\{[^}]*nats_jetstream_stream_name="orders"[^}]*\} 1$/m.test(t),
      { what: 'the published message in /metrics' },
    );

    for (const stream of ['orders', 'payments', 'notifications']) {
      expect(text).toMatch(new RegExp(`^nats_jetstream_stream_up\\{[^}]*nats_jetstream_stream_name="${stream}"[^}]*\\} 1$`, 'm'));
      expect(text).toMatch(new RegExp(`^nats_jetstream_stream_bytes\\{[^}]*nats_jetstream_stream_name="${stream}"`, 'm'));
    }
    expect(text).toMatch(/^nats_jetstream_stream_reconciliations_total\{[^}]*nats_jetstream_reconciliation_outcome="created"[^}]*\} \d+$/m);
    expect(text).toMatch(/^nats_jetstream_api_duration_bucket\{[^}]*nats_jetstream_api_request="STREAM.LIST"/m);
    expect(text).toMatch(/^# UNIT nats_jetstream_api_duration s$/m);
    expect(text).toMatch(/^nats_connection_rtt\{nats_connection_name="default"[^}]*\} [\d.e-]+$/m);
  });
});
