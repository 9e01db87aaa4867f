import { RecordConflictError } from '../errors/record-conflict.error.js';
import type { StoredRecord } from '../jetstream/kv-record-store.js';
import { FleetLease, type LeaseStore } from './fleet-lease.js';

/** One key-value record with the server's compare-and-set rules. */
class FakeStore implements LeaseStore {
  record?: StoredRecord;
  private seq = 0;
  get = (): Promise<StoredRecord | undefined> => Promise.resolve(this.record);
  create = (key: string, value: unknown): Promise<number> => {
    if (this.record) return Promise.reject(new RecordConflictError('b', key, 0));
    this.record = { value, revision: ++this.seq };
    return Promise.resolve(this.seq);
  };
  update = (key: string, value: unknown, revision: number): Promise<number> => {
    if (this.record?.revision !== revision) return Promise.reject(new RecordConflictError('b', key, revision));
    this.record = { value, revision: ++this.seq };
    return Promise.resolve(this.seq);
  };
  remove = (key: string, revision: number): Promise<void> => {
    if (this.record?.revision !== revision) return Promise.reject(new RecordConflictError('b', key, revision));
    this.record = undefined;
    return Promise.resolve();
  };
}

describe('FleetLease', () => {
  let clock: number;
  let store: FakeStore;
  const lease = (me: string, leaseMs = 15_000) => new FleetLease(store, 'fleet.g.leader', me, leaseMs, () => clock);

  beforeEach(() => {
    clock = 1_000_000;
    store = new FakeStore();
  });

  it('elects exactly one of several instances that start together', async () => {
    const all = ['a', 'b', 'c'].map((me) => lease(me));
    await Promise.all(all.map((l) => l.step()));
    await Promise.all(all.map((l) => l.step()));
    expect(all.filter((l) => l.leads()).map((l) => l.me)).toEqual(['a']);
    expect(all.map((l) => l.leader())).toEqual(['a', 'a', 'a']);
  });

  it('keeps the leader while it renews, however long', async () => {
    const [a, b] = [lease('a'), lease('b')];
    await a.step();
    for (let i = 0; i < 20; i++) {
      clock += a.renewEveryMs;
      await a.step();
      await b.step();
    }
    expect(a.leads()).toBe(true);
    expect(b.leads()).toBe(false);
  });

  it('replaces a silent leader once its revision has not changed for the lease, not before', async () => {
    const [a, b] = [lease('a'), lease('b')];
    await a.step();
    await b.step(); // first sight of a's revision
    clock += 15_000 - 1;
    expect(b.takeoverDueInMs()).toBe(1);
    await b.step();
    expect(b.leads()).toBe(false);
    clock += 1;
    await b.step();
    expect(b.leads()).toBe(true);
    expect((store.record?.value as { holder: string }).holder).toBe('b');
  });

  it('a leader that cannot renew stops leading one renewal before anyone may replace it', async () => {
    const a = lease('a');
    await a.step();
    clock += 15_000 - a.renewEveryMs - 1;
    expect(a.leads()).toBe(true);
    expect(a.leadsForMs()).toBe(1);
    clock += 1;
    expect(a.leads()).toBe(false);
    expect(a.leadsForMs()).toBe(0);
  });

  it('a leader that was replaced while silent follows at its next round', async () => {
    const [a, b] = [lease('a'), lease('b')];
    await a.step();
    await b.step();
    clock += 15_000;
    await b.step();
    await a.step();
    expect(a.leads()).toBe(false);
    expect(a.leader()).toBe('b');
  });

  it('waits for the longer lease of a holder configured with one', async () => {
    const [a, b] = [lease('a', 30_000), lease('b', 3_000)];
    await a.step();
    await b.step();
    clock += 3_000;
    await b.step();
    expect(b.leads()).toBe(false);
    clock += 27_000;
    await b.step();
    expect(b.leads()).toBe(true);
  });

  it('releases the lead at shutdown so that the next round of another instance takes it', async () => {
    const [a, b] = [lease('a'), lease('b')];
    await a.step();
    await b.step();
    await a.release();
    await b.step();
    expect(b.leads()).toBe(true);
  });
});
