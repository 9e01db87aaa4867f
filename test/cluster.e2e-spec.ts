import type { INestApplicationContext } from '@nestjs/common';
import {
  ConnectionService,
  JetStreamApiError,
  NatsNotConnectedError,
  StreamCapacityError,
  StreamMonitor,
  StreamService,
  type StreamHealth,
  type StreamsModuleOptions,
} from '@app/streams';
import { startNatsCluster, type NatsTestCluster, type NatsTestServer } from '@app/streams/testing';
import { startStreamsApp } from './support/streams-app.js';
import { waitFor } from './support/wait.js';
import { uniqueName } from './support/streams-fixture.js';

/**
 * Issue 5 on a real 3-node JetStream cluster on loopback. Runs against whichever nats-server
 * NATS_SERVER_CHANNEL selects (bookworm 2.9.x, trixie 2.10.x, unstable 2.15.x); all must pass.
 */
const CLUSTER_NAME = 'issue5-cluster';
/** Every node's max_file_store: small, so a stream can ask for more than any server holds. */
const MAX_FILE_STORE = 50 * 1024 * 1024;
const MESSAGES = 1000;

/** Prints a measured figure when NATS_CLUSTER_FIGURES is set (no assertion rides on it). */
function figure(label: string, value: number | string): void {
  if (process.env.NATS_CLUSTER_FIGURES)
    process.stdout.write(`[cluster figure] ${label}: ${value}${typeof value === 'number' ? ' ms' : ''}\n`);
}

describe('StreamService on a 3-node JetStream cluster', () => {
  let cluster: NatsTestCluster;
  let app: INestApplicationContext | undefined;

  async function boot(options: Partial<StreamsModuleOptions> = {}): Promise<StreamService> {
    app = await startStreamsApp({
      connection: { servers: cluster.urls, name: 'cluster-e2e', reconnectTimeWait: 200 },
      // Every read goes to the server: a cached answer would hide a missing leader.
      cacheTtlMs: 0,
      requestTimeoutMs: 1_000,
      operationTimeoutMs: 10_000,
      ...options,
    });
    return app.get(StreamService);
  }

  /**
   * Publishes `count` messages. Right after a replicated stream is created, the node this client
   * talks to may not know the stream's subjects yet (interest travels over the routes) and answers
   * 503 "no responders" for a moment (seen on 2.15.1): nothing was stored, so the first message is
   * sent again until the stream acknowledges it.
   */
  async function publish(subject: string, count: number): Promise<void> {
    const js = app!.get(ConnectionService).getJetStream();
    const send = (i: number) => js.publish(subject, new TextEncoder().encode(`m${i}`));
    await waitFor(
      () =>
        send(0).then(
          () => true,
          (e: { code?: string }) => (e.code === '503' ? false : Promise.reject(e)),
        ),
      (stored) => stored,
      { timeoutMs: 10_000, everyMs: 100, what: `the stream capturing ${subject} acknowledging a publish` },
    );
    for (let i = 1; i < count; i++) await send(i);
  }

  /** The harness node behind a server_name `n1`..`n3`. */
  function node(serverName: string | undefined): NatsTestServer {
    const index = Number(/^n(\d+)$/.exec(serverName ?? '')?.[1]) - 1;
    const found = cluster.nodes[index];
    if (!found) throw new Error(`No harness node named ${String(serverName)}`);
    return found;
  }

  beforeAll(async () => {
    cluster = await startNatsCluster({ size: 3, clusterName: CLUSTER_NAME, maxFileStore: MAX_FILE_STORE });
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    const stopped = cluster.nodes.filter((n) => !n.running);
    await Promise.all(stopped.map((n) => n.restart()));
    if (stopped.length) await cluster.waitForMetaLeader(30_000);
  });

  afterAll(async () => {
    await cluster?.dispose();
  });

  it('scales an R3 stream to R1 and back to R3 in place, keeping all 1000 messages', async () => {
    const streams = await boot();
    const name = uniqueName('scale');
    const subjects = [`${name}.>`];

    const created = await streams.ensureStream(name, subjects, { num_replicas: 3 });
    await publish(`${name}.x`, MESSAGES);
    const toR1 = await streams.ensureStream(name, subjects, { num_replicas: 1 });
    const afterR1 = await streams.getStreamInfo(name, { fresh: true });
    const toR3 = await streams.ensureStream(name, subjects, { num_replicas: 3 });
    const afterR3 = await streams.getStreamInfo(name, { fresh: true });
    const repeat = await streams.ensureStream(name, subjects, { num_replicas: 3 });

    expect(created.action).toBe('created');
    expect(created.info.config.num_replicas).toBe(3);
    expect(toR1.action).toBe('updated');
    expect(toR1.changes.map((c) => c.field)).toEqual(['num_replicas']);
    expect(afterR1.config.num_replicas).toBe(1);
    expect(afterR1.state.messages).toBe(MESSAGES);
    expect(toR3.action).toBe('updated');
    expect(afterR3.config.num_replicas).toBe(3);
    expect(afterR3.state.messages).toBe(MESSAGES);
    expect(repeat.action).toBe('unchanged');
    // The new replicas catch up with the leader: every one ends current with all messages.
    const settled = await waitFor(
      () => streams.getStreamInfo(name, { fresh: true }),
      (i) => !!i.cluster?.leader && i.cluster.replicas?.length === 2 && i.cluster.replicas.every((r) => r.current),
      { timeoutMs: 30_000, everyMs: 250, what: 'all three replicas current' },
    );
    expect(settled.state.messages).toBe(MESSAGES);
  });

  it('splits a placement change asked together with a replica change into two updates', async () => {
    const streams = await boot();
    const name = uniqueName('place');
    const subjects = [`${name}.>`];
    await streams.ensureStream(name, subjects, { num_replicas: 3 });
    await publish(`${name}.x`, 10);
    const declared = { num_replicas: 1, placement: { cluster: CLUSTER_NAME } };

    // The server alone refuses this in one update (10123 "can not move and scale a stream in a
    // single update", on 2.9 and 2.15); the service scales first, then changes the placement. 2.15
    // answers the second update 10226 "reconfiguration already in progress" for ~0.5 s: retried.
    const result = await streams.ensureStream(name, subjects, declared);
    const info = await streams.getStreamInfo(name, { fresh: true });
    const repeat = await streams.ensureStream(name, subjects, declared);

    expect(result.action).toBe('updated');
    expect(result.changes.map((c) => c.field).sort()).toEqual(['num_replicas', 'placement']);
    expect(info.config.num_replicas).toBe(1);
    expect(info.config.placement).toMatchObject({ cluster: CLUSTER_NAME });
    expect(info.state.messages).toBe(10);
    expect(repeat.action).toBe('unchanged');
  });

  it.each([1, 3])('refuses max_bytes larger than any server holds (R%i) with StreamCapacityError, creating nothing', async (replicas) => {
    const streams = await boot();
    const name = uniqueName(`big_r${replicas}`);

    const error = await streams
      .ensureStream(name, [`${name}.>`], { num_replicas: replicas, max_bytes: 1024 * 1024 * 1024 })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StreamCapacityError);
    expect((error as StreamCapacityError).stream).toBe(name);
    expect((error as Error).message).toMatch(/Lower max_bytes or num_replicas/);
    expect(await streams.streamExists(name)).toBe(false);
  });

  it('recovers from the loss of the stream leader within 10 s, reports the missing replica, and is up again after a restart', async () => {
    const streams = await boot();
    const name = uniqueName('failover');
    const subjects = [`${name}.>`];
    await streams.ensureStream(name, subjects, { num_replicas: 3 });
    await publish(`${name}.x`, MESSAGES);
    const before = await waitFor(
      () => streams.getStreamInfo(name, { fresh: true }),
      (i) => !!i.cluster?.leader && (i.cluster.replicas ?? []).every((r) => r.current),
      { timeoutMs: 30_000, everyMs: 250, what: 'a leader with current replicas' },
    );
    const leaderName = before.cluster!.leader!;
    const leader = node(leaderName);

    const killedAt = Date.now();
    await leader.stop('SIGKILL');
    // The library's transient retry carries a call through the election. A call made while the
    // client knows it lost its server (it was connected to the killed node) fails at once with
    // NatsNotConnectedError, as documented: made again, as an app would, once reconnected.
    const info = await onceConnected(() => streams.getStreamInfo(name, { fresh: true }));
    const recoveredMs = Date.now() - killedAt;
    const ensured = await onceConnected(() => streams.ensureStream(name, subjects, { num_replicas: 3 }));
    const ensuredMs = Date.now() - killedAt;
    figure('getStreamInfo after leader kill', recoveredMs);
    figure('ensureStream after leader kill', ensuredMs);

    // How long the election took is reported above, not asserted: speed belongs to bench/.
    expect(info.cluster?.leader).toBeDefined();
    expect(info.cluster?.leader).not.toBe(leaderName);
    expect(info.state.messages).toBe(MESSAGES);
    expect(ensured.action).toBe('unchanged');

    const degraded = await waitFor(
      () => app!.get(StreamMonitor).healthCheck(name),
      (h: StreamHealth) => h.status === 'degraded',
      { timeoutMs: 10_000, everyMs: 250, what: 'health degraded' },
    );
    expect(degraded.healthy).toBe(true); // degradedReplicas defaults to 'up'
    expect(degraded.cluster?.leader).not.toBe(leaderName);
    expect(degraded.cluster?.replicas.find((r) => r.name === leaderName)?.state).not.toBe('current');
    expect(degraded.problems.join('; ')).toContain(leaderName);

    const restartedAt = Date.now();
    await leader.restart();
    const up = await waitFor(
      () => app!.get(StreamMonitor).healthCheck(name),
      (h: StreamHealth) => h.status === 'up',
      { timeoutMs: 30_000, everyMs: 250, what: 'health up' },
    );
    figure('health up after restart', Date.now() - restartedAt);

    expect(up.healthy).toBe(true);
    expect(up.problems).toEqual([]);
    expect(up.cluster?.replicas).toHaveLength(2);
    expect(up.cluster?.replicas.every((r) => r.state === 'current')).toBe(true);
    expect(up.messages).toBe(MESSAGES);
    expect(up.last_seq).toBe(MESSAGES);
  });

  it('fails to create an R3 stream with 2 of 3 nodes down quickly, with an error saying the cluster has no quorum', async () => {
    const operationTimeoutMs = 3_000;
    const streams = await boot({ operationTimeoutMs });
    const connectedTo = app!.get(ConnectionService).getConnection().getServer();
    const others = cluster.nodes.filter((n) => !connectedTo.endsWith(`:${n.port}`));
    expect(others).toHaveLength(2);
    // A running app: its JetStream manager was made while the cluster was whole. (A manager made
    // after the quorum is gone fails in ConnectionService before the retry; see the report.)
    await streams.listStreams();
    await Promise.all(others.map((n) => n.stop('SIGKILL')));
    const name = uniqueName('noquorum');

    const started = Date.now();
    const error = await streams.ensureStream(name, [`${name}.>`], { num_replicas: 3 }).catch((e: unknown) => e);
    const failedMs = Date.now() - started;
    figure('ensureStream R3 with 2 of 3 down fails after', failedMs);
    figure('ensureStream R3 with 2 of 3 down error', (error as Error).message);

    // 2.9 answers the read "not found" from its stale view and fails at the create; 2.15 fails the
    // read. Either way the answer is a timeout or 10008 for the whole deadline: no meta leader.
    expect(error).toBeInstanceOf(JetStreamApiError);
    expect((error as Error).message).toMatch(/majority of its servers/);
    expect((error as Error).message).toMatch(/after retrying for \d+ ms/);
    expect(['TIMEOUT', '503']).toContain((error as JetStreamApiError).code);
    // At most one bounded operation for the read and one for the create, never endless retries.
    expect(failedMs).toBeLessThan(2 * operationTimeoutMs + 2_000);
  });
});

/** Runs `call`, again while it fails with `NatsNotConnectedError` (the client is between servers). */
async function onceConnected<T>(call: () => Promise<T>): Promise<T> {
  const outcome = await waitFor(
    () =>
      call().then(
        (value) => ({ value }),
        (err: unknown) => {
          if (err instanceof NatsNotConnectedError) return undefined;
          throw err;
        },
      ),
    (result) => result !== undefined,
    { timeoutMs: 30_000, everyMs: 100, what: 'the call made once reconnected' },
  );
  return outcome!.value;
}
