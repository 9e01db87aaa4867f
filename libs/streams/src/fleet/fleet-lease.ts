import { RecordConflictError } from '../errors/record-conflict.error.js';
import type { KvRecordStore } from '../jetstream/kv-record-store.js';

/** What the lease needs of the library's key-value store (a fake of it unit-tests the election). */
export type LeaseStore = Pick<KvRecordStore, 'get' | 'create' | 'update' | 'remove'>;

/** The lease record of a group: who leads, and for how long a silent holder keeps the lead. */
export interface LeaseRecord {
  /** The leading instance's id. */
  holder: string;
  /** The holder's `fleet.leaseMs`: the others wait this long after its last renewal. */
  leaseMs: number;
  /** When the holder last renewed, by its own clock (ISO 8601); for people reading the bucket. */
  renewedAt: string;
}

/**
 * One instance's side of a group's election, on one record of the library's key-value bucket
 * written only with compare-and-set on its revision. {@link step} is called every `leaseMs / 3`:
 * the holder renews (a new revision); the others remember when they first saw the current
 * revision, by their own clock, and take over with a conditional update once it has not changed
 * for the lease. Only one of several contenders can win the update of one revision.
 *
 * No clocks are compared between hosts: the holder counts from its own last successful renewal
 * and stops leading (see {@link leads}) one renewal before the others could count the lease as
 * over, so a leader cut off from the server steps down before anyone replaces it.
 */
export class FleetLease {
  /** The revision this instance wrote, and when the write was sent (local clock). */
  private held?: { revision: number; sentAt: number };
  /** The other holder's revision as first seen, and when (local clock). */
  private seen?: { revision: number; holder: string; since: number; leaseMs: number };

  constructor(
    private readonly store: LeaseStore,
    private readonly key: string,
    readonly me: string,
    private readonly leaseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** How often {@link step} should run, in ms. */
  get renewEveryMs(): number {
    return Math.floor(this.leaseMs / 3);
  }

  /** Whether this instance leads now: it holds the record and renewed it less than `leaseMs - renewEveryMs` ago. */
  leads(): boolean {
    return this.held !== undefined && this.now() - this.held.sentAt < this.leaseMs - this.renewEveryMs;
  }

  /** How much longer this instance leads if it renews no more, in ms (0 when it does not lead). */
  leadsForMs(): number {
    return this.held ? Math.max(0, this.leaseMs - this.renewEveryMs - (this.now() - this.held.sentAt)) : 0;
  }

  /**
   * In how many ms the record this instance follows may be taken over if it does not change (0:
   * now, or nothing to take over): the next round is due then, not a whole renewal later.
   */
  takeoverDueInMs(): number {
    if (!this.seen) return 0;
    return Math.max(0, this.seen.since + Math.max(this.leaseMs, this.seen.leaseMs) - this.now());
  }

  /** Whether an election has been run at least once (the role is known). */
  get decided(): boolean {
    return this.held !== undefined || this.seen !== undefined;
  }

  /** The instance that leads as far as this one knows, or undefined. */
  leader(): string | undefined {
    return this.leads() ? this.me : this.seen?.holder;
  }

  /**
   * One round: renew the lease held, else read the record and take it when it is absent or has
   * not changed for the lease. A conflict means another instance wrote first: this one follows.
   * @throws what the store throws other than a conflict (not connected, a permission refused)
   */
  async step(): Promise<void> {
    const sentAt = this.now();
    if (this.held) {
      try {
        this.held = { revision: await this.store.update(this.key, this.record(), this.held.revision), sentAt };
        return;
      } catch (err) {
        if (!(err instanceof RecordConflictError)) throw err;
        // Taken over (this instance was silent for the lease): read who leads now.
        this.held = undefined;
      }
    }
    const current = await this.store.get(this.key);
    if (!current) return this.write(() => this.store.create(this.key, this.record()), sentAt);
    const value = current.value as Partial<LeaseRecord>;
    if (value.holder === this.me) return this.write(() => this.store.update(this.key, this.record(), current.revision), sentAt);
    if (!this.seen || this.seen.revision !== current.revision) {
      const leaseMs = typeof value.leaseMs === 'number' ? value.leaseMs : this.leaseMs;
      this.seen = { revision: current.revision, holder: String(value.holder), since: sentAt, leaseMs };
      return;
    }
    // The holder's own lease counts when it is longer: it steps down by its own setting.
    if (sentAt - this.seen.since >= Math.max(this.leaseMs, this.seen.leaseMs)) {
      await this.write(() => this.store.update(this.key, this.record(), current.revision), sentAt);
    }
  }

  /** Gives the lead up at shutdown, so another instance takes over at its next round. */
  async release(): Promise<void> {
    const held = this.held;
    this.held = undefined;
    if (!held) return;
    await this.store.remove(this.key, held.revision).catch(() => undefined);
  }

  private async write(attempt: () => Promise<number>, sentAt: number): Promise<void> {
    try {
      this.held = { revision: await attempt(), sentAt };
      this.seen = undefined;
    } catch (err) {
      if (!(err instanceof RecordConflictError)) throw err;
      // Another instance won this revision: the next round reads it.
      this.seen = undefined;
    }
  }

  private record(): LeaseRecord {
    return { holder: this.me, leaseMs: this.leaseMs, renewedAt: new Date(this.now()).toISOString() };
  }
}
