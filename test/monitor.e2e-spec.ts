import type { INestApplication } from '@nestjs/common';
import { StreamMonitor, type StreamsSnapshot } from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { setTimeout as delay } from 'node:timers/promises';
import type { Subscription } from 'rxjs';
import { startHealthTestApp } from './support/health-test-app.js';
import { JsApiSpy } from './support/js-api-spy.js';
import { waitFor } from './support/wait.js';
import { uniqueName } from './support/streams-fixture.js';

/** Everything one subscriber of `StreamMonitor.snapshots` received. */
class Recorder {
  readonly snapshots: StreamsSnapshot[] = [];
  errors: unknown[] = [];
  completed = false;
  readonly subscription: Subscription;

  constructor(monitor: StreamMonitor, intervalMs: number) {
    this.subscription = monitor.snapshots(intervalMs).subscribe({
      next: (s) => this.snapshots.push(s),
      error: (e: unknown) => this.errors.push(e),
      complete: () => (this.completed = true),
    });
  }

  get last(): StreamsSnapshot | undefined {
    return this.snapshots.at(-1);
  }
}

describe('StreamMonitor.snapshots against a real nats-server', () => {
  const intervalMs = 300;
  let server: NatsTestServer | undefined;
  let app: INestApplication | undefined;
  let spy: JsApiSpy | undefined;
  let recorders: Recorder[] = [];

  afterEach(async () => {
    recorders.forEach((r) => r.subscription.unsubscribe());
    recorders = [];
    await spy?.close().catch(() => undefined);
    await app?.close();
    await server?.dispose();
    spy = undefined;
    app = undefined;
    server = undefined;
  });

  async function boot(streams: string[]): Promise<StreamMonitor> {
    server = await startNatsServer();
    app = await startHealthTestApp({
      connection: { servers: server.url, reconnectTimeWait: 200 },
      monitorIntervalMs: intervalMs,
      drainTimeoutMs: 1_000,
      streams: streams.map((name) => ({ name, subjects: [`${name}.>`] })),
    });
    spy = await JsApiSpy.start(server.url);
    return app.get(StreamMonitor);
  }

  it('shares one loop among 3 subscribers: one STREAM.LIST per tick, no per-stream requests', async () => {
    const names = [uniqueName('m1'), uniqueName('m2'), uniqueName('m3')];
    const service = await boot(names);

    recorders = [0, 1, 2].map(() => new Recorder(service, intervalMs));
    await waitFor(
      async () => recorders[0].snapshots.length,
      (n) => n >= 6,
      { timeoutMs: 10_000, everyMs: 50 },
    );
    recorders.forEach((r) => r.subscription.unsubscribe());
    await spy!.settle();

    const ticks = recorders[0].snapshots.length;
    const apiRequests = spy!.subjects;
    expect(apiRequests.length).toBeGreaterThan(0);
    expect(apiRequests.every((s) => s === '$JS.API.STREAM.LIST')).toBe(true);
    expect(spy!.lists).toBeGreaterThanOrEqual(ticks - 1);
    expect(spy!.lists).toBeLessThanOrEqual(ticks + 1);
    // The three subscribers got the same snapshots, not three loops' worth.
    for (const r of recorders.slice(1)) {
      expect(r.snapshots.map((s) => s.at)).toEqual(recorders[0].snapshots.slice(0, r.snapshots.length).map((s) => s.at));
    }
    const last = recorders[0].last!;
    expect(last.healthy).toBe(true);
    expect(Object.keys(last.streams).sort()).toEqual([...names].sort());
    expect(last.streams[names[0]]).toMatchObject({ name: names[0], healthy: true, status: 'up', drift: [] });
  });

  it('stops polling after the last subscriber leaves, and starts again for a new one', async () => {
    const service = await boot([uniqueName('stop')]);
    recorders = [0, 1, 2].map(() => new Recorder(service, intervalMs));
    await waitFor(
      async () => recorders[0].snapshots.length,
      (n) => n >= 3,
      { timeoutMs: 10_000, everyMs: 50 },
    );

    recorders[0].subscription.unsubscribe();
    recorders[1].subscription.unsubscribe();
    await spy!.settle();
    const whileOneLeft = spy!.lists;
    // One subscriber left: the loop keeps polling.
    await waitFor(
      async () => (await spy!.settle(), spy!.lists),
      (n) => n > whileOneLeft,
      { timeoutMs: 5_000, everyMs: 50, what: 'another list' },
    );

    recorders[2].subscription.unsubscribe();
    await delay(intervalMs);
    await spy!.settle();
    const afterLast = spy!.lists;
    await delay(intervalMs * 4);
    await spy!.settle();
    expect(spy!.lists).toBe(afterLast);

    const again = new Recorder(service, intervalMs);
    recorders.push(again);
    await waitFor(
      async () => again.snapshots.length,
      (n) => n >= 2,
      { timeoutMs: 10_000, everyMs: 50 },
    );
    await spy!.settle();
    expect(spy!.lists).toBeGreaterThan(afterLast);
  });

  it('emits error snapshots, not an error, while the server is down, and recovers by itself after a restart', async () => {
    const name = uniqueName('outage');
    const service = await boot([name]);
    const recorder = new Recorder(service, intervalMs);
    recorders = [recorder];
    await waitFor(
      async () => recorder.last?.healthy,
      (h) => h === true,
      { timeoutMs: 10_000, everyMs: 50 },
    );

    await server!.stop('SIGKILL');
    await waitFor(
      async () => recorder.snapshots.filter((s) => s.error).length,
      (n) => n >= 3,
      { timeoutMs: 10_000, everyMs: 50 },
    );
    const failed = recorder.snapshots.filter((s) => s.error);

    expect(recorder.errors).toEqual([]);
    expect(recorder.completed).toBe(false);
    for (const s of failed) {
      expect(s).toMatchObject({ healthy: false, error: expect.stringMatching(/NATS|connect|timed out/i), streams: {} });
    }

    await server!.restart();
    await waitFor(
      async () => recorder.last,
      (s) => !!s && s.healthy && !s.error,
      { timeoutMs: 15_000, everyMs: 50 },
    );

    expect(recorder.last!.streams[name]).toMatchObject({ healthy: true, status: 'up' });
    expect(recorder.errors).toEqual([]);
    expect(recorder.completed).toBe(false);
  });

  it('completes every subscriber at module shutdown, leaving no loop behind', async () => {
    const service = await boot([uniqueName('end')]);
    recorders = [new Recorder(service, intervalMs), new Recorder(service, intervalMs * 2)];
    await waitFor(
      async () => recorders.map((r) => r.snapshots.length),
      (n) => n.every((c) => c >= 1),
      { timeoutMs: 10_000, everyMs: 50 },
    );
    const held = service.snapshots(intervalMs);

    await app!.close();

    expect(recorders.map((r) => r.completed)).toEqual([true, true]);
    expect(recorders.flatMap((r) => r.errors)).toEqual([]);
    const late = new Recorder(service, intervalMs);
    expect(late.completed).toBe(true);
    expect(late.snapshots).toEqual([]);
    // An Observable taken before shutdown and subscribed after it must not start a timer either.
    const emitted: StreamsSnapshot[] = [];
    let heldCompleted = false;
    held.subscribe({ next: (s) => emitted.push(s), complete: () => (heldCompleted = true) });
    await delay(intervalMs * 2);
    expect(heldCompleted).toBe(true);
    expect(emitted).toEqual([]);
    app = undefined;
  });
});
