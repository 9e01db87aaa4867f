import type { INestApplicationContext } from '@nestjs/common';
import { ConnectionService, StreamService, type StreamOptionsInput } from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { AckPolicy, StringCodec, type JetStreamManager, type NatsConnection } from 'nats';
import { AUDIT, seedConsumers, seedStream, WORKER } from './fixtures/migration/migration-data.js';
import { hasConsumerReset } from './support/consumer-reset.js';
import { startStreamsApp } from './support/streams-app.js';
import { waitFor } from './support/wait.js';
import { uniqueName } from './support/streams-fixture.js';

const sc = StringCodec();

/** What the stream is migrated to: its config with memory storage. */
const MIGRATE: StreamOptionsInput = { storage: 'memory', max_msgs: -1, max_msgs_per_subject: -1, max_age: 0, onConflict: 'migrate' };

/**
 * Issue #10 item 6 and #16 item 4: `onConflict: 'migrate'` keeps every durable consumer (declared
 * or not), each positioned so that it delivers exactly what it had not acknowledged, in order.
 */
describe('migration keeps durable consumers', () => {
  let server: NatsTestServer;
  let app: INestApplicationContext;
  let streams: StreamService;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let hasReset: boolean;

  beforeAll(async () => {
    server = await startNatsServer();
    app = await startStreamsApp({ connection: { servers: server.url } }, { logger: false });
    streams = app.get(StreamService);
    nc = app.get(ConnectionService).getConnection();
    jsm = await nc.jetstreamManager();
    // 2.9 and 2.10 have no CONSUMER.RESET: consumers are then recreated as by_start_sequence.
    hasReset = await hasConsumerReset(nc, jsm);
  });

  afterAll(async () => {
    await app?.close();
    await server?.dispose();
  });

  /** Pulls from `worker` until it has nothing more; returns the payloads. */
  async function drainWorker(name: string): Promise<string[]> {
    const worker = await nc.jetstream().consumers.get(name, WORKER);
    const got: string[] = [];
    for (;;) {
      const m = await worker.next({ expires: 1_000 });
      if (!m) return got;
      got.push(m.string());
      m.ack();
    }
  }

  /** Receives from the push consumer `audit` until it has delivered `count` messages and has nothing more pending. */
  async function receiveAudit(name: string, count: number): Promise<string[]> {
    const info = await jsm.consumers.info(name, AUDIT);
    const sub = nc.subscribe(info.config.deliver_subject as string);
    const got: string[] = [];
    void (async () => {
      for await (const m of sub) {
        got.push(sc.decode(m.data));
        m.respond(sc.encode('+ACK'));
      }
    })();
    await waitFor(
      async () => got.length,
      (n) => n >= count,
      { what: `${count} messages from ${AUDIT}` },
    );
    await waitFor(
      () => jsm.consumers.info(name, AUDIT),
      (c) => c.num_pending === 0 && c.num_ack_pending === 0,
      { what: `${AUDIT} done` },
    );
    sub.unsubscribe();
    return got;
  }

  it('a pull consumer with 10 of 20 acknowledged and a filtered push consumer each deliver exactly what they had not acknowledged, in order', async () => {
    const name = uniqueName('consumers');
    await seedStream(nc, jsm, name, 20);
    // worker: fetched 20, acknowledged ids 0..9; audit (on .b: ids 1, 3, .., 19): received 1..15, acknowledged 1, 3, 5, 7.
    await seedConsumers(nc, jsm, name);
    const ephemeral = await jsm.consumers.add(name, { ack_policy: AckPolicy.Explicit, inactive_threshold: 60_000_000_000 });
    const before = await jsm.consumers.info(name, WORKER);

    const plan = await streams.planStream(name, [`${name}.>`], MIGRATE);
    const result = await streams.ensureStream(name, [`${name}.>`], MIGRATE);

    expect(plan).toMatchObject({
      action: 'migrate',
      keptConsumers: expect.arrayContaining([WORKER, AUDIT]),
      droppedConsumers: [ephemeral.name],
    });
    expect(plan.notes?.join(' ')).toContain(`ephemeral consumers cannot survive a migration and are dropped: ${ephemeral.name}`);
    expect(result.action).toBe('migrated');
    expect([...(result.keptConsumers ?? [])].sort()).toEqual([AUDIT, WORKER]);
    expect(result.droppedConsumers).toEqual([ephemeral.name]);
    expect((await jsm.consumers.list(name).next()).map((c) => c.name).sort()).toEqual([AUDIT, WORKER]);

    expect(await drainWorker(name)).toEqual(['10', '11', '12', '13', '14', '15', '16', '17', '18', '19']);
    expect(await receiveAudit(name, 6)).toEqual(['9', '11', '13', '15', '17', '19']);

    const after = await jsm.consumers.info(name, WORKER);
    if (hasReset) {
      // Moved with CONSUMER.RESET: the config is the one it had.
      expect(after.config).toEqual(before.config);
    } else {
      // 2.9 and 2.10: recreated to start at the first message it had not acknowledged (2.10 keeps the start it had in metadata, 2.9 keeps no metadata).
      const { metadata: _metadata, ...rest } = before.config;
      expect(after.config).toMatchObject({ ...rest, deliver_policy: 'by_start_sequence', opt_start_seq: 11 });
    }
    expect((await jsm.consumers.info(name, AUDIT)).config).toMatchObject({
      filter_subject: `${name}.b`,
      ack_policy: 'explicit',
      max_ack_pending: 8,
    });
  });

  it('positions a consumer that had acknowledged everything after the last message, and one that had acknowledged nothing at the first', async () => {
    const name = uniqueName('edges');
    await seedStream(nc, jsm, name, 5);
    await jsm.consumers.add(name, { durable_name: 'none', ack_policy: AckPolicy.Explicit });
    await jsm.consumers.add(name, { durable_name: 'all', ack_policy: AckPolicy.Explicit });
    const all = await nc.jetstream().consumers.get(name, 'all');
    for (let i = 0; i < 5; i++) await (await all.next({ expires: 2_000 }))?.ackAck();

    await streams.ensureStream(name, [`${name}.>`], MIGRATE);
    await nc.jetstream().publish(`${name}.a`, sc.encode('new'));

    const next = async (durable: string) => (await (await nc.jetstream().consumers.get(name, durable)).next({ expires: 2_000 }))?.string();
    expect(await next('none')).toBe('0');
    expect(await next('all')).toBe('new');
  });

  it('keeps a consumer declared with deliver_policy new at its position', async () => {
    const name = uniqueName('newpolicy');
    await seedStream(nc, jsm, name, 5);
    await jsm.consumers.add(name, { durable_name: 'late', ack_policy: AckPolicy.Explicit, deliver_policy: 'new' as never });
    await nc.jetstream().publish(`${name}.a`, sc.encode('after-create'));

    await streams.ensureStream(name, [`${name}.>`], MIGRATE);

    const late = await jsm.consumers.info(name, 'late');
    expect(late.num_pending).toBe(1);
    // CONSUMER.RESET refuses `new`: like on 2.9 it is recreated as by_start_sequence, its declared start in metadata.
    expect(late.config.deliver_policy).toBe('by_start_sequence');
    if (!(nc.info?.version ?? '').startsWith('2.9.'))
      expect(JSON.parse(late.config.metadata?.['nestjs-jetstream-streams.migrated'] ?? '{}')).toMatchObject({ deliver_policy: 'new' });
    expect((await (await nc.jetstream().consumers.get(name, 'late')).next({ expires: 2_000 }))?.string()).toBe('after-create');
  });
});
