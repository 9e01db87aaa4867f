import { jest } from '@jest/globals';
import type { ServerStreamInfo } from '../server/server-stream.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import { DriftRepair, type DriftRepairDeps } from './drift-repair.js';
import { RepairGuard } from './repair-guard.js';
import type { StreamEvent } from './stream-event.js';

/** A fake server of streams that only have `max_msgs`, and the reconciler calls over it. */
class FakeServer {
  readonly streams = new Map<string, number>();
  readonly requests: string[] = [];
  ensureError?: Error;

  info(name: string): ServerStreamInfo | null {
    const max = this.streams.get(name);
    return max === undefined ? null : ({ config: { name, max_msgs: max }, state: {} } as unknown as ServerStreamInfo);
  }

  reconciler(): DriftRepairDeps['reconciler'] {
    return {
      read: async (name) => (this.requests.push(`INFO ${name}`), this.info(name)),
      listAll: async () => {
        this.requests.push('LIST');
        return new Map([...this.streams.keys()].map((name) => [name, this.info(name)!]));
      },
      compare: (desired, current) => {
        const want = (desired.config as { max_msgs: number }).max_msgs;
        const changes =
          current && current.config.max_msgs !== want ? [{ field: 'max_msgs', current: current.config.max_msgs, desired: want }] : [];
        return { desired, current, diff: { changes, conflicts: [] } } as never;
      },
      ensure: async (desired) => {
        this.requests.push(`ENSURE ${desired.name}`);
        if (this.ensureError) throw this.ensureError;
        const before = this.info(desired.name);
        const want = (desired.config as { max_msgs: number }).max_msgs;
        this.streams.set(desired.name, want);
        const action = !before ? 'created' : before.config.max_msgs === want ? 'unchanged' : 'updated';
        return { name: desired.name, action, changes: [], info: this.info(desired.name)! } as never;
      },
    };
  }
}

describe('DriftRepair', () => {
  let server: FakeServer;
  let events: StreamEvent[];
  let cache: Map<string, ServerStreamInfo>;
  const declared = (max: number) => (name: string) => ({ name, config: { name, max_msgs: max } }) as unknown as DesiredStream;

  function driftRepair(
    onDrift: 'report' | 'repair',
    maxRepairs = 3,
    desired: (name: string) => DesiredStream | undefined = declared(10),
    leads = true,
  ): DriftRepair {
    return new DriftRepair({
      reconciler: server.reconciler(),
      declared: { desired },
      cached: (name) => cache.get(name),
      onDrift,
      leads: () => leads,
      concurrency: 4,
      guard: new RepairGuard(maxRepairs, 60_000),
      emit: (e) => events.push(e),
      logger: { log: () => undefined, warn: () => undefined },
      stopping: () => false,
    });
  }

  beforeEach(() => {
    jest.useFakeTimers();
    server = new FakeServer();
    events = [];
    cache = new Map();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('reports a changed and a deleted declared stream, and leaves them in report mode', async () => {
    server.streams.set('a', 99);
    const drift = driftRepair('report');
    drift.check('a');
    drift.check('b');
    await jest.advanceTimersByTimeAsync(50);

    expect(events.map((e) => [e.type, e.stream, (e as { cause?: string }).cause])).toEqual([
      ['drifted', 'a', 'changed'],
      ['drifted', 'b', 'deleted'],
    ]);
    expect(server.requests).toEqual(['INFO a', 'INFO b']);
    expect(server.streams.get('a')).toBe(99);
  });

  it("in a fleet's follower, reports drift in repair mode but leaves the repair to the leader", async () => {
    server.streams.set('a', 99);
    const drift = driftRepair('repair', 3, declared(10), false);
    drift.check('a');
    await jest.advanceTimersByTimeAsync(50);
    expect(events.map((e) => [e.type, e.stream])).toEqual([['drifted', 'a']]);
    expect(server.requests.filter((r) => r.startsWith('ENSURE'))).toEqual([]);
    expect(server.streams.get('a')).toBe(99);
  });

  it('says nothing for a stream that matches its declaration, or that is not declared', async () => {
    server.streams.set('a', 10);
    const drift = driftRepair('repair', 3, (name) => (name === 'a' ? declared(10)(name) : undefined));
    drift.check('a');
    drift.check('other');
    await jest.advanceTimersByTimeAsync(50);
    expect(events).toEqual([]);
    expect(server.requests.filter((r) => r.startsWith('ENSURE'))).toEqual([]);
  });

  it("takes an info cached since the event (the answer to the app's own write) instead of reading", async () => {
    server.streams.set('a', 10);
    server.streams.set('b', 99);
    cache.set('a', server.info('a')!);
    const drift = driftRepair('report');
    drift.check('a');
    drift.check('b');
    await jest.advanceTimersByTimeAsync(50);
    expect(server.requests).toEqual(['INFO b']);
    expect(events.map((e) => e.stream)).toEqual(['b']);
  });

  it('checks a burst of events with one list instead of one read per stream, each stream once', async () => {
    const drift = driftRepair('report');
    for (const name of ['a', 'b', 'c', 'd', 'e', 'a', 'b']) drift.check(name);
    await jest.advanceTimersByTimeAsync(50);
    expect(server.requests).toEqual(['LIST']);
    expect(events).toHaveLength(5);
  });

  it('repairs drift through ensure, and reports what ensure did', async () => {
    server.streams.set('a', 99);
    const drift = driftRepair('repair');
    drift.check('a');
    drift.check('b');
    await jest.advanceTimersByTimeAsync(50);

    expect(events.filter((e) => e.type === 'repaired').map((e) => [e.stream, (e as { action: string }).action])).toEqual([
      ['a', 'updated'],
      ['b', 'created'],
    ]);
    expect(server.streams.get('a')).toBe(10);
    expect(server.streams.get('b')).toBe(10);
  });

  it('reports a refused repair with its error and leaves the stream', async () => {
    server.streams.set('a', 99);
    server.ensureError = new Error('would delete 40 messages');
    const drift = driftRepair('repair');
    drift.check('a');
    await jest.advanceTimersByTimeAsync(50);
    expect(events.map((e) => e.type)).toEqual(['drifted', 'repair-failed']);
    expect((events[1] as { error: Error }).error.message).toBe('would delete 40 messages');
    expect(server.streams.get('a')).toBe(99);
  });

  it('stops repairing a stream that drifts again after maxRepairs repairs, and says so once', async () => {
    const drift = driftRepair('repair', 2);
    for (let round = 0; round < 4; round++) {
      server.streams.set('a', 100 + round); // another app sets it back
      drift.check('a');
      await jest.advanceTimersByTimeAsync(50);
    }
    expect(events.map((e) => e.type)).toEqual(['drifted', 'repaired', 'drifted', 'repaired', 'drifted', 'flapping', 'drifted']);
    expect(events[5]).toMatchObject({ type: 'flapping', stream: 'a', repairs: 2, windowMs: 60_000 });
    expect(server.streams.get('a')).toBe(103);
  });
});
