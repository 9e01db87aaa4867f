import { StreamDataLossError, StreamService, type StreamOptionsInput, type StreamsModuleOptions } from '@app/streams';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { buildMigrationApp, MigrationChild, removeMigrationApp } from './fixtures/migration/migration-child.js';
import { idProblems, readPayloads, seedConsumers, seedStream } from './fixtures/migration/migration-data.js';
import { JsApiSpy, writesAmong } from './support/js-api-spy.js';
import { startStreamsApp } from './support/streams-app.js';
import { uniqueName } from './support/streams-fixture.js';

/** Messages per run. */
const COUNT = 2_000;
/** The fixture app's target (memory). */
const TARGET: StreamOptionsInput = { storage: 'memory', max_msgs: -1, max_msgs_per_subject: -1, max_age: 0, onConflict: 'migrate' };

/**
 * Issue #26 item 2: an app migrating a stream is killed; then apps whose declaration says
 * `mode: 'verify'` or `'create'` ensure it (with the old config, or with defaults that would cap
 * it): they never write and report the stream as migrating. An app of mode `'manage'` with other
 * defaults takes the migration over, finishes it with the recorded target, and then refuses its
 * own declaration's loss.
 */
describe('create and verify modes meet an unfinished migration; a taker-over with another declaration', () => {
  let server: NatsTestServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let spy: JsApiSpy;
  let main: string;
  const apps: INestApplicationContext[] = [];

  beforeAll(async () => {
    main = buildMigrationApp();
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    jsm = await nc.jetstreamManager();
    spy = await JsApiSpy.start(server.url);
  }, 120_000);

  afterEach(async () => {
    for (const app of apps.splice(0).reverse()) await app.close();
  });

  afterAll(async () => {
    await spy?.close();
    await nc?.close();
    await server?.dispose();
    if (main) removeMigrationApp(main);
  });

  /** A stream whose migration was killed at `stopAt` (`after:deleteStream`: only the copy holds the messages). */
  async function killedAt(prefix: string, stopAt: (name: string) => string): Promise<string> {
    const name = uniqueName(prefix);
    await seedStream(nc, jsm, name, COUNT);
    await seedConsumers(nc, jsm, name);
    const owner = MigrationChild.start(main, { NATS_URL: server.url, STREAM: name, STOP_AT: stopAt(name) });
    await owner.waitForLine(/^PAUSED /);
    await owner.kill();
    return name;
  }

  async function app(options: Pick<StreamsModuleOptions, 'streamDefaults'> = {}): Promise<StreamService> {
    const started = await startStreamsApp({ connection: { servers: server.url }, requestTimeoutMs: 2_000, ...options }, { logger: false });
    apps.push(started);
    return started.get(StreamService);
  }

  it.each([
    ['only the copy holds the messages', (name: string) => `after:deleteStream:${name}`, 'copy'],
    ['the original is held', (name: string) => `after:updateStream:${name}:1`, 'stream'],
  ])(
    '%s: verify and create modes (old config, capping defaults) write nothing and report it migrating',
    async (_label, stopAt, holding) => {
      const name = await killedAt('modes', stopAt);
      const holdingStream = holding === 'copy' ? `${name}__migrating` : name;
      const verify = await app();
      const create = await app({ streamDefaults: { max_age: '5s' } });
      const before = (await jsm.streams.names().next()).filter((n) => n.startsWith(name)).sort();

      const calls: Array<() => Promise<unknown>> = [
        () =>
          verify.ensureStream(name, [`${name}.>`], { storage: 'file', max_msgs: -1, max_msgs_per_subject: -1, max_age: 0, mode: 'verify' }),
        () => verify.ensureStream(name, [`${name}.>`], { ...TARGET, mode: 'verify' }),
        () => create.ensureStream(name, [`${name}.>`], { storage: 'memory', onConflict: 'migrate', mode: 'create' }),
        () => create.ensureStreams([{ name, subjects: [`${name}.>`], storage: 'memory', mode: 'create' }]).then((r) => r[0]),
      ];
      for (const call of calls) {
        const { result, error, requests } = await spy.during(nc, call);

        expect(error).toBeUndefined();
        expect(result).toMatchObject({ name, action: 'migrating', migration: { holdingStream, phase: expect.any(String) } });
        expect(writesAmong(requests)).toEqual([]);
      }
      const plan = await verify.planStream(name, [`${name}.>`], { ...TARGET, mode: 'verify' });
      expect(plan.action).toBe('migrating');
      expect((await jsm.streams.names().next()).filter((n) => n.startsWith(name)).sort()).toEqual(before);

      // A manage app finishes it afterwards: nothing was lost meanwhile.
      const manage = await app();
      expect((await manage.ensureStream(name, [`${name}.>`], TARGET)).action).toBe('migrated');
      expect(idProblems(await readPayloads(nc, jsm, name), COUNT)).toEqual({ missing: 0, duplicates: 0, foreign: 0 });
    },
  );

  it('a taker-over whose defaults cap max_age at 5s finishes with the recorded target, then refuses its own declaration', async () => {
    const name = await killedAt('defaults', (n) => `after:deleteStream:${n}`);
    const other = await app({ streamDefaults: { max_age: '5s' } });

    const outcome = await other
      .ensureStream(name, [`${name}.>`], { storage: 'memory', max_msgs: -1, max_msgs_per_subject: -1, onConflict: 'migrate' })
      .catch((e: unknown) => e);

    expect(outcome).toBeInstanceOf(StreamDataLossError);
    expect((outcome as Error).message).toMatch(/max_age/);
    const info = await jsm.streams.info(name);
    expect(info.config).toMatchObject({ storage: 'memory', max_age: 0, subjects: [`${name}.>`] });
    expect((await jsm.streams.names().next()).filter((n) => n.startsWith(name))).toEqual([name]);
    expect(idProblems(await readPayloads(nc, jsm, name), COUNT)).toEqual({ missing: 0, duplicates: 0, foreign: 0 });
  });

  it('a taker-over declaring the original config rolls back an intact original, then keeps it as it is', async () => {
    const name = await killedAt('oldconfig', (n) => `before:deleteStream:${n}`);
    const other = await app();

    const result = await other.ensureStream(name, [`${name}.>`], { storage: 'file', max_msgs: -1, max_msgs_per_subject: -1, max_age: 0 });

    expect(result.action).toBe('unchanged');
    const info = await jsm.streams.info(name);
    expect(info.config).toMatchObject({ storage: 'file', subjects: [`${name}.>`] });
    expect((await jsm.streams.names().next()).filter((n) => n.startsWith(name))).toEqual([name]);
    expect(idProblems(await readPayloads(nc, jsm, name), COUNT)).toEqual({ missing: 0, duplicates: 0, foreign: 0 });
  });
});
