import { StreamConfigConflictError, StreamService } from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { buildMigrationApp, MigrationChild, removeMigrationApp } from './fixtures/migration/migration-child.js';
import { AUDIT, idProblems, readPayloads, seedConsumers, seedStream, WORKER } from './fixtures/migration/migration-data.js';
import { JsApiSpy, writesAmong } from './support/js-api-spy.js';
import { startStreamsApp } from './support/streams-app.js';
import { waitFor } from './support/wait.js';
import { uniqueName } from './support/streams-fixture.js';

/** Messages per run (issue #12 measured the race with 50,000). */
const COUNT = 50_000;
/** A takeover waits for a confirming ping and a pause before its first write, then moves 50,000 messages: more than Jest's default under a loaded CI. */
const TAKEOVER_MS = 180_000;

/**
 * Issue #12 item 1: two instances of the app (child processes) migrate the same stream at
 * staggered starts. The second never writes while the first is alive and migrating; it waits, or
 * takes over when the first dies. Every run ends with every message in the new stream once, the
 * copy gone and the consumers kept.
 */
describe('two instances migrating one stream', () => {
  let server: NatsTestServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let spy: JsApiSpy;
  let main: string;
  const children: MigrationChild[] = [];

  beforeAll(async () => {
    main = buildMigrationApp();
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    jsm = await nc.jetstreamManager();
    spy = await JsApiSpy.start(server.url);
  }, 120_000);

  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.kill()));
  });

  afterAll(async () => {
    await spy?.close();
    await nc?.close();
    await server?.dispose();
    if (main) removeMigrationApp(main);
  });

  const start = (name: string, extra: { STOP_AT?: string; GATE?: '1' } = {}): MigrationChild => {
    const child = MigrationChild.start(main, { NATS_URL: server.url, STREAM: name, ...extra });
    children.push(child);
    return child;
  };

  async function expectMigrated(name: string): Promise<void> {
    const info = await jsm.streams.info(name);
    expect(info.config.storage).toBe('memory');
    expect(info.config.subjects).toEqual([`${name}.>`]);
    expect((await jsm.streams.names().next()).filter((n) => n.startsWith(name))).toEqual([name]);
    expect(idProblems(await readPayloads(nc, jsm, name), COUNT)).toEqual({ missing: 0, duplicates: 0, foreign: 0 });
    expect((await jsm.consumers.info(name, WORKER)).num_pending).toBe(COUNT - 10);
    expect((await jsm.consumers.info(name, AUDIT)).num_pending).toBe(COUNT / 2 - 4);
  }

  /** Waits until the second instance is waiting and has polled a few times; returns the requests seen meanwhile. */
  async function requestsWhileWaiting(second: MigrationChild): Promise<string[]> {
    await second.waitForLine(/waiting for instance/);
    spy.subjects.length = 0;
    await waitFor(
      async () => {
        await spy.settle();
        return spy.subjects.filter((s) => s.startsWith('$JS.API.STREAM.INFO.')).length;
      },
      (reads) => reads >= 10,
      { what: 'ten reads of the waiting instance' },
    );
    return [...spy.subjects];
  }

  it.each([
    ['holds the original', (name: string) => `after:updateStream:${name}:1`],
    ['has deleted the original', (name: string) => `after:deleteStream:${name}`],
    ['fills the new stream', (name: string) => `after:createStream:${name}`],
  ])('a second instance started while the first %s waits without writing; both report migrated', async (_label, stopAt) => {
    const name = uniqueName('wait');
    await seedStream(nc, jsm, name, COUNT);
    await seedConsumers(nc, jsm, name);
    const first = start(name, { STOP_AT: stopAt(name) });
    await first.waitForLine(/^PAUSED /);

    const second = start(name);
    const seen = await requestsWhileWaiting(second);
    expect(writesAmong(seen)).toEqual([]);
    first.release();

    expect(await first.finished()).toBe(0);
    expect(await second.finished()).toBe(0);
    expect([first.actionFor(name), second.actionFor(name)]).toEqual(['migrated', 'migrated']);
    await expectMigrated(name);
  });

  it('an instance with another declaration (an update in place) waits too, then reports the conflict with the migrated stream', async () => {
    const name = uniqueName('otherdecl');
    await seedStream(nc, jsm, name, COUNT);
    await seedConsumers(nc, jsm, name);
    // Stopped before it holds the original: the original still looks ordinary.
    const first = start(name, { STOP_AT: `after:createStream:${name}__migrating` });
    await first.waitForLine(/^PAUSED /);
    const other = await startStreamsApp({ connection: { servers: server.url } }, { logger: false });
    try {
      spy.subjects.length = 0;
      // The file stream it declares differs from the original only in max_msgs: an update in place.
      const ensured = other
        .get(StreamService)
        .ensureStream(name, [`${name}.>`], { max_msgs: 1_000_000, max_msgs_per_subject: -1, max_age: 0 });
      const outcome = ensured.then(
        () => 'resolved',
        (err: unknown) => err,
      );
      await waitFor(
        async () => {
          await spy.settle();
          return spy.subjects.filter((s) => s === `$JS.API.STREAM.INFO.${name}__migrating`).length;
        },
        (reads) => reads >= 10,
        { what: 'the other instance polling the migration' },
      );
      expect(writesAmong(spy.subjects)).toEqual([]);
      first.release();

      expect(await outcome).toBeInstanceOf(StreamConfigConflictError);
      expect(await first.finished()).toBe(0);
      await expectMigrated(name);
    } finally {
      await other.close();
    }
  });

  it(
    'a second instance waiting for a first that dies takes the migration over and finishes it',
    async () => {
      const name = uniqueName('takeover');
      await seedStream(nc, jsm, name, COUNT);
      await seedConsumers(nc, jsm, name);
      const first = start(name, { STOP_AT: `before:deleteStream:${name}` });
      await first.waitForLine(/^PAUSED /);
      const second = start(name);
      await second.waitForLine(/waiting for instance/);

      await first.kill();

      expect(await second.finished()).toBe(0);
      expect(second.output).toMatch(/taking over from instance \w+, whose connection the server has closed/);
      expect(second.actionFor(name)).toBe('migrated');
      await expectMigrated(name);
    },
    TAKEOVER_MS,
  );

  it.each([
    ['holds the original', /holding: it captures/],
    ['deletes the original', /deleting the original/],
    ['creates the new stream', /creating the new stream/],
  ])('two instances started as the first %s both succeed, with every message kept once', async (_label, when) => {
    const name = uniqueName('stagger');
    await seedStream(nc, jsm, name, COUNT);
    await seedConsumers(nc, jsm, name);
    // The second is started ahead and held before its start-up, so it begins right at that step.
    const second = start(name, { GATE: '1' });
    await second.waitForLine(/^GATED$/);
    const first = start(name);
    await first.waitForLine(when);
    second.release();

    expect(await first.finished()).toBe(0);
    expect(await second.finished()).toBe(0);
    expect([first.actionFor(name), second.actionFor(name)]).toEqual(['migrated', 'migrated']);
    expect(second.output).toContain('waiting for instance');
    await expectMigrated(name);
  });
});
