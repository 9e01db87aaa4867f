import { Module } from '@nestjs/common';
import { InvalidStreamConfigError, StreamDataLossError, StreamMonitor, StreamService, StreamsModule } from '@app/streams';
import { StreamsHealthIndicator } from '@app/streams/health';
import { StringCodec } from 'nats';
import { uniqueName, useStreamsFixture } from './support/streams-fixture.js';
import { startStreamsApp } from './support/streams-app.js';

const sc = StringCodec();
const SECOND = 1e9;
const writes = (requests: string[]): string[] => requests.filter((r) => /^STREAM\.(CREATE|UPDATE|DELETE|PURGE)\./.test(r));

describe('key-value buckets declared as streams, against a real nats-server', () => {
  // Module defaults that would change a bucket if they applied to it: they must not.
  const fx = useStreamsFixture({ cacheTtlMs: 0, streamDefaults: { max_msgs: 10, deny_delete: true, max_age: '5m' } });

  it('creates a bucket the client binds to with a single read, and puts and gets through it', async () => {
    const bucket = uniqueName('sessions');

    const created = await fx.streams.ensureBucket(bucket, { history: 5, ttl: '1h', max_bytes: 1024 * 1024 });
    const bound = await fx.spy.during(fx.raw, () => fx.raw.jetstream().views.kv(bucket));
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
    const bucket = uniqueName('clientmade');
    const plain = uniqueName('plain');
    await fx.raw.jetstream().views.kv(bucket, { history: 5, ttl: 3_600_000, max_bytes: 1_048_576 });
    await fx.raw.jetstream().views.kv(plain);

    const same = await fx.spy.during(fx.nc, () => fx.streams.ensureBucket(bucket, { history: 5, ttl: '1h', max_bytes: 1_048_576 }));
    const defaults = await fx.spy.during(fx.nc, () => fx.streams.ensureBucket(plain));
    const plan = await fx.streams.planBucket(bucket, { history: 5, ttl: 3_600_000, max_bytes: 1_048_576 });

    expect(same.result).toMatchObject({ name: `KV_${bucket}`, action: 'unchanged', changes: [] });
    expect(writes(same.requests)).toEqual([]);
    expect(defaults.result).toMatchObject({ action: 'unchanged', changes: [] });
    expect(writes(defaults.requests)).toEqual([]);
    expect(plan).toMatchObject({ action: 'unchanged', changes: [], conflicts: [] });
  });

  it('raises history in place, and refuses to lower it below what a key holds', async () => {
    const bucket = uniqueName('history');
    await fx.streams.ensureBucket(bucket, { history: 5 });
    const kv = await fx.raw.jetstream().views.kv(bucket);
    for (let i = 0; i < 5; i++) await kv.put('k1', sc.encode(`v${i}`));
    await kv.put('k2', sc.encode('only'));

    const up = await fx.streams.ensureBucket(bucket, { history: 10 });
    const down = await fx.spy.during(fx.nc, () => fx.streams.ensureBucket(bucket, { history: 2 }));
    const plan = await fx.streams.planBucket(bucket, { history: 2 });
    const bytes = await fx.spy.during(fx.nc, () => fx.streams.ensureBucket(bucket, { history: 10, max_bytes: 100 }));

    expect(up).toMatchObject({ action: 'updated', changes: [{ field: 'max_msgs_per_subject', current: 5, desired: 10 }] });
    expect(down.error).toBeInstanceOf(StreamDataLossError);
    expect((down.error as StreamDataLossError).loss).toMatchObject({
      messages: 3,
      fields: [expect.objectContaining({ field: 'max_msgs_per_subject', current: 10, desired: 2 })],
    });
    expect(writes(down.requests)).toEqual([]);
    expect(plan).toMatchObject({ action: 'data-loss', dataLoss: { messages: 3 } });
    expect(bytes.error).toBeInstanceOf(StreamDataLossError);
    expect(writes(bytes.requests)).toEqual([]);
    const info = await fx.jsm.streams.info(`KV_${bucket}`);
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
      [uniqueName('b'), { history: 65 }, /history must be a whole number from 1 to 64, got 65/],
      [uniqueName('b'), { ttl: 'soon' }, /ttl 'soon' is not a duration/],
      [uniqueName('b'), { replicas: 0 }, /replicas must be a whole number from 1 to 5/],
      [uniqueName('b'), { max_age: '1h' }, /max_age is not a bucket config field/],
      [uniqueName('b'), { compression: 's2' }, /compression must be true or false/],
    ];
    for (const [bucket, config, message] of cases) {
      const attempt = await fx.spy.during(fx.nc, () => fx.streams.ensureBucket(bucket, config));
      expect(attempt.error).toBeInstanceOf(InvalidStreamConfigError);
      expect((attempt.error as Error).message).toMatch(message);
      expect(attempt.requests).toEqual([]);
    }
  });

  it('declares buckets in forRoot and forFeature: created at start-up, on /health and in the monitor like streams', async () => {
    const rootBucket = uniqueName('root');
    const featureBucket = uniqueName('feature');
    const stream = uniqueName('ORDERS');
    @Module({
      imports: [
        StreamsModule.forFeature({
          streams: [{ name: stream, subjects: [`${stream}.>`] }],
          buckets: [{ bucket: featureBucket, history: 3 }],
        }),
      ],
    })
    class FeatureModule {}
    const booted = await startStreamsApp(
      { connection: { servers: fx.server.url }, buckets: [{ bucket: rootBucket, ttl: '10m', storage: 'memory' }] },
      { logger: false, imports: [FeatureModule] },
    );
    fx.apps.push(booted);

    const declared = booted.get(StreamService).declaredStreams();
    const snapshot = await booted.get(StreamMonitor).read(0);
    const health = await booted.get(StreamsHealthIndicator).isHealthy('streams', { details: 'full' });
    await fx.jsm.streams.update(`KV_${rootBucket}`, { ...(await fx.jsm.streams.info(`KV_${rootBucket}`)).config, max_msgs_per_subject: 4 });
    const drifted = await booted.get(StreamMonitor).healthCheck(`KV_${rootBucket}`);

    expect(declared).toEqual([`KV_${rootBucket}`, stream, `KV_${featureBucket}`]);
    expect((await fx.jsm.streams.info(`KV_${rootBucket}`)).config).toMatchObject({
      storage: 'memory',
      max_age: 600 * SECOND,
      duplicate_window: 120 * SECOND,
    });
    expect((await fx.jsm.streams.info(`KV_${featureBucket}`)).config.max_msgs_per_subject).toBe(3);
    expect(snapshot.streams[`KV_${rootBucket}`]).toMatchObject({ healthy: true, status: 'up', drift: [] });
    expect(health.streams).toMatchObject({ status: 'up', up: 3, streams: { [`KV_${featureBucket}`]: { status: 'up' } } });
    expect(drifted).toMatchObject({
      healthy: false,
      reason: 'drifted',
      drift: [{ field: 'max_msgs_per_subject', current: 4, desired: 1 }],
    });
    const kv = await fx.raw.jetstream().views.kv(featureBucket);
    await kv.put('x', sc.encode('1'));
    expect(sc.decode((await kv.get('x'))!.value)).toBe('1');
  });
});
