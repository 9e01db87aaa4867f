import type { INestApplicationContext } from '@nestjs/common';
import { StreamDataLossError, StreamMigrationError, StreamService, type StreamOptionsInput } from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { connect, headers } from 'nats';
import { idProblems, readPayloads, seedConsumers, seedStream, WORKER } from './fixtures/migration/migration-data.js';
import { startStreamsApp } from './support/streams-app.js';
import { uniqueName, useStreamsFixture } from './support/streams-fixture.js';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const MIGRATION_MS = 200_000;
const unlimitedMemory: StreamOptionsInput = {
  max_age: 0,
  max_msgs: -1,
  max_msgs_per_subject: -1,
  storage: 'memory',
  onConflict: 'migrate',
};

/**
 * A migration whose new stream cannot hold every message of the old one: the library refuses it
 * before writing, or finds it while filling and keeps the temporary copy; never does it delete the
 * copy of a message the new stream dropped.
 */
describe('migrations into a stream that would drop messages', () => {
  const fx = useStreamsFixture({ cacheTtlMs: 0 });
  const unlimited: StreamOptionsInput = { max_age: 0, max_msgs: -1, max_msgs_per_subject: -1, storage: 'memory', onConflict: 'migrate' };

  const messages = async (name: string): Promise<number | 'absent'> =>
    fx.jsm.streams.info(name).then(
      (i) => i.state.messages,
      () => 'absent' as const,
    );

  it('refuses a max_bytes that holds the messages but not the source header each copy gains, before writing anything', async () => {
    const name = uniqueName('BYTES');
    await fx.jsm.streams.add({ name, subjects: [`${name}.>`] });
    const js = fx.raw.jetstream();
    for (let i = 0; i < 100; i++) await js.publish(`${name}.a`, encode(`m${String(i).padStart(8, '0')}`));
    const { bytes } = (await fx.jsm.streams.info(name)).state;
    const declared = { ...unlimited, max_bytes: Math.ceil(bytes * 1.5) };

    const plan = await fx.streams.planStream(name, [`${name}.>`], declared);
    const { error, requests } = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], declared));

    expect(plan).toMatchObject({ action: 'data-loss', dataLoss: { fields: [{ field: 'max_bytes' }] } });
    expect(error).toBeInstanceOf(StreamDataLossError);
    expect((error as Error).message).toMatch(/once copied with a source header each/);
    expect(requests.filter((r) => /^STREAM\.(CREATE|UPDATE|DELETE)/.test(r))).toEqual([]);
    expect(await messages(name)).toBe(100);
    expect(await messages(`${name}__migrating`)).toBe('absent');
  });

  it('rolls back, before deleting the original, a max_bytes that the copies turn out not to fit (subjects longer than the declared ones)', async () => {
    const name = uniqueName('LONGSUBJ');
    await fx.jsm.streams.add({ name, subjects: [`${name}.>`] });
    const js = fx.raw.jetstream();
    const subject = `${name}.${'s'.repeat(100)}`;
    for (let i = 0; i < 50; i++) await js.publish(subject, encode(`m${i}`));
    const { bytes } = (await fx.jsm.streams.info(name)).state;
    // The plan's estimate takes the declared subject `<name>.>` for each message's own: about 100
    // bytes short per message. A limit 20 bytes per message above the estimate passes the plan.
    const estimate =
      bytes +
      50 * ('NATS/1.0\r\nNats-Stream-Source:  \r\n\r\n'.length + `${name}__migrating`.length + ' > > '.length + 2 + `${name}.>`.length);
    const declared = { ...unlimited, max_bytes: estimate + 50 * 20 };

    const plan = await fx.streams.planStream(name, [`${name}.>`], declared);
    const outcome: unknown = await fx.streams.ensureStream(name, [`${name}.>`], declared).catch((e: unknown) => e);

    expect(plan.action).toBe('migrate');
    const [major, minor] = (fx.raw.info?.version ?? '0.0').split('.').map(Number);
    if (major === 2 && minor < 11) {
      // 2.9's and 2.10's source headers (`<stream> <seq>`, `<stream> <seq> > >`) have no subject: the copies fit, all of them.
      expect(outcome).toMatchObject({ action: 'migrated' });
      expect(await messages(name)).toBe(50);
      return;
    }
    expect(outcome).toBeInstanceOf(StreamMigrationError);
    expect(outcome).toMatchObject({ holdingStream: name });
    expect((outcome as Error).message).toMatch(/its max_bytes is \d+: the server would delete the oldest messages.*rolled back/);
    const after = await fx.jsm.streams.info(name);
    expect(after.state.messages).toBe(50);
    expect(after.config.subjects).toEqual([`${name}.>`]);
    expect(await messages(`${name}__migrating`)).toBe('absent');
  });

  it(
    'messages sharing a Nats-Msg-Id are all kept: the copy and the new stream have no (2.15) or the shortest (2.9, 2.10) duplicate window while they fill',
    async () => {
      const name = uniqueName('DEDUP');
      // Other tooling, with a short duplicate window: one id published twice, far enough apart.
      await fx.jsm.streams.add({ name, subjects: [`${name}.>`], duplicate_window: 100_000_000 });
      const js = fx.raw.jetstream();
      const withId = () => {
        const h = headers();
        h.set('Nats-Msg-Id', 'order-1');
        return h;
      };
      await js.publish(`${name}.a`, encode('first'), { headers: withId() });
      await fx.nc.flush();
      await new Promise((resolve) => setTimeout(resolve, 300)); // the id must leave the 100 ms window: time itself is the condition
      await js.publish(`${name}.a`, encode('second'), { headers: withId() });
      for (let i = 0; i < 3; i++) await js.publish(`${name}.a`, encode(`x${i}`));
      expect(await messages(name)).toBe(5);

      const result = await fx.streams.ensureStream(name, [`${name}.>`], unlimited);

      expect(result.action).toBe('migrated');
      expect(await messages(name)).toBe(5);
      expect(await messages(`${name}__migrating`)).toBe('absent');
      // The declared window (the server's default, 2 minutes) once it is open.
      expect((await fx.jsm.streams.info(name)).config.duplicate_window).toBe(120_000_000_000);
    },
    MIGRATION_MS,
  );

  it(
    'a max_msg_size below one message: the message is kept (the new stream takes it while it fills), larger publishes are refused afterwards',
    async () => {
      const name = uniqueName('MSGSIZE');
      await fx.jsm.streams.add({ name, subjects: [`${name}.>`] });
      const js = fx.raw.jetstream();
      for (let i = 0; i < 5; i++) await js.publish(`${name}.a`, encode(`small${i}`));
      await js.publish(`${name}.a`, new Uint8Array(500).fill(65));
      for (let i = 5; i < 10; i++) await js.publish(`${name}.a`, encode(`small${i}`));

      const result = await fx.streams.ensureStream(name, [`${name}.>`], { ...unlimited, max_msg_size: 100 });

      expect(result.action).toBe('migrated');
      expect(await messages(name)).toBe(11);
      expect(await messages(`${name}__migrating`)).toBe('absent');
      expect((await fx.jsm.streams.info(name)).config.max_msg_size).toBe(100);
      await expect(js.publish(`${name}.a`, new Uint8Array(500).fill(66))).rejects.toThrow(/message size exceeds maximum allowed/);
    },
    MIGRATION_MS,
  );
});

/**
 * Issue #22 item 1b: a migration that cannot finish once the original is gone goes back: the
 * stream is built again from the copy with its previous config, serving its subjects with every
 * message, never left absent.
 */
describe('a new stream the servers cannot hold', () => {
  let server: NatsTestServer;
  let app: INestApplicationContext;

  beforeAll(async () => {
    server = await startNatsServer({ maxMemoryStore: 8 * 1024 * 1024 });
    app = await startStreamsApp({ connection: { servers: server.url } }, { logger: false });
  });

  afterAll(async () => {
    await app?.close();
    await server?.dispose();
  });

  it(
    'goes back: the stream is built again from its copy with its previous config, every message and consumer kept',
    async () => {
      const name = uniqueName('BACK');
      const nc = await connect({ servers: server.url });
      const jsm = await nc.jetstreamManager();
      await seedStream(nc, jsm, name, 200);
      await seedConsumers(nc, jsm, name);
      const declared: StreamOptionsInput = { ...unlimitedMemory, max_bytes: 16 * 1024 * 1024 };

      const outcome = await app
        .get(StreamService)
        .ensureStream(name, [`${name}.>`], declared)
        .catch((e: unknown) => e);

      expect(outcome).toBeInstanceOf(StreamMigrationError);
      expect(outcome).toMatchObject({ holdingStream: name });
      expect((outcome as Error).message).toMatch(
        /could not be created.*rolled back: the stream was built again from its copy with its previous config/,
      );
      const info = await jsm.streams.info(name);
      expect(info.config).toMatchObject({ storage: 'file', subjects: [`${name}.>`] });
      expect(info.config.sources ?? []).toEqual([]);
      expect(idProblems(await readPayloads(nc, jsm, name), 200)).toEqual({ missing: 0, duplicates: 0, foreign: 0 });
      expect((await jsm.consumers.info(name, WORKER)).num_pending).toBe(190);
      expect((await jsm.streams.names().next()).filter((n) => n.startsWith(name))).toEqual([name]);
      await nc.jetstream().publish(`${name}.a`, encode('after'));
      await nc.close();
    },
    MIGRATION_MS,
  );
});
