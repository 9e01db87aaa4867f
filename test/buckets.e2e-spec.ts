import type { INestApplicationContext } from '@nestjs/common';
import { Module } from '@nestjs/common';
import {
  ConnectionService,
  InvalidStreamConfigError,
  StreamDataLossError,
  StreamMonitor,
  StreamService,
  StreamsHealthIndicator,
  StreamsModule,
} from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { connect, StringCodec, type JetStreamManager, type NatsConnection } from 'nats';
import { JsApiSpy } from './support/js-api-spy.js';
import { startStreamsApp } from './support/streams-app.js';

const sc = StringCodec();
const SECOND = 1e9;
let counter = 0;
const unique = (prefix: string): string => `${prefix}_${process.pid}_${++counter}`;
const writes = (requests: string[]): string[] => requests.filter((r) => /^STREAM\.(CREATE|UPDATE|DELETE|PURGE)\./.test(r));

describe('key-value buckets declared as streams, against a real nats-server', () => {
  let server: NatsTestServer;
  let app: INestApplicationContext;
  let streams: StreamService;
  let nc: NatsConnection;
  let raw: NatsConnection;
  let jsm: JetStreamManager;
  let spy: JsApiSpy;
  const apps: INestApplicationContext[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    // Module defaults that would change a bucket if they applied to it: they must not.
    app = await startStreamsApp({ connection: { servers: server.url }, cacheTtlMs: 0, streamDefaults: { max_msgs: 10, deny_delete: true, max_age: '5m' } }, { logger: false });
    streams = app.get(StreamService);
    nc = app.get(ConnectionService).getConnection();
    raw = await connect({ servers: server.url });
    jsm = await raw.jetstreamManager();
    spy = await JsApiSpy.start(server.url);
  });

  afterAll(async () => {
    for (const extra of apps) await extra.close();
    await spy?.close();
    await raw?.close();
    await app?.close();
    await server?.dispose();
  });

  it('creates a bucket the client binds to with a single read, and puts and gets through it', async () => {
    const bucket = unique('sessions');

    const created = await streams.ensureBucket(bucket, { history: 5, ttl: '1h', max_bytes: 1024 * 1024 });
    const bound = await spy.during(raw, () => raw.jetstream().views.kv(bucket));
    const kv = bound.result!;
    await kv.put('user.1', sc.encode('a'));
    await kv.put('user.1', sc.encode('b'));

    expect(created).toMatchObject({ name: `KV_${bucket}`, action: 'created', changes: [] });
    expect(created.info.config).toMatchObject({
      subjects: [`$KV.${bucket}.>`],
      retention: 'limits',
      max_msgs_per_subject: 5,
      max_msgs: -1,
      max_bytes: 1024 * 1024,
      max_age: 3_600 * SECOND,
      max_msg_size: -1,
      discard: 'new',
      allow_rollup_hdrs: true,
      allow_direct: true,
      deny_delete: false,
      duplicate_window: 120 * SECOND,
      storage: 'file',
      num_replicas: 1,
    });
    // The client's own $JS.API.INFO aside, it only reads the stream: it found it and made nothing.
    expect(bound.requests.filter((r) => r !== 'INFO')).toEqual([`STREAM.INFO.KV_${bucket}`]);
    expect(sc.decode((await kv.get('user.1'))!.value)).toBe('b');
    expect((await kv.status()).history).toBe(5);
  });

  it('reads a bucket the client made with the same settings as unchanged, writing nothing', async () => {
    const bucket = unique('clientmade');
    const plain = unique('plain');
    await raw.jetstream().views.kv(bucket, { history: 5, ttl: 3_600_000, max_bytes: 1_048_576 });
    await raw.jetstream().views.kv(plain);

    const same = await spy.during(nc, () => streams.ensureBucket(bucket, { history: 5, ttl: '1h', max_bytes: 1_048_576 }));
    const defaults = await spy.during(nc, () => streams.ensureBucket(plain));
    const plan = await streams.planBucket(bucket, { history: 5, ttl: 3_600_000, max_bytes: 1_048_576 });

    expect(same.result).toMatchObject({ name: `KV_${bucket}`, action: 'unchanged', changes: [] });
    expect(writes(same.requests)).toEqual([]);
    expect(defaults.result).toMatchObject({ action: 'unchanged', changes: [] });
    expect(writes(defaults.requests)).toEqual([]);
    expect(plan).toMatchObject({ action: 'unchanged', changes: [], conflicts: [] });
  });

  it('raises history in place, and refuses to lower it below what a key holds', async () => {
    const bucket = unique('history');
    await streams.ensureBucket(bucket, { history: 5 });
    const kv = await raw.jetstream().views.kv(bucket);
    for (let i = 0; i < 5; i++) await kv.put('k1', sc.encode(`v${i}`));
    await kv.put('k2', sc.encode('only'));

    const up = await streams.ensureBucket(bucket, { history: 10 });
    const down = await spy.during(nc, () => streams.ensureBucket(bucket, { history: 2 }));
    const plan = await streams.planBucket(bucket, { history: 2 });
    const bytes = await spy.during(nc, () => streams.ensureBucket(bucket, { history: 10, max_bytes: 100 }));

    expect(up).toMatchObject({ action: 'updated', changes: [{ field: 'max_msgs_per_subject', current: 5, desired: 10 }] });
    expect(down.error).toBeInstanceOf(StreamDataLossError);
    expect((down.error as StreamDataLossError).loss).toMatchObject({ messages: 3, fields: [expect.objectContaining({ field: 'max_msgs_per_subject', current: 10, desired: 2 })] });
    expect(writes(down.requests)).toEqual([]);
    expect(plan).toMatchObject({ action: 'data-loss', dataLoss: { messages: 3 } });
    expect(bytes.error).toBeInstanceOf(StreamDataLossError);
    expect(writes(bytes.requests)).toEqual([]);
    const info = await jsm.streams.info(`KV_${bucket}`);
    expect(info.state.messages).toBe(6);
    expect(info.config.max_msgs_per_subject).toBe(10);
    const history = await kv.history({ key: 'k1' });
    const values: string[] = [];
    for await (const entry of history) values.push(sc.decode(entry.value));
    expect(values).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
  });

  it('refuses bad bucket input before any request, naming the bucket field', async () => {
    const cases: Array<[string, object, RegExp]> = [
      ['bad.name', {}, /bucket must be a name of letters, digits, '-' and '_', got 'bad\.name'/],
      [unique('b'), { history: 65 }, /history must be a whole number from 1 to 64, got 65/],
      [unique('b'), { ttl: 'soon' }, /ttl 'soon' is not a duration/],
      [unique('b'), { replicas: 0 }, /replicas must be a whole number from 1 to 5/],
      [unique('b'), { max_age: '1h' }, /max_age is not a bucket config field/],
      [unique('b'), { compression: 's2' }, /compression must be true or false/],
    ];
    for (const [bucket, config, message] of cases) {
      const attempt = await spy.during(nc, () => streams.ensureBucket(bucket, config));
      expect(attempt.error).toBeInstanceOf(InvalidStreamConfigError);
      expect((attempt.error as Error).message).toMatch(message);
      expect(attempt.requests).toEqual([]);
    }
  });

  it('declares buckets in forRoot and forFeature: created at start-up, on /health and in the monitor like streams', async () => {
    const rootBucket = unique('root');
    const featureBucket = unique('feature');
    const stream = unique('ORDERS');
    @Module({ imports: [StreamsModule.forFeature({ streams: [{ name: stream, subjects: [`${stream}.>`] }], buckets: [{ bucket: featureBucket, history: 3 }] })] })
    class FeatureModule {}
    const booted = await startStreamsApp(
      { connection: { servers: server.url }, buckets: [{ bucket: rootBucket, ttl: '10m', storage: 'memory' }] },
      { logger: false, imports: [FeatureModule] },
    );
    apps.push(booted);

    const declared = booted.get(StreamService).declaredStreams();
    const snapshot = await booted.get(StreamMonitor).read(0);
    const health = await booted.get(StreamsHealthIndicator).isHealthy('streams', { details: 'full' });
    await jsm.streams.update(`KV_${rootBucket}`, { ...(await jsm.streams.info(`KV_${rootBucket}`)).config, max_msgs_per_subject: 4 });
    const drifted = await booted.get(StreamMonitor).healthCheck(`KV_${rootBucket}`);

    expect(declared).toEqual([`KV_${rootBucket}`, stream, `KV_${featureBucket}`]);
    expect((await jsm.streams.info(`KV_${rootBucket}`)).config).toMatchObject({ storage: 'memory', max_age: 600 * SECOND, duplicate_window: 120 * SECOND });
    expect((await jsm.streams.info(`KV_${featureBucket}`)).config.max_msgs_per_subject).toBe(3);
    expect(snapshot.streams[`KV_${rootBucket}`]).toMatchObject({ healthy: true, status: 'up', drift: [] });
    expect(health.streams).toMatchObject({ status: 'up', up: 3, streams: { [`KV_${featureBucket}`]: { status: 'up' } } });
    expect(drifted).toMatchObject({ healthy: false, reason: 'drifted', drift: [{ field: 'max_msgs_per_subject', current: 4, desired: 1 }] });
    const kv = await raw.jetstream().views.kv(featureBucket);
    await kv.put('x', sc.encode('1'));
    expect(sc.decode((await kv.get('x'))!.value)).toBe('1');
  });
});
