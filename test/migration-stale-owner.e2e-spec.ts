import type { INestApplication } from '@nestjs/common';
import { StreamService, StreamsModule, type StreamOptionsInput } from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { Test } from '@nestjs/testing';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { buildMigrationApp, MigrationChild, removeMigrationApp } from './fixtures/migration/migration-child.js';
import { idProblems, readPayloads, seedConsumers, seedStream, WORKER } from './fixtures/migration/migration-data.js';
import { AppLogs } from './support/app-logs.js';
import { uniqueName } from './support/streams-fixture.js';
import { TcpProxy } from './support/tcp-proxy.js';

/** Messages per run. */
const COUNT = 2_000;
/** Runs per case, side by side (each on its own stream, with its own owner process). */
const RUNS = 5;
const CASE_MS = 180_000;
/** The fixture app's target: memory. */
const SAME: StreamOptionsInput = { storage: 'memory', max_msgs: -1, max_msgs_per_subject: -1, max_age: 0, onConflict: 'migrate' };
/** The original's own config (file): the declaration of an instance of the previous release. */
const OLD: StreamOptionsInput = { storage: 'file', max_msgs: -1, max_msgs_per_subject: -1, max_age: 0 };

/**
 * Issue #26 item 1: the owner A of a migration (a child process) is delayed right before its delete
 * of the original, after its checks: frozen (SIGSTOP), or its network holding every byte and
 * delivering them later in order. Meanwhile instance B ensures the stream with the same target, or
 * with the original's config, and takes over once the server has closed A's connection (a short
 * `ping_interval` makes it close a silent connection within seconds). Then A goes on. Whatever A's
 * late requests are, every message is kept.
 */
describe('a stale owner resumes after another instance took its migration over', () => {
  let server: NatsTestServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let main: string;
  let appB: INestApplication;
  const logsB = new AppLogs();
  const children: MigrationChild[] = [];
  const proxies: TcpProxy[] = [];

  beforeAll(async () => {
    main = buildMigrationApp();
    // The server closes a connection that answered none of its last two PINGs, sent every 2 s (not
    // every second: a loaded CI machine can stall this process's own connections that long).
    server = await startNatsServer({ extraConfig: 'ping_interval: "2s"\nping_max: 2' });
    nc = await connect({ servers: server.url });
    jsm = await nc.jetstreamManager();
    const moduleRef = await Test.createTestingModule({
      imports: [StreamsModule.forRoot({ connection: { servers: server.url }, requestTimeoutMs: 2_000, drainTimeoutMs: 1_000 })],
    }).compile();
    appB = moduleRef.createNestApplication({ logger: logsB });
    await appB.init();
  }, 120_000);

  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.kill()));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  afterAll(async () => {
    await appB?.close();
    await nc?.close();
    await server?.dispose();
    if (main) removeMigrationApp(main);
  });

  /** Starts owner A of a new stream, through a proxy of its own, and stops it right before it deletes the original. */
  async function ownerAtDelete(name: string): Promise<{ child: MigrationChild; proxy: TcpProxy }> {
    await seedStream(nc, jsm, name, COUNT);
    await seedConsumers(nc, jsm, name);
    const proxy = await TcpProxy.start(server.port);
    proxies.push(proxy);
    const child = MigrationChild.start(main, { NATS_URL: proxy.url, STREAM: name, STOP_AT: `before:deleteStream:${name}` });
    children.push(child);
    await child.waitForLine(/^PAUSED /);
    return { child, proxy };
  }

  /** B's ensure, then A's late requests, then what the server holds. */
  async function takeOverAndResume(
    name: string,
    declaration: StreamOptionsInput,
    delayed: { child: MigrationChild; proxy: TcpProxy },
    resume: () => void,
  ): Promise<{ action: string; code: number | null }> {
    const result = await appB.get(StreamService).ensureStream(name, [`${name}.>`], declaration);
    resume();
    const code = await delayed.child.finished();
    expect(idProblems(await readPayloads(nc, jsm, name), COUNT)).toEqual({ missing: 0, duplicates: 0, foreign: 0 });
    expect((await jsm.consumers.info(name, WORKER)).num_pending).toBe(COUNT - 10);
    expect((await jsm.streams.names().next()).filter((n) => n.startsWith(name))).toEqual([name]);
    expect(logsB.has(new RegExp(`"${name}": taking over from instance \\w+, whose connection the server has closed`))).toBe(true);
    return { action: result.action, code };
  }

  const cases: Array<[string, string, 'frozen' | 'held', StreamOptionsInput, string]> = [
    ['frozen', 'the same target', 'frozen', SAME, 'migrated'],
    ['frozen', 'the original config', 'frozen', OLD, 'unchanged'],
    ['held by its network', 'the same target', 'held', SAME, 'migrated'],
    ['held by its network', 'the original config', 'held', OLD, 'unchanged'],
  ];

  it.each(cases)(
    'owner %s before its delete, B declaring %s: B finishes or rolls back, A resumes, every message kept (5 runs)',
    async (_how, _declared, how, declaration, expected) => {
      const outcomes = await Promise.all(
        Array.from({ length: RUNS }, async () => {
          const name = uniqueName(how === 'frozen' ? 'frozen' : 'held');
          const delayed = await ownerAtDelete(name);
          if (how === 'frozen') {
            delayed.child.freeze();
            return takeOverAndResume(name, declaration, delayed, () => {
              delayed.child.thaw();
              delayed.child.release();
            });
          }
          // Its delete goes into a network that holds every byte, and comes out once B is done.
          delayed.proxy.hold();
          delayed.child.release();
          return takeOverAndResume(name, declaration, delayed, () => delayed.proxy.release());
        }),
      );
      expect(outcomes.map((o) => o.action)).toEqual(Array.from({ length: RUNS }, () => expected));
    },
    CASE_MS,
  );
});
