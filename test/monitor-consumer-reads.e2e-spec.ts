import type { INestApplication } from '@nestjs/common';
import { ConnectionService, StreamMonitor, type StreamsSnapshot } from '@app/streams';
import { StreamsHealthIndicator } from '@app/streams/health';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { connect, type NatsConnection } from 'nats';
import { startHealthTestApp } from './support/health-test-app.js';
import { JsApiSpy } from './support/js-api-spy.js';
import { uniqueName } from './support/streams-fixture.js';

/** The consumer lists among a read's requests, by stream, in any order. */
const consumerLists = (requests: string[]): string[] =>
  requests
    .filter((r) => r.startsWith('CONSUMER.LIST.'))
    .map((r) => r.slice('CONSUMER.LIST.'.length))
    .sort();

describe('StreamMonitor consumerReadsPerTick against a real nats-server', () => {
  let server: NatsTestServer | undefined;
  let app: INestApplication | undefined;
  let spy: JsApiSpy | undefined;
  let nc: NatsConnection | undefined;

  afterEach(async () => {
    await spy?.close().catch(() => undefined);
    await nc?.close().catch(() => undefined);
    await app?.close();
    await server?.dispose();
    spy = app = nc = server = undefined;
  });

  /** An app declaring `names`, each stream with the consumer `worker`; no loop runs (the interval is long), each read(0) is one tick. */
  async function boot(names: string[], consumerReadsPerTick?: number) {
    server = await startNatsServer();
    app = await startHealthTestApp({
      connection: { servers: server.url },
      monitorIntervalMs: 600_000,
      ...(consumerReadsPerTick === undefined ? {} : { consumerReadsPerTick }),
      streams: names.map((name) => ({ name, subjects: [`${name}.>`], consumers: [{ durable_name: 'worker' }] })),
    });
    spy = await JsApiSpy.start(server.url);
    nc = await connect({ servers: server.url });
    const monitor = app.get(StreamMonitor);
    const via = app.get(ConnectionService).getConnection();
    const tick = async (): Promise<{ snapshot: StreamsSnapshot; lists: string[] }> => {
      const spied = await spy!.during(via, () => monitor.read(0));
      return { snapshot: spied.result!, lists: consumerLists(spied.requests) };
    };
    return { tick };
  }

  it("reads every stream's consumers on every tick by default, and says when", async () => {
    const names = [uniqueName('all'), uniqueName('all'), uniqueName('all')];
    const { tick } = await boot(names);

    const first = await tick();
    const second = await tick();

    expect(first.lists).toEqual([...names].sort());
    expect(second.lists).toEqual([...names].sort());
    for (const name of names) {
      expect(second.snapshot.streams[name].consumers?.worker.exists).toBe(true);
      expect(Date.parse(second.snapshot.streams[name].consumersReadAt!)).toBeGreaterThan(
        Date.parse(first.snapshot.streams[name].consumersReadAt!),
      );
    }
  });

  it("reads at most consumerReadsPerTick streams per tick, the oldest first, and keeps the others' facts with their age", async () => {
    const names = [uniqueName('spread'), uniqueName('spread'), uniqueName('spread'), uniqueName('spread')];
    const { tick } = await boot(names, 2);

    const ticks = [await tick(), await tick(), await tick()];

    // Two lists per tick; the first two ticks read all four streams once, the third the oldest two again.
    expect(ticks.map((t) => t.lists.length)).toEqual([2, 2, 2]);
    expect([...ticks[0].lists, ...ticks[1].lists].sort()).toEqual([...names].sort());
    expect(ticks[2].lists).toEqual(ticks[0].lists);
    const last = ticks[1].snapshot;
    for (const name of names) {
      // Every stream has its consumer facts, each with the time of the read they come from.
      expect(last.streams[name].consumers?.worker.exists).toBe(true);
      const readIn = ticks[0].lists.includes(name) ? ticks[0].snapshot : last;
      expect(last.streams[name].consumersReadAt).toBe(readIn.streams[name].consumersReadAt);
    }
    const older = ticks[0].lists[0];
    expect(Date.parse(last.streams[older].consumersReadAt!)).toBeLessThanOrEqual(Date.parse(last.at));
    expect(last.streams[older].consumersReadAt).not.toBe(last.streams[ticks[1].lists[0]].consumersReadAt);
    // Health says how long a consumer change can go unseen: two rounds of ceil(4 / 2) ticks.
    const health = await app!.get(StreamsHealthIndicator).isHealthy('streams');
    expect(health.streams).toMatchObject({ consumerChangesSeenWithinMs: 2 * 2 * 600_000 });
  });

  it('reads first a stream whose consumer count changed, so a deleted consumer shows in the next tick', async () => {
    const names = [uniqueName('count'), uniqueName('count'), uniqueName('count'), uniqueName('count')];
    const { tick } = await boot(names, 1);
    for (let i = 0; i < names.length; i++) await tick(); // each stream's consumers read once
    const jsm = await nc!.jetstreamManager();
    const victim = names[2];

    await jsm.consumers.delete(victim, 'worker');
    const next = await tick();

    expect(next.lists).toEqual([victim]);
    expect(next.snapshot.streams[victim]).toMatchObject({ healthy: false, reason: 'consumer-not-found' });
    expect(next.snapshot.healthy).toBe(false);
  });

  it('refuses a consumerReadsPerTick that is not a whole number from 0, before connecting', async () => {
    await expect(startHealthTestApp({ connection: { servers: 'nats://127.0.0.1:1' }, consumerReadsPerTick: -1 })).rejects.toThrow(
      /consumerReadsPerTick/,
    );
  });
});
