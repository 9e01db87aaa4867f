import type { INestApplicationContext } from '@nestjs/common';
import { MigrationPermissionError, StreamMigrationError, StreamService, type StreamOptionsInput } from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { AckPolicy, connect, RetentionPolicy, StorageType, type JetStreamManager, type NatsConnection } from 'nats';
import { idProblems, readPayloads, seedStream } from './fixtures/migration/migration-data.js';
import { hasConsumerReset } from './support/consumer-reset.js';
import { startStreamsApp } from './support/streams-app.js';
import { writesAmong } from './support/js-api-spy.js';
import { uniqueName, useStreamsFixture } from './support/streams-fixture.js';
import { waitFor } from './support/wait.js';

const MIGRATE: StreamOptionsInput = { storage: 'memory', max_msgs: -1, max_msgs_per_subject: -1, max_age: 0, onConflict: 'migrate' };
const LONG_MS = 120_000;

/**
 * Issue #22 item 1b: migrations the server would refuse half-way are refused before anything is
 * written; streams downstream are found and kept flowing when the declaration says so; a stream
 * named like the copy that the library does not own is an error at once, never a loop.
 */
describe('migration edges', () => {
  const fx = useStreamsFixture({ cacheTtlMs: 0 });

  const names = async (prefix: string): Promise<string[]> =>
    (await fx.jsm.streams.names().next()).filter((n) => n.startsWith(prefix)).sort();

  it('refuses a max_consumers below the durable consumers to keep, in the plan and before any write', async () => {
    const name = uniqueName('MAXC');
    await seedStream(fx.raw, fx.jsm, name, 10);
    for (const durable of ['c1', 'c2', 'c3']) await fx.jsm.consumers.add(name, { durable_name: durable, ack_policy: AckPolicy.Explicit });
    const declared = { ...MIGRATE, max_consumers: 2 };

    const plan = await fx.streams.planStream(name, [`${name}.>`], declared);
    const { error, requests } = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], declared));

    expect(plan).toMatchObject({ action: 'migrate', error: expect.any(StreamMigrationError) });
    expect(error).toBeInstanceOf(StreamMigrationError);
    expect((error as Error).message).toMatch(
      /max_consumers is 2, and the 3 durable consumers to keep \(c1, c2, c3\) would not fit.*Nothing was changed/,
    );
    expect(writesAmong(requests)).toEqual([]);
    expect(await names(name)).toEqual([name]);
    expect((await fx.jsm.streams.info(name)).config.storage).toBe('file');
  });

  it('a work-queue target with durable consumers: refused before any write where the server cannot move them, migrated where it can', async () => {
    const name = uniqueName('WQ');
    await seedStream(fx.raw, fx.jsm, name, 10);
    await fx.jsm.consumers.add(name, { durable_name: 'jobs', ack_policy: AckPolicy.Explicit });
    const declared = { ...MIGRATE, retention: 'workqueue' as const };

    const { result, error, requests } = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], declared));

    if (await hasConsumerReset(fx.raw, fx.jsm)) {
      expect(result).toMatchObject({ action: 'migrated', keptConsumers: ['jobs'] });
      expect((await fx.jsm.streams.info(name)).config.retention).toBe(RetentionPolicy.Workqueue);
      expect((await fx.jsm.consumers.info(name, 'jobs')).num_pending).toBe(10);
    } else {
      expect(error).toBeInstanceOf(StreamMigrationError);
      expect((error as Error).message).toMatch(/cannot move a consumer to its position on a work-queue stream.*jobs.*Nothing was changed/);
      expect(writesAmong(requests)).toEqual([]);
      expect((await fx.jsm.streams.info(name)).config.retention).toBe(RetentionPolicy.Limits);
    }
    expect(await names(name)).toEqual([name]);
  });

  it('a stream named like the copy that the library does not own: an error naming it at once for a migration, ignored by an update in place', async () => {
    const name = uniqueName('FOREIGN');
    await seedStream(fx.raw, fx.jsm, name, 10);
    await fx.jsm.streams.add({ name: `${name}__migrating`, subjects: [`${name}_team.>`] });

    const migrate = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], MIGRATE));
    const update = await fx.spy.during(fx.nc, () =>
      fx.streams.ensureStream(name, [`${name}.>`], { max_msgs: 1_000, max_msgs_per_subject: -1, max_age: 0 }),
    );

    expect(migrate.error).toBeInstanceOf(StreamMigrationError);
    expect((migrate.error as Error).message).toMatch(new RegExp(`stream "${name}__migrating" exists but is not this migration's`));
    expect(writesAmong(migrate.requests)).toEqual([]);
    expect(migrate.requests.length).toBeLessThan(30);
    expect(update.result).toMatchObject({ action: 'updated' });
    expect(update.requests.length).toBeLessThan(10);
    expect((await fx.jsm.streams.info(`${name}__migrating`)).config.subjects).toEqual([`${name}_team.>`]);
    expect((await fx.jsm.streams.info(name)).state.messages).toBe(10);
  });

  describe('streams that source or mirror the migrated stream', () => {
    /** `src` with `max_msgs` 2,000 holding sequences 3,001–5,000, then `agg` sourcing it and `bak` mirroring it, both caught up. */
    async function downstream(prefix: string): Promise<{ src: string; agg: string; bak: string }> {
      const src = uniqueName(prefix);
      const agg = `${src}_agg`;
      const bak = `${src}_bak`;
      await fx.jsm.streams.add({ name: src, subjects: [`${src}.>`], max_msgs: 2_000, storage: StorageType.File });
      for (let i = 0; i < 5_000; i++) fx.raw.publish(`${src}.a`, new TextEncoder().encode(`m${i}`));
      await fx.raw.flush();
      await waitFor(
        () => fx.jsm.streams.info(src),
        (i) => i.state.last_seq === 5_000,
        { what: 'src filled' },
      );
      await fx.jsm.streams.add({ name: agg, sources: [{ name: src }] });
      await fx.jsm.streams.add({ name: bak, mirror: { name: src } });
      await waitFor(
        async () => [(await fx.jsm.streams.info(agg)).state.messages, (await fx.jsm.streams.info(bak)).state.last_seq],
        ([a, b]) => a === 2_000 && b === 5_000,
        { what: 'agg and bak caught up', timeoutMs: 30_000 },
      );
      return { src, agg, bak };
    }

    it('are named by a refusal before any write, unless the declaration says downstream: resume', async () => {
      const { src, agg, bak } = await downstream('DOWNREF');

      const plan = await fx.streams.planStream(src, [`${src}.>`], { ...MIGRATE, max_msgs: 2_000 });
      const { error, requests } = await fx.spy.during(fx.nc, () =>
        fx.streams.ensureStream(src, [`${src}.>`], { ...MIGRATE, max_msgs: 2_000 }),
      );

      expect(plan.error).toBeInstanceOf(StreamMigrationError);
      expect(error).toBeInstanceOf(StreamMigrationError);
      expect((error as Error).message).toContain(`streams "${agg}" (sources it), "${bak}" (mirrors it) would stop receiving`);
      expect((error as Error).message).toMatch(/downstream: 'resume'/);
      expect(writesAmong(requests)).toEqual([]);
      expect((await fx.jsm.streams.info(src)).config.storage).toBe('file');
    });

    it(
      "with downstream: 'resume' keep flowing: every message published after the migration reaches them (2.10+; refused on 2.9)",
      async () => {
        const { src, agg, bak } = await downstream('DOWNRES');
        const declared = { ...MIGRATE, max_msgs: 2_000, downstream: 'resume' as const };

        const outcome = await fx.streams.ensureStream(src, [`${src}.>`], declared).catch((e: unknown) => e);

        if (!fx.modern) {
          expect(outcome).toBeInstanceOf(StreamMigrationError);
          expect((outcome as Error).message).toMatch(/can be kept flowing only from nats-server 2\.10\.0 \(first_seq\)/);
          expect((await fx.jsm.streams.info(src)).config.storage).toBe('file');
          return;
        }
        expect(outcome).toMatchObject({ action: 'migrated' });
        const info = await fx.jsm.streams.info(src);
        expect(info.state).toMatchObject({ messages: 2_000, first_seq: 3_001, last_seq: 5_000 });
        const js = fx.raw.jetstream();
        for (let i = 0; i < 1_000; i++) await js.publish(`${src}.a`, new TextEncoder().encode(`n${i}`));
        // A downstream stream tries its upstream again every few seconds (about 20 s on 2.10 and 2.15).
        const last = async (stream: string) => {
          const { state } = await fx.jsm.streams.info(stream);
          return {
            seq: state.last_seq,
            payload: new TextDecoder().decode((await fx.jsm.streams.getMessage(stream, { seq: state.last_seq })).data),
          };
        };
        await waitFor(
          async () => [await last(agg), await last(bak)],
          ([a, b]) => a.payload === 'n999' && b.payload === 'n999',
          { what: 'agg and bak got the new messages', timeoutMs: 60_000, everyMs: 500 },
        );
        // The mirror resumes by sequence: the new messages follow the original's last, none twice.
        expect((await fx.jsm.streams.info(bak)).state).toMatchObject({ messages: 3_000, last_seq: 6_000 });
        // The source starts again from the time of its last message: every new message, and again the copies the new stream holds.
        const kept = new Set(await readPayloads(fx.raw, fx.jsm, agg));
        expect(Array.from({ length: 1_000 }, (_, i) => `n${i}`).filter((p) => !kept.has(p))).toEqual([]);
        expect(Array.from({ length: 2_000 }, (_, i) => `m${3_000 + i}`).filter((p) => !kept.has(p))).toEqual([]);
      },
      LONG_MS,
    );
  });
});

/**
 * A user without the permissions every migration needs gets one typed error, before anything is
 * written: never a takeover or a migration without its record.
 */
describe('a migration without the permissions it needs', () => {
  let server: NatsTestServer;
  let admin: NatsConnection;
  let jsm: JetStreamManager;
  const apps: INestApplicationContext[] = [];

  beforeAll(async () => {
    server = await startNatsServer({
      users: [
        { user: 'admin', password: 'pw' },
        { user: 'nokv', password: 'pw', permissions: { publish: { deny: ['$KV.>'] } } },
        { user: 'nopresence', password: 'pw', permissions: { subscribe: { deny: ['_migrating.>'] } } },
      ],
    });
    admin = await connect({ servers: server.url, user: 'admin', pass: 'pw' });
    jsm = await admin.jetstreamManager();
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await admin?.close();
    await server?.dispose();
  });

  it.each([
    ['may not write records in the bucket', 'nokv', /Permissions Violation for Publish to "\$KV\.nestjs-jetstream-streams\.migration\./],
    ['may not answer presence pings', 'nopresence', /Permissions Violation for Subscription to "_migrating\.owner\./],
  ])('a user who %s: MigrationPermissionError, the stream untouched', async (_label, user, refused) => {
    const name = uniqueName('PERM');
    await seedStream(admin, jsm, name, 10);
    const app = await startStreamsApp({ connection: { servers: server.url, user, pass: 'pw' } }, { logger: false });
    apps.push(app);

    const error = await app
      .get(StreamService)
      .ensureStream(name, [`${name}.>`], MIGRATE)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MigrationPermissionError);
    expect((error as MigrationPermissionError).refused).toMatch(refused);
    expect((error as Error).message).toMatch(/lacks a permission every migration needs/);
    expect((await jsm.streams.names().next()).filter((n) => n.startsWith(name))).toEqual([name]);
    const info = await jsm.streams.info(name);
    expect(info.config).toMatchObject({ storage: 'file', subjects: [`${name}.>`] });
    expect(idProblems(await readPayloads(admin, jsm, name), 10)).toEqual({ missing: 0, duplicates: 0, foreign: 0 });
  });
});
