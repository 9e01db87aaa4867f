import type { INestApplicationContext } from '@nestjs/common';
import { StreamMonitor, StreamService } from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { buildMigrationApp, MigrationChild, removeMigrationApp } from './fixtures/migration/migration-child.js';
import { AUDIT, idProblems, nextFromWorker, readPayloads, seedConsumers, seedStream, WORKER } from './fixtures/migration/migration-data.js';
import { startStreamsApp } from './support/streams-app.js';
import { uniqueName } from './support/streams-fixture.js';

/** Messages per run: enough that copying and filling take a while on this machine. */
const COUNT = 20_000;

/**
 * Issue #12 item 2 (and #10.6, #12.15): the app is killed (SIGKILL) at each step of a migration
 * and started again; its start-up ensures the same declaration. Every run must end with every
 * message in the new stream once, the temporary copy gone, and both durable consumers where they
 * were.
 */
describe('a migration killed at any step is finished by the restarted app', () => {
  let server: NatsTestServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let main: string;

  beforeAll(async () => {
    main = buildMigrationApp();
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    jsm = await nc.jetstreamManager();
  }, 120_000);

  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
    if (main) removeMigrationApp(main);
  });

  /** Runs the app until it stops at `stopAt`, kills it, and returns the names of the streams left. */
  async function killAt(name: string, stopAt: string): Promise<string[]> {
    const first = MigrationChild.start(main, { NATS_URL: server.url, STREAM: name, STOP_AT: stopAt });
    await first.waitForLine(/^PAUSED /);
    await first.kill();
    return (await jsm.streams.names().next()).filter((n) => n.startsWith(name));
  }

  /** Starts the app again, waits for it to exit, and checks everything the migration must keep. */
  async function restartAndCheck(name: string): Promise<void> {
    const second = MigrationChild.start(main, { NATS_URL: server.url, STREAM: name });
    expect({ code: await second.finished(), output: second.output }).toMatchObject({ code: 0 });
    expect(second.output).toContain(`Streams ensured: ${name} migrated`);

    const info = await jsm.streams.info(name);
    expect(info.config.storage).toBe('memory');
    expect(info.config.subjects).toEqual([`${name}.>`]);
    expect(info.config.sources ?? []).toEqual([]);
    expect((await jsm.streams.names().next()).filter((n) => n.startsWith(name))).toEqual([name]);
    const payloads = await readPayloads(nc, jsm, name);
    expect(idProblems(payloads, COUNT)).toEqual({ missing: 0, duplicates: 0, foreign: 0 });
    expect(payloads.map(Number)).toEqual([...payloads.map(Number)].sort((a, b) => a - b));

    // worker acknowledged ids 0..9; audit (on .b) ids 1, 3, 5, 7.
    const worker = await jsm.consumers.info(name, WORKER);
    const audit = await jsm.consumers.info(name, AUDIT);
    expect(worker.num_pending).toBe(COUNT - 10);
    expect(audit.num_pending).toBe(COUNT / 2 - 4);
    expect(audit.config.filter_subject).toBe(`${name}.b`);
    expect(await nextFromWorker(nc, name)).toBe('10');
  }

  /** Where the app is stopped, and which of the stream and its copy exist at that point. */
  const steps: Array<[string, (name: string) => string, Array<'stream' | 'copy'>]> = [
    ['while the copy fills (the original holds)', (name) => `after:updateStream:${name}:1`, ['stream', 'copy']],
    ['just before the original is deleted', (name) => `before:deleteStream:${name}`, ['stream', 'copy']],
    ['just after the original is deleted', (name) => `after:deleteStream:${name}`, ['copy']],
    ['during the catch-up of the new stream', (name) => `after:createStream:${name}`, ['stream', 'copy']],
    ['when the new stream takes its subjects back', (name) => `before:updateStream:${name}:2`, ['stream', 'copy']],
    ['while the consumers are placed', (name) => `after:createConsumer:${name}`, ['stream', 'copy']],
    ['just before the copy is deleted', (name) => `before:deleteStream:${name}__migrating`, ['stream', 'copy']],
    ['at the final update', (name) => `before:updateStream:${name}:3`, ['stream']],
  ];

  it.each(steps)('killed %s', async (_label, stopAt, left) => {
    const name = uniqueName('crash');
    await seedStream(nc, jsm, name, COUNT);
    await seedConsumers(nc, jsm, name);

    const streams = await killAt(name, stopAt(name));

    expect(streams.sort()).toEqual(left.map((kind) => (kind === 'stream' ? name : `${name}__migrating`)).sort());
    if (!left.includes('stream')) await expectCopyReportedDown(name);
    await restartAndCheck(name);
  });

  it('ensureStream (not only start-up) finishes a migration whose only copy is the leftover, and plans it as one in progress', async () => {
    const name = uniqueName('leftover');
    await seedStream(nc, jsm, name, COUNT);
    await seedConsumers(nc, jsm, name);
    expect(await killAt(name, `after:deleteStream:${name}`)).toEqual([`${name}__migrating`]);
    const app: INestApplicationContext = await startStreamsApp({ connection: { servers: server.url } }, { logger: false });
    try {
      const declared = { storage: 'memory' as const, max_msgs: -1, max_msgs_per_subject: -1, max_age: 0, onConflict: 'migrate' as const };
      const plan = await app.get(StreamService).planStream(name, [`${name}.>`], declared);
      expect(plan.action).toBe('migrate');
      expect(plan.notes?.[0]).toMatch(/a migration of this stream is in progress \(swapping, instance \w+\)/);

      const result = await app.get(StreamService).ensureStream(name, [`${name}.>`], declared);

      expect(result.action).toBe('migrated');
      expect(result.info.state.messages).toBe(COUNT);
      expect([...(result.keptConsumers ?? [])].sort()).toEqual([AUDIT, WORKER]);
      expect(idProblems(await readPayloads(nc, jsm, name), COUNT)).toEqual({ missing: 0, duplicates: 0, foreign: 0 });
      expect((await jsm.streams.names().next()).filter((n) => n.startsWith(name))).toEqual([name]);
    } finally {
      await app.close();
    }
  });

  /** Issue #12 item 15: the copy of an interrupted migration is down with reason `migrating`. */
  async function expectCopyReportedDown(name: string): Promise<void> {
    const observer: INestApplicationContext = await startStreamsApp({ connection: { servers: server.url } }, { logger: false });
    try {
      const copy = (await observer.get(StreamMonitor).read(0)).streams[`${name}__migrating`];
      expect(copy).toMatchObject({ healthy: false, status: 'down', reason: 'migrating', messages: COUNT });
      expect(copy.problems[0]).toContain(`unfinished migration of stream "${name}"`);
    } finally {
      await observer.close();
    }
  }
});
