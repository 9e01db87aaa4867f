import {
  ConnectionService,
  ConsumerConfigConflictError,
  ConsumerDriftError,
  InvalidStreamConfigError,
  StreamBatchError,
  StreamMonitor,
  StreamService,
  type ConsumerDeclaration,
  type StreamsModuleOptions,
} from '@app/streams';
import { StreamsHealthIndicator } from '@app/streams/health';
import { AckPolicy, StringCodec, type ConsumerConfig } from 'nats';
import { writesAmong } from './support/js-api-spy.js';
import { uniqueName, useStreamsFixture } from './support/streams-fixture.js';
import { startStreamsApp } from './support/streams-app.js';
import { waitFor } from './support/wait.js';

const sc = StringCodec();
const SECOND = 1e9;
describe('consumers declared with their stream, against a real nats-server', () => {
  const fx = useStreamsFixture({ cacheTtlMs: 0 });

  async function publish(subject: string, count: number): Promise<void> {
    const js = fx.raw.jetstream();
    for (let i = 0; i < count; i++) await js.publish(subject, sc.encode(`${subject}#${i}`));
  }

  const info = (stream: string, consumer: string) => fx.jsm.consumers.info(stream, consumer);

  it('creates a pull and a push consumer with filters, then finds both unchanged without writing anything', async () => {
    const name = uniqueName('ORD');
    const consumers: ConsumerDeclaration[] = [
      { durable_name: 'billing', max_deliver: 5, ack_wait: '30s', filter_subject: `${name}.created` },
      { durable_name: 'audit', deliver_subject: `deliver.${name}`, ack_policy: 'none', filter_subject: `${name}.*` },
    ];

    const first = await fx.streams.ensureStream(name, [`${name}.*`], { consumers });
    const again = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.*`], { consumers }));
    const batch = await fx.spy.during(fx.nc, () => fx.streams.ensureStreams([{ name, subjects: [`${name}.*`], consumers }]));

    expect(first.consumers).toEqual([
      { name: 'billing', action: 'created', changes: [] },
      { name: 'audit', action: 'created', changes: [] },
    ]);
    expect(again.result?.consumers).toEqual([
      { name: 'billing', action: 'unchanged', changes: [] },
      { name: 'audit', action: 'unchanged', changes: [] },
    ]);
    expect(writesAmong(again.requests)).toEqual([]);
    expect(again.requests.sort()).toEqual([`CONSUMER.INFO.${name}.audit`, `CONSUMER.INFO.${name}.billing`, `STREAM.INFO.${name}`]);
    expect(writesAmong(batch.requests)).toEqual([]);
    expect(batch.result?.[0].consumers?.map((c) => c.action)).toEqual(['unchanged', 'unchanged']);
    const billing = await info(name, 'billing');
    expect(billing.config).toMatchObject({
      ack_policy: AckPolicy.Explicit,
      max_deliver: 5,
      ack_wait: 30 * SECOND,
      filter_subject: `${name}.created`,
    });
    expect(billing.config.deliver_subject).toBeUndefined();
    expect((await info(name, 'audit')).config).toMatchObject({ deliver_subject: `deliver.${name}`, ack_policy: AckPolicy.None });
  });

  it('answers a warm ensureStream from the cache with no request at all', async () => {
    const name = uniqueName('WARM');
    const cached = await startStreamsApp({ connection: { servers: fx.server.url } }, { logger: false });
    fx.apps.push(cached);
    const service = cached.get(StreamService);
    const connection = cached.get(ConnectionService).getConnection();
    const consumers: ConsumerDeclaration[] = [{ durable_name: 'worker', max_ack_pending: 10 }];

    await service.ensureStream(name, [`${name}.>`], { consumers });
    const warm = await fx.spy.during(connection, () => service.ensureStream(name, [`${name}.>`], { consumers }));

    expect(warm.result?.consumers).toEqual([{ name: 'worker', action: 'unchanged', changes: [] }]);
    expect(warm.requests).toEqual([]);
  });

  it('finds a declared consumer changed elsewhere unchanged within cacheTtlMs (no advisory tells), and puts it back after', async () => {
    const name = uniqueName('STALE');
    const cached = await startStreamsApp({ connection: { servers: fx.server.url }, cacheTtlMs: 3_000 }, { logger: false });
    fx.apps.push(cached);
    const service = cached.get(StreamService);
    const consumers: ConsumerDeclaration[] = [{ durable_name: 'worker', max_deliver: 4 }];
    await service.ensureStream(name, [`${name}.>`], { consumers });
    await fx.jsm.consumers.update(name, 'worker', { max_deliver: 9 });

    const warm = await fx.spy.during(cached.get(ConnectionService).getConnection(), () =>
      service.ensureStream(name, [`${name}.>`], { consumers }),
    );
    const later = await waitFor(
      () => service.ensureStream(name, [`${name}.>`], { consumers }),
      (result) => result.consumers?.[0].action !== 'unchanged',
      { what: 'the consumer read again once the cache expired' },
    );

    expect(warm.result?.consumers).toEqual([{ name: 'worker', action: 'unchanged', changes: [] }]);
    expect(warm.requests).toEqual([]);
    expect(later.consumers).toEqual([expect.objectContaining({ name: 'worker', action: 'updated' })]);
    expect((await info(name, 'worker')).config.max_deliver).toBe(4);
  });

  it('updates a consumer in place, keeping its position, and a fresh app finds it unchanged', async () => {
    const name = uniqueName('UPD');
    await fx.streams.ensureStream(name, [`${name}.>`], { consumers: [{ durable_name: 'worker' }] });
    await publish(`${name}.a`, 6);
    const before = await info(name, 'worker');

    const updated = await fx.spy.during(fx.nc, () =>
      fx.streams.ensureStream(name, [`${name}.>`], {
        consumers: [{ durable_name: 'worker', max_deliver: 3, ack_wait: '10s', description: 'the worker' }],
      }),
    );
    const after = await info(name, 'worker');
    const second = await startStreamsApp(
      {
        connection: { servers: fx.server.url },
        streams: [
          {
            name,
            subjects: [`${name}.>`],
            consumers: [{ durable_name: 'worker', max_deliver: 3, ack_wait: 10_000, description: 'the worker' }],
          },
        ],
      },
      { logger: false },
    );
    fx.apps.push(second);

    expect(updated.result?.consumers).toEqual([
      {
        name: 'worker',
        action: 'updated',
        changes: [
          { field: 'description', current: '', desired: 'the worker' },
          { field: 'ack_wait', current: 30 * SECOND, desired: 10 * SECOND },
          { field: 'max_deliver', current: -1, desired: 3 },
        ],
      },
    ]);
    expect(writesAmong(updated.requests)).toEqual([`CONSUMER.CREATE.${name}.worker`]);
    expect(after.config).toMatchObject({ max_deliver: 3, ack_wait: 10 * SECOND, description: 'the worker' });
    expect(after.created).toBe(before.created);
    expect(after.num_pending).toBe(6);
    const again = await fx.spy.during(fx.nc, () =>
      fx.streams.ensureStreams([
        {
          name,
          subjects: [`${name}.>`],
          consumers: [{ durable_name: 'worker', max_deliver: 3, ack_wait: '10s', description: 'the worker' }],
        },
      ]),
    );
    expect(writesAmong(again.requests)).toEqual([]);
  });

  it('refuses a change the server cannot make in place, before writing the stream or any consumer', async () => {
    const name = uniqueName('CONF');
    await fx.streams.ensureStream(name, [`${name}.>`], {
      consumers: [{ durable_name: 'worker' }, { durable_name: 'pusher', deliver_subject: `d.${name}` }],
    });

    const ack = await fx.spy.during(fx.nc, () =>
      fx.streams.ensureStream(name, [`${name}.>`], {
        max_age: '2h',
        consumers: [
          { durable_name: 'worker', ack_policy: 'none' },
          { durable_name: 'pusher', deliver_subject: `d.${name}`, max_deliver: 2 },
        ],
      }),
    );
    const pushToPull = await fx.streams
      .ensureStream(name, [`${name}.>`], { consumers: [{ durable_name: 'pusher' }] })
      .catch((e: unknown) => e);
    const plan = await fx.streams.planStream(name, [`${name}.>`], { consumers: [{ durable_name: 'worker', deliver_policy: 'new' }] });

    expect(ack.error).toBeInstanceOf(ConsumerConfigConflictError);
    const error = ack.error as ConsumerConfigConflictError;
    expect(error).toMatchObject({
      stream: name,
      consumer: 'worker',
      conflicts: [expect.objectContaining({ field: 'ack_policy', current: 'explicit', desired: 'none' })],
    });
    expect(error.message).toMatch(/Consumer "worker" of stream ".*" cannot be updated in place: ack_policy "explicit" -> "none"/);
    expect(writesAmong(ack.requests)).toEqual([]);
    expect((await fx.jsm.streams.info(name)).config.max_age).toBe(3_600 * SECOND);
    expect((await info(name, 'pusher')).config.max_deliver).toBe(-1);
    expect(pushToPull).toBeInstanceOf(ConsumerConfigConflictError);
    // A pull consumer also has a max_waiting (512), which the server cannot add either.
    expect((pushToPull as ConsumerConfigConflictError).conflicts.map((c) => c.field)).toEqual(['max_waiting', 'deliver_subject']);
    expect(plan).toMatchObject({ action: 'conflict', error: expect.any(ConsumerConfigConflictError) });
    expect(plan.consumers).toEqual([
      expect.objectContaining({ name: 'worker', action: 'conflict', conflicts: [expect.objectContaining({ field: 'deliver_policy' })] }),
    ]);
  });

  it('creates the declared consumers again after a recreate, which drops every consumer (their old config is no conflict then)', async () => {
    const name = uniqueName('RECREATE');
    await fx.streams.ensureStream(name, [`${name}.>`], { consumers: [{ durable_name: 'worker' }] });

    const result = await fx.streams.ensureStream(name, [`${name}.>`], {
      storage: 'memory',
      onConflict: 'recreate',
      allowDataLoss: true,
      consumers: [{ durable_name: 'worker', ack_policy: 'none' }],
    });

    expect(result).toMatchObject({ action: 'recreated', consumers: [{ name: 'worker', action: 'created', changes: [] }] });
    expect((await info(name, 'worker')).config.ack_policy).toBe(AckPolicy.None);
  });

  it('puts back a consumer changed elsewhere, and never reads nor writes consumers it was not told about', async () => {
    const name = uniqueName('BACK');
    const declaration = { name, subjects: [`${name}.>`], consumers: [{ durable_name: 'declared', max_deliver: 4 }] };
    await fx.streams.ensureStreams([declaration]);
    const other: Partial<ConsumerConfig> = {
      durable_name: 'other',
      ack_policy: AckPolicy.Explicit,
      max_deliver: 9,
      filter_subject: `${name}.x`,
    };
    await fx.jsm.consumers.add(name, other);
    await fx.jsm.consumers.update(name, 'declared', { max_deliver: 10, description: 'changed by hand' });
    const otherBefore = await info(name, 'other');

    const restored = await fx.spy.during(fx.nc, () => fx.streams.ensureStreams([declaration]));

    expect(restored.result?.[0].consumers).toEqual([
      {
        name: 'declared',
        action: 'updated',
        changes: [
          { field: 'description', current: 'changed by hand', desired: '' },
          { field: 'max_deliver', current: 10, desired: 4 },
        ],
      },
    ]);
    expect((await info(name, 'declared')).config).toMatchObject({ max_deliver: 4 });
    expect((await info(name, 'declared')).config.description).toBeUndefined();
    expect(restored.requests.filter((r) => r.includes('.other'))).toEqual([]);
    expect((await info(name, 'other')).config).toEqual(otherBefore.config);
  });

  it('refuses bad input with a typed error before any request', async () => {
    const name = uniqueName('BAD');
    const cases: Array<[ConsumerDeclaration[] | unknown, RegExp]> = [
      [[{ durable_name: 'a.b' }], /consumers\[0\]\.durable_name 'a\.b' contains '\.'/],
      [[{ durable_name: 'w', ack_wait: 'soon' }], /consumers\.w\.ack_wait 'soon' is not a duration/],
      [[{ durable_name: 'w', ackWait: '1s' }], /consumers\.w\.ackWait is not a consumer config field/],
      [
        [{ durable_name: 'w', filter_subject: 'elsewhere.x' }],
        /consumers\.w\.filter_subject 'elsewhere\.x' matches none of the stream's subjects/,
      ],
      [[{ durable_name: 'w', idle_heartbeat: '5s' }], /consumers\.w\.idle_heartbeat is for push consumers only/],
      [[{ durable_name: 'w', deliver_policy: 'by_start_sequence' }], /consumers\.w\.opt_start_seq is required/],
      [[{ durable_name: 'w', backoff: ['1s'], ack_wait: '5s', max_deliver: 3 }], /consumers\.w\.ack_wait cannot be combined with backoff/],
      [[{ durable_name: 'w' }, { durable_name: 'w' }], /consumers\.w is declared twice/],
      ['billing', /consumers must be a list of consumer declarations/],
    ];
    for (const [consumers, message] of cases) {
      const attempt = await fx.spy.during(fx.nc, () =>
        fx.streams.ensureStream(name, [`${name}.>`], { consumers: consumers as ConsumerDeclaration[] }),
      );
      expect(attempt.error).toBeInstanceOf(InvalidStreamConfigError);
      expect((attempt.error as Error).message).toMatch(message);
      expect(attempt.requests).toEqual([]);
    }
  });

  it('filters on several subjects on 2.10+, and refuses them on 2.9 (which would drop them) before any request', async () => {
    const name = uniqueName('FILT');
    const consumers: ConsumerDeclaration[] = [
      { durable_name: 'two', filter_subjects: [`${name}.a`, `${name}.b`], metadata: { team: 'billing' } },
    ];

    const attempt = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.*`], { consumers }));

    if (!fx.modern) {
      expect(attempt.error).toBeInstanceOf(InvalidStreamConfigError);
      expect((attempt.error as Error).message).toMatch(
        /consumers\.two\.filter_subjects needs nats-server 2\.10\.0 or newer; the server is 2\.9\.\d+/,
      );
      expect(attempt.requests).toEqual([]);
      return;
    }
    expect(attempt.result?.consumers).toEqual([{ name: 'two', action: 'created', changes: [] }]);
    await publish(`${name}.a`, 2);
    await publish(`${name}.b`, 3);
    await publish(`${name}.c`, 4);
    expect((await info(name, 'two')).num_pending).toBe(5);
    const again = await fx.spy.during(fx.nc, () =>
      fx.streams.ensureStream(name, [`${name}.*`], { consumers: [{ ...consumers[0], filter_subjects: [`${name}.b`, `${name}.a`] }] }),
    );
    expect(writesAmong(again.requests)).toEqual([]);
  });

  it('keeps a backoff consumer unchanged although the server sets its ack_wait', async () => {
    const name = uniqueName('BACKOFF');
    const consumers: ConsumerDeclaration[] = [{ durable_name: 'retry', backoff: ['1s', '5s', '30s'], max_deliver: 4 }];

    await fx.streams.ensureStream(name, [`${name}.>`], { consumers });
    const again = await fx.spy.during(fx.nc, () => fx.streams.ensureStreams([{ name, subjects: [`${name}.>`], consumers }]));

    expect((await info(name, 'retry')).config).toMatchObject({
      ack_wait: SECOND,
      backoff: [SECOND, 5 * SECOND, 30 * SECOND],
      max_deliver: 4,
    });
    expect(writesAmong(again.requests)).toEqual([]);
  });

  it("matches a consumer a migration moved to 'by_start_sequence' with its declared start", async () => {
    const name = uniqueName('MOVED');
    await fx.jsm.streams.add({ name, subjects: [`${name}.>`] });
    await publish(`${name}.a`, 5);
    // What a migration leaves on servers without CONSUMER.RESET (2.10+ keep the record in metadata; 2.9 drops it).
    await fx.jsm.consumers.add(name, {
      durable_name: 'moved',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: 'by_start_sequence' as ConsumerConfig['deliver_policy'],
      opt_start_seq: 4,
      ...(fx.modern
        ? { metadata: { 'nestjs-jetstream-streams.migrated': JSON.stringify({ deliver_policy: 'all', start_seq: 4 }), team: 'x' } }
        : {}),
    });

    const result = await fx.spy.during(fx.nc, () =>
      fx.streams.ensureStream(name, [`${name}.>`], {
        max_age: 0,
        max_msgs: -1,
        max_msgs_per_subject: -1,
        consumers: [{ durable_name: 'moved', ...(fx.modern ? { metadata: { team: 'y' } } : { max_deliver: 7 }) }],
      }),
    );

    expect(result.error).toBeUndefined();
    expect(result.result?.consumers).toEqual([
      expect.objectContaining({
        name: 'moved',
        action: 'updated',
        changes: [
          fx.modern
            ? { field: 'metadata', current: { team: 'x' }, desired: { team: 'y' } }
            : { field: 'max_deliver', current: -1, desired: 7 },
        ],
      }),
    ]);
    const after = (await info(name, 'moved')).config;
    expect(after).toMatchObject({ deliver_policy: 'by_start_sequence', opt_start_seq: 4 });
    if (fx.modern) expect(after.metadata).toMatchObject({ team: 'y', 'nestjs-jetstream-streams.migrated': expect.any(String) });
  });

  it("modes: 'verify' never creates nor changes a consumer; 'create' creates missing ones and reports drifted ones", async () => {
    const name = uniqueName('MODE');
    await fx.streams.ensureStream(name, [`${name}.>`], { consumers: [{ durable_name: 'kept', max_deliver: 2 }] });

    const missing = await fx.spy.during(fx.nc, () =>
      fx.streams.ensureStream(name, [`${name}.>`], {
        mode: 'verify',
        consumers: [{ durable_name: 'kept', max_deliver: 2 }, { durable_name: 'absent' }],
      }),
    );
    const drifted = await fx.spy.during(fx.nc, () =>
      fx.streams.ensureStream(name, [`${name}.>`], { mode: 'verify', consumers: [{ durable_name: 'kept', max_deliver: 3 }] }),
    );
    const created = await fx.spy.during(fx.nc, () =>
      fx.streams.ensureStream(name, [`${name}.>`], {
        mode: 'create',
        consumers: [{ durable_name: 'kept', max_deliver: 3 }, { durable_name: 'fresh' }],
      }),
    );

    expect(missing.error).toBeInstanceOf(ConsumerDriftError);
    expect(missing.error).toMatchObject({ consumer: 'absent', missing: true });
    expect(writesAmong(missing.requests)).toEqual([]);
    expect(drifted.error).toBeInstanceOf(ConsumerDriftError);
    expect(drifted.error).toMatchObject({ consumer: 'kept', changes: [{ field: 'max_deliver', current: 2, desired: 3 }] });
    expect(writesAmong(drifted.requests)).toEqual([]);
    expect(created.result?.consumers).toEqual([
      { name: 'kept', action: 'drifted', changes: [{ field: 'max_deliver', current: 2, desired: 3 }] },
      { name: 'fresh', action: 'created', changes: [] },
    ]);
    expect(writesAmong(created.requests)).toEqual([`CONSUMER.CREATE.${name}.fresh`]);
  });

  it('declares consumers in forRoot (created at start-up) and in a batch, where a failing consumer fails only its stream', async () => {
    const name = uniqueName('ROOT');
    const options: StreamsModuleOptions = {
      connection: { servers: fx.server.url },
      streams: [{ name, subjects: [`${name}.>`], consumers: [{ durable_name: 'boot' }] }],
    };
    fx.apps.push(await startStreamsApp(options, { logger: false }));
    const other = uniqueName('OTHER');

    const batch = await fx.streams
      .ensureStreams([
        { name, subjects: [`${name}.>`], consumers: [{ durable_name: 'boot', ack_policy: 'all' }] },
        { name: other, subjects: [`${other}.>`], consumers: [{ durable_name: 'ok' }] },
      ])
      .catch((e: unknown) => e);

    expect((await info(name, 'boot')).config.ack_policy).toBe(AckPolicy.Explicit);
    expect(batch).toBeInstanceOf(StreamBatchError);
    const results = (batch as StreamBatchError).results;
    expect(results[0]).toMatchObject({ name, action: 'failed', error: expect.any(ConsumerConfigConflictError) });
    expect(results[1]).toMatchObject({ name: other, action: 'created', consumers: [{ name: 'ok', action: 'created', changes: [] }] });
  });

  it("reports each declared consumer's lag, pending acks and redeliveries in the snapshot and on the indicator", async () => {
    const name = uniqueName('LAG');
    const health = await startStreamsApp(
      {
        connection: { servers: fx.server.url },
        monitorIntervalMs: 200,
        health: { consumerLag: 5 },
        streams: [{ name, subjects: [`${name}.>`], consumers: [{ durable_name: 'slow' }, { durable_name: 'gone' }] }],
      },
      { logger: false },
    );
    fx.apps.push(health);
    const monitor = health.get(StreamMonitor);
    const indicator = health.get(StreamsHealthIndicator);
    await fx.jsm.consumers.delete(name, 'gone');
    await publish(`${name}.a`, 7);

    const spied = await fx.spy.during(health.get(ConnectionService).getConnection(), () => monitor.read(0));
    const snapshot = await waitFor(
      () => monitor.read(0),
      (s) => s.streams[name]?.consumers?.slow?.pending === 7,
      { what: 'lag of 7' },
    );
    const check = await indicator.isHealthy('streams');

    expect(spied.requests.filter((r) => r.startsWith('CONSUMER.'))).toEqual([`CONSUMER.LIST.${name}`]);
    const record = snapshot.streams[name];
    expect(record.consumers?.slow).toEqual({
      name: 'slow',
      healthy: false,
      exists: true,
      reason: 'lag',
      problems: ['7 messages not yet delivered (threshold 5)'],
      pending: 7,
      ackPending: 0,
      redelivered: 0,
    });
    expect(record.consumers?.gone).toMatchObject({ healthy: false, exists: false, reason: 'not-found' });
    expect(record).toMatchObject({ healthy: false, status: 'down', reason: 'consumer-lag' });
    expect(record.problems).toEqual(['consumer "slow": 7 messages not yet delivered (threshold 5)', 'consumer "gone": consumer not found']);
    expect(check.streams.status).toBe('down');
    expect(check.streams).toMatchObject({
      failing: [name],
      streams: { [name]: { reason: 'consumer-lag', consumers: { slow: { pending: 7 } } } },
    });
  });
});
