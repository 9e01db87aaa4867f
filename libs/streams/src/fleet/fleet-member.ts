import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { BehaviorSubject, distinctUntilChanged, filter, type Observable, type Subscription, take } from 'rxjs';
import { ConnectionService } from '../connection/connection.service.js';
import { JetStreamApi } from '../jetstream/jetstream-api.js';
import { KvRecordStore } from '../jetstream/kv-record-store.js';
import { logContext, STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import type { StreamsSnapshot } from '../monitoring/stream-monitor.js';
import { FleetLease } from './fleet-lease.js';
import { SnapshotChannel, type SharedSnapshot } from './snapshot-channel.js';

/**
 * An instance's part in its fleet group: `solo` monitors alone (no fleet, the fleet's bucket
 * refused, or no election run yet), `leader` monitors and repairs for the group, `follower`
 * takes the leader's snapshots.
 */
export type FleetRole = 'solo' | 'leader' | 'follower';

/** Least time between two warnings of a failed lease round or publish, in ms. */
const WARN_EVERY_MS = 60_000;

/**
 * One instance of a fleet group (`forRoot({ fleet: { group } })`): runs the group's election
 * (see {@link FleetLease}) every `leaseMs / 3` from application bootstrap (or from when the
 * connection first opens, if it was not open yet then), publishes the leader's
 * snapshots and keeps the latest one received. Does nothing without the `fleet` option.
 *
 * Permissions it needs beyond the library's bucket ones (see `KvRecordStore`): subscribing to
 * `$KV.nestjs-jetstream-streams.fleet.<group>.>`. A user refused any of them gets one warning and
 * the instance monitors alone.
 */
@Injectable()
export class FleetMember implements OnApplicationBootstrap, OnModuleDestroy {
  /** This instance's id in its group: host, process and a random part. */
  readonly id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly logger: Logger;
  private readonly roles = new BehaviorSubject<FleetRole>('solo');
  private lease?: FleetLease;
  private channel?: SnapshotChannel;
  private latest?: SharedSnapshot & { receivedAt: number };
  private loading?: Promise<void>;
  private lastLoad = -Infinity;
  private publishing = false;
  private next?: StreamsSnapshot;
  private timer?: NodeJS.Timeout;
  private stepDown?: NodeJS.Timeout;
  private announced: FleetRole = 'solo';
  private refused = false;
  private stopped = false;
  private lastWarning = -Infinity;
  /** Waits for the connection to open, when it was not open at application bootstrap. */
  private opening?: Subscription;

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    private readonly connection: ConnectionService,
    private readonly api: JetStreamApi,
  ) {
    this.logger = new Logger(logContext(options.name));
  }

  /** The role now; a leader whose last renewal is too old is no longer one (see {@link FleetLease.leads}). */
  get role(): FleetRole {
    if (!this.lease || this.refused || !this.lease.decided) return 'solo';
    return this.lease.leads() ? 'leader' : 'follower';
  }

  /** The role after each election round (and `solo` until the first). */
  get role$(): Observable<FleetRole> {
    return this.roles.pipe(distinctUntilChanged());
  }

  /** The group's leader as this instance knows it, or undefined. */
  get leader(): string | undefined {
    return this.role === 'solo' ? undefined : this.lease?.leader();
  }

  onApplicationBootstrap(): void {
    if (!this.options.fleet || this.stopped) return;
    if (this.connection.currentStatus.type === 'connecting') {
      // Not open yet (a start-up that did not wait for it): the election starts when it opens;
      // the status completes without that when the connection is closed first.
      this.opening = this.connection.status$
        .pipe(
          filter((status) => status.connected),
          take(1),
        )
        .subscribe(() => this.start());
      return;
    }
    this.start();
  }

  /** Follows the group's snapshots and runs the first election round, on the open connection. */
  private start(): void {
    const fleet = this.options.fleet!;
    if (this.stopped || this.lease) return;
    let nc;
    try {
      nc = this.connection.getConnection();
    } catch {
      return; // closed meanwhile: there is nothing to elect with
    }
    const caller = { operation: 'fleetLease' };
    const { apiPrefix, requestTimeoutMs } = this.options;
    const store = new KvRecordStore(
      this.api,
      this.connection,
      { apiPrefix, requestTimeoutMs, clustered: this.connection.serverFacts().clustered },
      caller,
    );
    this.lease = new FleetLease(store, `fleet.${fleet.group}.leader`, this.id, fleet.leaseMs);
    this.channel = new SnapshotChannel({ group: fleet.group, apiPrefix, requestTimeoutMs }, this.id, this.api);
    this.channel.follow(
      nc,
      (shared) => {
        if (shared.leader !== this.id) this.latest = { ...shared, receivedAt: Date.now() };
      },
      (err) => this.refuse(err),
    );
    void this.round();
  }

  onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.opening?.unsubscribe();
    clearTimeout(this.timer);
    clearTimeout(this.stepDown);
    this.channel?.stop();
    this.roles.complete();
    // The next round of another instance takes over at once, instead of after the lease.
    return this.connection.isConnected() && this.lease ? this.lease.release() : Promise.resolve();
  }

  /**
   * The latest snapshot of the leader: the one received live, else (joined late, or nothing
   * received for a monitor interval) the one stored in the bucket, read at most once per interval.
   */
  async shared(): Promise<(SharedSnapshot & { receivedAt: number }) | undefined> {
    const interval = this.options.monitorIntervalMs;
    const fresh = this.latest && Date.now() - this.latest.receivedAt < interval;
    if (!fresh && this.channel && Date.now() - this.lastLoad >= interval) {
      this.lastLoad = Date.now();
      this.loading ??= this.load().finally(() => (this.loading = undefined));
    }
    if (!this.latest && this.loading) await this.loading;
    return this.latest;
  }

  /** Publishes the leader's snapshot; one publish at a time, a newer snapshot replacing one that waits. */
  publish(snapshot: StreamsSnapshot): void {
    if (!this.channel || this.stopped) return;
    this.next = snapshot;
    if (this.publishing) return;
    this.publishing = true;
    void (async () => {
      try {
        while (this.next && !this.stopped) {
          const current = this.next;
          this.next = undefined;
          await this.channel!.publish(this.connection.getConnection(), current).catch((err: unknown) =>
            this.failed('publish a snapshot', err),
          );
        }
      } finally {
        this.publishing = false;
      }
    })();
  }

  private async load(): Promise<void> {
    try {
      const stored = await this.channel!.load({ operation: 'fleetSnapshot' });
      if (stored && stored.leader !== this.id && (!this.latest || stored.snapshot.at > this.latest.snapshot.at)) {
        this.latest = { ...stored, receivedAt: Date.now() };
      }
    } catch (err) {
      this.failed('read the stored snapshot', err);
    }
  }

  private async round(): Promise<void> {
    if (this.stopped || this.refused || !this.lease) return;
    try {
      if (this.connection.isConnected()) await this.lease.step();
    } catch (err) {
      this.failed('renew or read the lease', err);
    }
    if (this.stopped) return;
    this.announce();
    if (this.refused) return;
    // A follower's round falls due exactly when the lease it watches may be taken over: a silent
    // leader is then replaced within leaseMs plus one renewal of its last write.
    const due = this.lease.takeoverDueInMs();
    this.timer = setTimeout(() => void this.round(), due > 0 ? Math.min(this.lease.renewEveryMs, due + 1) : this.lease.renewEveryMs);
    // A leader whose next renewals hang (a partition) steps down when its lead runs out, not when they fail.
    clearTimeout(this.stepDown);
    const left = this.lease.leadsForMs();
    if (left > 0) this.stepDown = setTimeout(() => this.announce(), left + 1);
  }

  /** Logs a change of role since the last one announced, and tells the monitor. */
  private announce(): void {
    if (this.stopped) return;
    const role = this.role;
    const before = this.announced;
    this.announced = role;
    const group = this.options.fleet!.group;
    if (role !== before) {
      if (role === 'leader') this.logger.log(`Leads fleet group "${group}" as ${this.id}`);
      else if (before === 'leader') this.logger.warn(`Fleet group "${group}": stepped down, the lease could not be renewed in time`);
      else
        this.logger.log(
          `Fleet group "${group}": ${role === 'follower' ? `follows ${this.lease?.leader() ?? 'the leader'}` : 'monitors alone'}`,
        );
    }
    this.roles.next(role);
  }

  private failed(what: string, err: unknown): void {
    if (permissionRefusal(err)) return this.refuse(err as Error);
    if (Date.now() - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = Date.now();
    this.logger.warn(`Fleet group "${this.options.fleet!.group}": could not ${what}: ${(err as Error).message}`);
  }

  /** The fleet's bucket or subjects are refused: one warning, and this instance monitors alone from now on. */
  private refuse(err: Error): void {
    if (this.refused) return;
    this.refused = true;
    clearTimeout(this.timer);
    clearTimeout(this.stepDown);
    this.channel?.stop();
    this.logger.warn(
      `Fleet group "${this.options.fleet!.group}" is off for this instance, which monitors alone: the server refused a permission the fleet needs ` +
        `(${err.message}). Allow publishing to $KV.nestjs-jetstream-streams.> and subscribing to $KV.nestjs-jetstream-streams.fleet.${this.options.fleet!.group}.>, ` +
        'and STREAM.INFO, STREAM.CREATE and STREAM.MSG.GET on KV_nestjs-jetstream-streams (see the README, "Fleets")',
    );
    if (!this.stopped) this.roles.next('solo');
  }
}

/** Whether the server refused a permission (the client's `PERMISSIONS_VIOLATION`), along the cause chain. */
function permissionRefusal(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === 'PERMISSIONS_VIOLATION') return true;
  }
  return false;
}
