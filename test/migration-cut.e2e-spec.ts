import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { StreamService, StreamsModule, type StreamOptionsInput } from '@app/streams';
import { startNatsCluster, startNatsServer, type NatsTestCluster, type NatsTestServer } from '@app/streams/testing';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { setTimeout as delay } from 'node:timers/promises';
import { AUDIT, nextFromWorker, readPayloads, seedConsumers, seedStream, WORKER } from './fixtures/migration/migration-data.js';
import { AppLogs } from './support/app-logs.js';
import { LivePublisher } from './support/live-publisher.js';
import { overrideJetStreamApi } from './support/override-jetstream-api.js';
import { ApiSteps, steppedJetStreamApi, type Step } from './support/stepped-jetstream-api.js';
import { uniqueName } from './support/streams-fixture.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { waitFor } from './support/wait.js';

/** Messages of the original: small, so that the twelve runs take about a minute per server version. */
const COUNT = 2_000;
/** How long A's network stays down: longer than a waiter needs to find A's connection closed (two pings 1 s apart). */
const OUTAGE_MS = 2_500;
const RUN_MS = 120_000;
const DECLARED: StreamOptionsInput = { storage: 'memory', max_msgs: -1, max_msgs_per_subject: -1, max_age: 0, onConflict: 'migrate' };

/** Where the owner's connection is cut: at a step of its migration, or while that step's request is on its way. */
interface CutPoint {
  step: (name: string) => Step;
  /** The step's request is sent, and the connection cut 0–3 ms later: it may or may not reach the server. */
  inFlight?: boolean;
}

const POINTS: Array<[string, CutPoint]> = [
  ['once the copy is created', { step: (n) => ({ when: 'after', method: 'createStream', stream: `${n}__migrating` }) }],
  [
    'while the hold of the original is on its way',
    { step: (n) => ({ when: 'before', method: 'updateStream', stream: n }), inFlight: true },
  ],
  ['once the original is held', { step: (n) => ({ when: 'after', method: 'updateStream', stream: n }) }],
  ['once a consumer is recorded on the copy', { step: (n) => ({ when: 'after', method: 'createConsumer', stream: `${n}__migrating` }) }],
  [
    'while the delete of the original is on its way',
    { step: (n) => ({ when: 'before', method: 'deleteStream', stream: n }), inFlight: true },
  ],
  ['once the original is deleted', { step: (n) => ({ when: 'after', method: 'deleteStream', stream: n }) }],
  [
    'while the create of the new stream is on its way',
    { step: (n) => ({ when: 'before', method: 'createStream', stream: n }), inFlight: true },
  ],
  ['once the new stream is created', { step: (n) => ({ when: 'after', method: 'createStream', stream: n }) }],
  [
    'while the new stream takes its subjects back',
    { step: (n) => ({ when: 'before', method: 'updateStream', stream: n, nth: 2 }), inFlight: true },
  ],
  ['once a consumer is placed on the new stream', { step: (n) => ({ when: 'after', method: 'createConsumer', stream: n }) }],
  [
    'while the delete of the copy is on its way',
    { step: (n) => ({ when: 'before', method: 'deleteStream', stream: `${n}__migrating` }), inFlight: true },
  ],
  ['at the last update', { step: (n) => ({ when: 'before', method: 'updateStream', stream: n, nth: 3 }), inFlight: true }],
];

/**
 * Issue #22 item 1: two instances, a rolling deploy. Instance A migrates a stream (file → memory,
 * two durable consumers) through a TCP proxy of its own; instance B ensures the same declaration
 * and waits for it. A's network is cut at a step of the migration for 2.5 s (its connections drop;
 * then it connects again), a publisher publishes with JetStream acknowledgements all along. Whoever finishes
 * the migration, no original message and no acknowledged publish may be missing.
 */
describe('the owner of a migration loses its connection at any step', () => {
  let server: NatsTestServer;
  let proxy: TcpProxy;
  let raw: NatsConnection;
  let jsm: JetStreamManager;
  const steps = new ApiSteps();
  const logsA = new AppLogs();
  const logsB = new AppLogs();
  let appA: INestApplication;
  let appB: INestApplication;

  beforeAll(async () => {
    server = await startNatsServer();
    proxy = await TcpProxy.start(server.port);
    raw = await connect({ servers: server.url });
    jsm = await raw.jetstreamManager();
    appA = await startApp(proxy.url, logsA, steps);
    appB = await startApp(server.url, logsB);
  });

  afterAll(async () => {
    await appA?.close();
    await appB?.close();
    await raw?.close();
    await proxy?.close();
    await server?.dispose();
  });

  it.each(POINTS)(
    'cut %s: every original and every acknowledged message is kept, and the migration is finished',
    async (_label, point) => {
      await cutAndCheck({ appA, appB, logsB, raw, jsm, proxy, steps }, point);
    },
    RUN_MS,
  );
});

/**
 * The same on a 3-node cluster, A connected to node 1 (through its proxy), B to node 2: B learns
 * that A's connection closed from the interest node 1 withdraws over its route to node 2, and the
 * migration's requests go to the meta leader, wherever it is.
 */
describe('the owner of a migration on another cluster node loses its connection', () => {
  let cluster: NatsTestCluster;
  let proxy: TcpProxy;
  let raw: NatsConnection;
  let jsm: JetStreamManager;
  const steps = new ApiSteps();
  const logsB = new AppLogs();
  let appA: INestApplication;
  let appB: INestApplication;

  beforeAll(async () => {
    cluster = await startNatsCluster({ size: 3 });
    proxy = await TcpProxy.start(cluster.nodes[0].port);
    raw = await connect({ servers: cluster.urls });
    jsm = await raw.jetstreamManager();
    appA = await startApp(proxy.url, new AppLogs(), steps);
    appB = await startApp(cluster.nodes[1].url, logsB);
  }, RUN_MS);

  afterAll(async () => {
    await appA?.close();
    await appB?.close();
    await raw?.close();
    await proxy?.close();
    await cluster?.dispose();
  });

  it.each(POINTS.filter(([, point]) => point.inFlight).slice(1, 3))(
    'cut %s: every original and every acknowledged message is kept, and the migration is finished',
    async (_label, point) => {
      await cutAndCheck({ appA, appB, logsB, raw, jsm, proxy, steps }, point);
    },
    RUN_MS,
  );
});

/** An app of the default module (short timeouts), logging into `logs`; its API stops at the steps `steps` arms, if given. */
async function startApp(servers: string, logs: AppLogs, steps?: ApiSteps): Promise<INestApplication> {
  const builder = Test.createTestingModule({
    imports: [StreamsModule.forRoot({ connection: { servers }, requestTimeoutMs: 2_000, drainTimeoutMs: 1_000 })],
  });
  if (steps) overrideJetStreamApi(builder, steppedJetStreamApi(steps));
  const app = (await builder.compile()).createNestApplication({ logger: logs });
  await app.init();
  return app;
}

/** Everything one run needs: A behind its proxy, B, a raw connection for data and checks. */
interface CutSetup {
  appA: INestApplication;
  appB: INestApplication;
  logsB: AppLogs;
  raw: NatsConnection;
  jsm: JetStreamManager;
  proxy: TcpProxy;
  steps: ApiSteps;
}

/**
 * One run: a new stream with two consumers, a publisher, A migrating it up to the cut point, B
 * waiting, A's network cut for 2.5 s; then every original and every acknowledged message must be
 * in the migrated stream once, and the consumers where they were.
 */
async function cutAndCheck({ appA, appB, logsB, raw, jsm, proxy, steps }: CutSetup, point: CutPoint): Promise<void> {
  const name = uniqueName('cut');
  await seedStream(raw, jsm, name, COUNT);
  await seedConsumers(raw, jsm, name);
  const publisher = LivePublisher.start(raw, `${name}.live`, 'L');
  await waitFor(
    async () => publisher.ackedCount,
    (n) => n >= 20,
    { what: 'publishes before the migration' },
  );

  const { reached, go } = steps.arm(point.step(name));
  const a = outcome(appA.get(StreamService).ensureStream(name, [`${name}.>`], DECLARED));
  await Promise.race([reached, a.then((r) => Promise.reject(new Error(`A ended before the step: ${JSON.stringify(r)}`)))]);
  const b = outcome(appB.get(StreamService).ensureStream(name, [`${name}.>`], DECLARED));
  await waitFor(async () => logsB.has(new RegExp(`"${name}": waiting for instance`)), Boolean, { what: 'B waiting for A' });
  if (point.inFlight) {
    go();
    await delay(Math.floor(Math.random() * 4));
    proxy.cut(OUTAGE_MS);
  } else {
    proxy.cut(OUTAGE_MS);
    go();
  }
  const [ra, rb] = await Promise.all([a, b]);
  const before = publisher.ackedCount;
  await waitFor(
    async () => publisher.ackedCount,
    (n) => n >= before + 20,
    { what: 'publishes after the migration' },
  );
  const { acked } = await publisher.stop();

  expect([ra, rb]).toContain('migrated');
  const info = await jsm.streams.info(name);
  expect(info.config).toMatchObject({ storage: 'memory', subjects: [`${name}.>`] });
  expect(info.config.sources ?? []).toEqual([]);
  expect((await jsm.streams.names().next()).filter((n) => n.startsWith(name))).toEqual([name]);
  const payloads = await readPayloads(raw, jsm, name);
  const stored = new Set(payloads);
  expect(payloads.length).toBe(stored.size);
  expect(Array.from({ length: COUNT }, (_, i) => String(i)).filter((id) => !stored.has(id))).toEqual([]);
  expect(acked.filter((id) => !stored.has(id))).toEqual([]);
  expect(await nextFromWorker(raw, name)).toBe('10');
  expect((await jsm.consumers.info(name, AUDIT)).config.filter_subject).toBe(`${name}.b`);
  expect((await jsm.consumers.info(name, WORKER)).name).toBe(WORKER);
}

/** `migrated` (or the action), or the error's name and message. */
function outcome(ensured: Promise<{ action: string }>): Promise<string> {
  return ensured.then(
    (r) => r.action,
    (err: Error) => `${err.name}: ${err.message}`,
  );
}
