import type { INestApplication, LoggerService } from '@nestjs/common';
import {
  StreamEvents,
  StreamMonitor,
  StreamNotFoundError,
  StreamService,
  StreamsError,
  type StreamDeclaration,
  type StreamEvent,
  type StreamsModuleOptions,
  type StreamsSnapshot,
} from '@app/streams';
import { StreamsHealthIndicator } from '@app/streams/health';
import { startNatsCluster, startNatsServer, type NatsTestCluster, type NatsTestServer } from '@app/streams/testing';
import { connect, StringCodec, type JetStreamManager, type NatsConnection } from 'nats';
import { setTimeout as delay } from 'node:timers/promises';
import type { Subscription } from 'rxjs';
import { JsApiSpy } from './support/js-api-spy.js';
import { startStreamsApp } from './support/streams-app.js';
import { waitFor } from './support/wait.js';
import { uniqueName } from './support/streams-fixture.js';

const declare = (name: string, config: Partial<StreamDeclaration> = {}): StreamDeclaration => ({
  name,
  subjects: [`${name}.>`],
  ...config,
});

/** Everything one app's `StreamEvents.events$` emitted. */
class Recorder {
  readonly events: StreamEvent[] = [];
  private readonly subscription: Subscription;

  constructor(app: INestApplication) {
    this.subscription = app.get(StreamEvents).events$.subscribe((e) => this.events.push(e));
  }

  of(stream: string, type?: StreamEvent['type']): StreamEvent[] {
    return this.events.filter((e) => e.stream === stream && (type === undefined || e.type === type));
  }

  /** Waits for the first event of `type` for `stream` that `match` accepts. */
  next<T extends StreamEvent['type']>(
    stream: string,
    type: T,
    match: (e: Extract<StreamEvent, { type: T }>) => boolean = () => true,
  ): Promise<Extract<StreamEvent, { type: T }>> {
    const find = async () => (this.of(stream, type) as Extract<StreamEvent, { type: T }>[]).find(match);
    return waitFor(find, (e) => e !== undefined, { timeoutMs: 20_000, everyMs: 10, what: `event ${type} of ${stream}` }) as Promise<
      Extract<StreamEvent, { type: T }>
    >;
  }

  stop(): void {
    this.subscription.unsubscribe();
  }
}

describe('StreamEvents: server advisories, drift and repair, against a real nats-server', () => {
  let server: NatsTestServer;
  let raw: NatsConnection;
  let jsm: JetStreamManager;
  const apps: INestApplication[] = [];
  const recorders: Recorder[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    raw = await connect({ servers: server.url, name: 'out-of-band' });
    jsm = await raw.jetstreamManager();
  });

  afterEach(async () => {
    recorders.splice(0).forEach((r) => r.stop());
    for (const app of apps.splice(0)) await app.close();
  });

  afterAll(async () => {
    await raw?.close();
    await server?.dispose();
  });

  async function boot(
    options: Partial<StreamsModuleOptions>,
  ): Promise<{ app: INestApplication; streams: StreamService; events: Recorder }> {
    const app = await startStreamsApp({ connection: { servers: server.url }, drainTimeoutMs: 1_000, ...options }, { logger: false });
    apps.push(app);
    const events = new Recorder(app);
    recorders.push(events);
    return { app, streams: app.get(StreamService), events };
  }

  it('forgets its cached info of a declared stream when the advisory of an out-of-band update or delete arrives, and reports how it drifted', async () => {
    const name = uniqueName('ev_drift');
    const { app, streams, events } = await boot({ streams: [declare(name, { max_msgs: 100 })] });
    expect(app.get(StreamEvents).watch).toBe('watching');
    expect((await streams.getStreamInfo(name)).config.max_msgs).toBe(100);

    const info = await jsm.streams.info(name);
    await jsm.streams.update(name, { ...info.config, max_msgs: 50 });

    // The advisory arrived: the cache entry went with it, so the next cached read asks the server.
    await events.next(name, 'updated');
    expect((await streams.getStreamInfo(name)).config.max_msgs).toBe(50);
    const drifted = await events.next(name, 'drifted');
    expect(drifted).toMatchObject({ cause: 'changed', changes: [{ field: 'max_msgs', current: 50, desired: 100 }] });
    expect(events.of(name, 'updated')[0]).toMatchObject({ type: 'updated', stream: name, declared: true });
    // The cached answer no longer says "unchanged": the app's declaration is applied again.
    await expect(streams.ensureStream(name, [`${name}.>`], { max_msgs: 100 })).resolves.toMatchObject({ action: 'updated' });

    await jsm.streams.delete(name);
    await events.next(name, 'deleted');
    await expect(streams.getStreamInfo(name)).rejects.toBeInstanceOf(StreamNotFoundError);
    await expect(events.next(name, 'drifted', (e) => e.cause === 'deleted')).resolves.toMatchObject({ changes: [] });
    expect(events.of(name, 'deleted')).toHaveLength(1);
    // `report` (the default) leaves it deleted.
    await expect(streams.streamExists(name)).resolves.toBe(false);
    expect(events.of(name, 'repaired')).toEqual([]);
  });

  it('keeps the cache of streams the app does not declare true as well (read again on the next call)', async () => {
    const name = uniqueName('ev_adhoc');
    const { streams, events } = await boot({});
    await streams.ensureStream(name, [`${name}.>`], { max_age: '1h' });
    await streams.getStreamInfo(name);

    const info = await jsm.streams.info(name);
    await jsm.streams.update(name, { ...info.config, description: 'changed by hand' });

    await waitFor(
      async () => (await streams.getStreamInfo(name)).config.description,
      (d) => d === 'changed by hand',
      {
        timeoutMs: 1_000,
        everyMs: 10,
        what: 'the update seen',
      },
    );
    expect(events.of(name).map((e) => e.type)).toEqual(['created', 'updated']);
    expect(events.of(name, 'updated')[0]).toMatchObject({ declared: false });
  });

  it('with onDrift: repair, recreates a declared stream deleted by hand and sets back a changed one', async () => {
    const name = uniqueName('ev_repair');
    const { streams, events } = await boot({
      streams: [declare(name, { max_msgs: 100, description: 'declared' })],
      reconcile: { onDrift: 'repair' },
    });

    await jsm.streams.delete(name);
    await events.next(name, 'repaired', (e) => e.action === 'created');
    const recreated = await jsm.streams.info(name);
    expect(recreated.config).toMatchObject({ max_msgs: 100, description: 'declared' });

    await jsm.streams.update(name, { ...recreated.config, max_msgs: 7 });
    await expect(events.next(name, 'repaired', (e) => e.action === 'updated')).resolves.toMatchObject({
      changes: [{ field: 'max_msgs', current: 7, desired: 100 }],
    });
    expect((await jsm.streams.info(name)).config.max_msgs).toBe(100);
    expect((await streams.getStreamInfo(name)).config.max_msgs).toBe(100);
    expect(events.of(name, 'drifted').map((e) => (e as { cause: string }).cause)).toEqual(['deleted', 'changed']);
    expect(events.of(name, 'repair-failed')).toEqual([]);
  });

  it('refuses a repair that would delete messages: a stream raised by hand above the declared max_msgs keeps them', async () => {
    const name = uniqueName('ev_keep');
    await jsm.streams.add({ name, subjects: [`${name}.>`], max_msgs: 100 });
    const js = raw.jetstream();
    for (let i = 0; i < 50; i++) await js.publish(`${name}.m`, StringCodec().encode(String(i)));

    // The declaration says 10: applying it would make the server drop 40 messages.
    const { events } = await boot({ streams: [declare(name, { max_msgs: 10 })], reconcile: { onDrift: 'repair' }, onStartupError: 'warn' });
    const info = await jsm.streams.info(name);
    // Start-up ensured it by the same rules, so it refused as well.
    expect(info.state.messages).toBe(50);
    await jsm.streams.update(name, info.config); // an out-of-band (no-op) update: the app checks and tries to repair

    const failed = await events.next(name, 'repair-failed');
    expect(failed.error).toBeInstanceOf(StreamsError);
    const after = await jsm.streams.info(name);
    expect(after.state.messages).toBe(50);
    expect(after.config.max_msgs).toBe(100);
    expect(events.of(name, 'repaired')).toEqual([]);
  });

  it('detects two apps repairing one stream back and forth, stops repairing it and reports it in events and health', async () => {
    const name = uniqueName('ev_flap');
    const reconcile = { onDrift: 'repair', maxRepairs: 2, repairWindowMs: 60_000 } as const;
    const a = await boot({ streams: [declare(name, { max_msgs: 100 })], reconcile });
    const b = await boot({ streams: [declare(name, { max_msgs: 200 })], reconcile });

    const flapping = await waitFor(
      async () => [a, b].find((app) => app.events.of(name, 'flapping').length > 0),
      (app) => app !== undefined,
      { timeoutMs: 10_000, everyMs: 10, what: 'a flapping event' },
    );
    const [x, y] = flapping === a ? [a, b] : [b, a];
    expect(x.events.of(name, 'flapping')[0]).toMatchObject({ repairs: 2, windowMs: 60_000 });

    // A change by hand: the flapping app only reports it; the other repairs it (or flaps too).
    const yRepairs = y.events.of(name, 'repaired').length;
    const info = await jsm.streams.info(name);
    await jsm.streams.update(name, { ...info.config, max_msgs: 300 });
    await waitFor(async () => x.events.of(name, 'drifted').some((e) => e.type === 'drifted' && e.changes[0]?.current === 300), Boolean, {
      timeoutMs: 5_000,
      everyMs: 10,
      what: 'the flapping app reports the hand change',
    });
    const yAnswer = await waitFor(
      async () => y.events.of(name, 'repaired')[yRepairs] ?? y.events.of(name, 'flapping')[0],
      (e) => e !== undefined,
      { timeoutMs: 5_000, everyMs: 10, what: 'the other app repairs or flaps' },
    );
    const final = yAnswer.type === 'repaired' ? 200 : 300;
    if (yAnswer.type === 'repaired') {
      await waitFor(
        async () => x.events.of(name, 'drifted').some((e) => e.type === 'drifted' && e.changes[0]?.current === 200 && e.at > yAnswer.at),
        Boolean,
        {
          timeoutMs: 5_000,
          everyMs: 10,
          what: 'the flapping app reports the repair',
        },
      );
    }

    // The fight is over: the flapping app never repaired again, and the stream stays put.
    const all = x.events.of(name);
    expect(all.slice(all.findIndex((e) => e.type === 'flapping')).filter((e) => e.type === 'repaired')).toEqual([]);
    for (const app of [a, b]) expect(app.events.of(name, 'repaired').length).toBeLessThanOrEqual(reconcile.maxRepairs);
    expect((await jsm.streams.info(name)).config.max_msgs).toBe(final);
    await delay(500);
    expect((await jsm.streams.info(name)).config.max_msgs).toBe(final);

    const health = await x.app.get(StreamMonitor).healthCheck(name);
    expect(health).toMatchObject({ healthy: false, status: 'down', reason: 'flapping' });
    expect(health.problems[0]).toMatch(/repairs stopped .* another app probably declares it differently/);
    const indicator = await x.app.get(StreamsHealthIndicator).isHealthy('streams', { details: 'full' });
    expect(JSON.stringify(indicator)).toContain('flapping');
    expect(indicator.streams.status).toBe('down');
  });

  it('falls back to the cache TTL, saying so once in the log, for a user who may not subscribe to advisories', async () => {
    const restricted = await startNatsServer({
      users: [
        { user: 'app', password: 'pw', permissions: { publish: ['$JS.API.>'], subscribe: ['_INBOX.>'] } },
        { user: 'admin', password: 'pw' },
      ],
    });
    const logs: string[] = [];
    const logger: LoggerService = { log: () => undefined, error: (m) => logs.push(String(m)), warn: (m) => logs.push(String(m)) };
    const name = uniqueName('ev_perm');
    let app: INestApplication | undefined;
    const admin = await connect({ servers: restricted.url, user: 'admin', pass: 'pw' });
    try {
      const { Test } = await import('@nestjs/testing');
      const { StreamsModule } = await import('@app/streams');
      const moduleRef = await Test.createTestingModule({
        imports: [
          StreamsModule.forRoot({
            connection: { servers: restricted.url, user: 'app', pass: 'pw' },
            cacheTtlMs: 3_000,
            drainTimeoutMs: 1_000,
            streams: [declare(name, { max_msgs: 100 })],
          }),
        ],
      }).compile();
      app = moduleRef.createNestApplication({ logger });
      await app.init();

      const events = app.get(StreamEvents);
      expect(events.watch).toBe('refused');
      const refusals = logs.filter((l) => l.includes('may not subscribe to $JS.EVENT.ADVISORY.STREAM.>'));
      expect(refusals).toHaveLength(1);
      expect(refusals[0]).toMatch(/cacheTtlMs 3000 ms/);

      // JetStream still works for this user; changes made elsewhere show after the TTL.
      const streams = app.get(StreamService);
      expect((await streams.getStreamInfo(name, { fresh: true })).config.max_msgs).toBe(100);
      const adminJsm = await admin.jetstreamManager();
      const info = await adminJsm.streams.info(name);
      await adminJsm.streams.update(name, { ...info.config, max_msgs: 60 });
      await admin.flush();
      expect((await streams.getStreamInfo(name)).config.max_msgs).toBe(100);
      await waitFor(
        async () => (await streams.getStreamInfo(name)).config.max_msgs,
        (m) => m === 60,
        { timeoutMs: 8_000, everyMs: 100, what: 'the TTL expiry' },
      );
      expect(logs.filter((l) => l.includes('may not subscribe'))).toHaveLength(1);
    } finally {
      await app?.close();
      await admin.close();
      await restricted.dispose();
    }
  });
});

describe('StreamEvents on a 3-node cluster', () => {
  let cluster: NatsTestCluster;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    cluster = await startNatsCluster({ size: 3 });
    // Right after start-up, nats-server 2.10 may still count a peer offline and refuse a 3-replica
    // stream ("no suitable peers for placement, peer offline"): wait until it places one.
    const raw = await connect({ servers: cluster.urls });
    const jsm = await raw.jetstreamManager();
    await waitFor(
      () =>
        jsm.streams.add({ name: 'placement_probe', subjects: ['placement_probe'], num_replicas: 3 }).then(
          () => 'placed',
          (err: Error) => err.message,
        ),
      (outcome) => outcome === 'placed',
      { timeoutMs: 30_000, what: 'a 3-replica stream placed' },
    );
    await jsm.streams.delete('placement_probe');
    await raw.close();
  });

  afterAll(async () => {
    await app?.close();
    await cluster?.dispose();
  });

  it('reports leader elections, and the cached info names the new leader once one is elected', async () => {
    app = await startStreamsApp(
      { connection: { servers: cluster.urls, reconnectTimeWait: 200 }, drainTimeoutMs: 1_000, operationTimeoutMs: 20_000 },
      { logger: false },
    );
    const events = new Recorder(app);
    const streams = app.get(StreamService);
    const name = uniqueName('ev_r3');

    await streams.ensureStream(name, [`${name}.>`], { num_replicas: 3 });
    const first = await events.next(name, 'leader-elected');
    expect(first).toMatchObject({ stream: name, declared: false, leader: expect.stringMatching(/^n[123]$/) });
    // A replica may answer STREAM.INFO without naming a leader: one that has not heard of the
    // election yet, or, in a group less than 10 s old, the member the meta leader preferred
    // (nats-server 2.10 does it often). The library returns such an answer but never caches it.
    const leader = await waitFor(
      async () => (await streams.getStreamInfo(name, { fresh: true })).cluster,
      (cluster) => cluster?.leader !== undefined,
      { timeoutMs: 15_000, everyMs: 100, what: 'a read naming the leader' },
    ).then((cluster) => cluster?.leader);
    expect(leader).toBe(first.leader);

    const node = cluster.nodes[Number(leader!.slice(1)) - 1];
    await node.stop('SIGKILL');
    const next = await events.next(name, 'leader-elected', (e) => e.leader !== leader);
    expect(next.replicas.map((r) => r.name)).toContain(leader);
    // The event dropped the cached info: a cached read names the new leader (an answer naming no
    // leader is not cached, so the next read asks again; an info kept from before the event
    // would name the old leader until cacheTtlMs).
    await waitFor(
      async () => (await streams.getStreamInfo(name)).cluster?.leader,
      (current) => current === next.leader,
      { timeoutMs: 5_000, everyMs: 100, what: 'a cached read naming the new leader' },
    );
    events.stop();
    await node.restart();
  });
});

describe('StreamMonitor.snapshots: late subscribers', () => {
  let server: NatsTestServer;
  let app: INestApplication | undefined;
  let spy: JsApiSpy | undefined;

  beforeAll(async () => {
    server = await startNatsServer();
  });

  afterEach(async () => {
    await spy?.close();
    await app?.close();
    spy = undefined;
    app = undefined;
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('gives a subscriber joining a running loop the latest snapshot at once; the loop still stops after the last one leaves', async () => {
    const intervalMs = 60_000;
    const name = uniqueName('late');
    app = await startStreamsApp(
      { connection: { servers: server.url }, drainTimeoutMs: 1_000, streams: [declare(name)] },
      { logger: false },
    );
    const monitor = app.get(StreamMonitor);
    const first: StreamsSnapshot[] = [];
    const firstSub = monitor.snapshots(intervalMs).subscribe((s) => first.push(s));
    await waitFor(
      async () => first.length,
      (n) => n === 1,
      { timeoutMs: 5_000, everyMs: 10, what: 'the first snapshot' },
    );

    const late: StreamsSnapshot[] = [];
    const lateSub = monitor.snapshots(intervalMs).subscribe((s) => late.push(s));
    // Synchronously, on subscribe: the next tick is a minute away.
    expect(late).toEqual([first[0]]);
    expect(late[0].streams[name]).toMatchObject({ healthy: true });

    firstSub.unsubscribe();
    lateSub.unsubscribe();
    spy = await JsApiSpy.start(server.url);
    // A subscriber after the loop stopped starts a new one: no replay of the old snapshot.
    const again: StreamsSnapshot[] = [];
    const againSub = monitor.snapshots(300).subscribe((s) => again.push(s));
    expect(again).toEqual([]);
    await waitFor(
      async () => again.length,
      (n) => n >= 2,
      { timeoutMs: 5_000, everyMs: 10, what: 'two new snapshots' },
    );
    againSub.unsubscribe();
    await spy.settle();
    const lists = spy.lists;
    await delay(1_200);
    await spy.settle();
    expect(spy.lists).toBe(lists);
  });
});
