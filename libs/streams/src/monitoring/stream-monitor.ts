import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EMPTY, exhaustMap, from, type Observable, ReplaySubject, share, type Subscription, takeUntil, timer } from 'rxjs';
import { ConnectionService } from '../connection/connection.service.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { StreamEvents } from '../events/stream-events.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { DeclaredStreams } from '../streams/declared-streams.js';
import { Reconciler } from '../reconcile/reconciler.js';
import { ConsumerReconciler } from '../reconcile/consumer-reconciler.js';
import { mapConcurrent } from '../reconcile/map-concurrent.js';
import { validateStreamName } from '../declaration/subjects.js';
import { toStreamHealth, type StreamHealth } from './stream-health.js';
import { ConsumerReads, type ConsumerFacts, type ListedConsumers } from './consumer-reads.js';
import { SnapshotRecords } from './snapshot-records.js';
import { FleetMember } from '../fleet/fleet-member.js';
import type { SharedSnapshot } from '../fleet/snapshot-channel.js';

/** The health of every stream at one moment. */
export interface StreamsSnapshot {
  /** When the snapshot was taken (ISO 8601). */
  at: string;
  /** False when the streams could not be read or any stream is unhealthy. */
  healthy: boolean;
  /** Why the streams could not be read (server down, timeout); `streams` is then empty. */
  error?: string;
  /**
   * Each stream's health by name: every stream on the server, plus declared streams that are
   * missing. A record without a prototype, so any stream name (even `constructor`) is a plain key.
   */
  streams: Record<string, StreamHealth>;
  /**
   * Set in fleet mode once the group has a leader: who took the snapshot. A follower's snapshot
   * is the leader's latest (its age is now minus `at`); past `fleet.staleAfterMs` it is unhealthy
   * with the reason in `error`.
   */
  fleet?: { role: 'leader' | 'follower'; leader: string };
}

/**
 * Owns stream health: reads every stream's state with the paginated list call (one request per
 * page), and the consumers of each stream that declares some (one `CONSUMER.LIST` per such stream,
 * at most `consumerReadsPerTick` of them per tick), and turns them into health records, in one
 * polling loop per interval shared by all subscribers. Reads are coalesced, so health checks and
 * the loop never ask the server more than once at a time.
 */
@Injectable()
export class StreamMonitor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly loops = new Map<number, Observable<StreamsSnapshot>>();
  // Replays the shutdown to late subscribers: a loop subscribed after shutdown ends at once
  // instead of starting a timer nothing would ever stop.
  private readonly destroyed = new ReplaySubject<void>(1);
  private isDestroyed = false;
  private latest?: { snapshot: StreamsSnapshot; takenAt: number };
  private inflight?: Promise<StreamsSnapshot>;
  /** A follower's view of the leader's latest snapshot, made once per snapshot received (and once more when it turns stale). */
  private followedView?: { from: SharedSnapshot; stale: boolean; snapshot: StreamsSnapshot };
  private readonly consumerReads: ConsumerReads;
  private readonly records: SnapshotRecords;

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    private readonly connection: ConnectionService,
    private readonly declared: DeclaredStreams,
    private readonly reconciler: Reconciler,
    private readonly events: StreamEvents,
    private readonly consumers: ConsumerReconciler,
    private readonly fleet: FleetMember,
  ) {
    this.consumerReads = new ConsumerReads(options.consumerReadsPerTick);
    this.records = new SnapshotRecords(options, connection, declared, events);
  }

  /** In fleet mode, the leader runs the monitor loop (and publishes each snapshot) whether or not anything subscribes. */
  onApplicationBootstrap(): void {
    if (!this.options.fleet) return;
    let own: Subscription | undefined;
    this.fleet.role$.pipe(takeUntil(this.destroyed)).subscribe({
      next: (role) => {
        if (role === 'leader') own ??= this.snapshots().subscribe();
        else own = void own?.unsubscribe();
      },
      complete: () => own?.unsubscribe(),
    });
  }

  /**
   * A snapshot every `intervalMs` (default `monitorIntervalMs`), starting at once. Subscribers of
   * the same interval share one loop: one that joins a running loop gets its latest snapshot at
   * once, then the next ticks. The loop stops when the last one unsubscribes and completes at
   * module shutdown. After shutdown it completes at once without emitting. A failed read emits an
   * unhealthy snapshot with the reason instead of erroring.
   */
  snapshots(intervalMs = this.options.monitorIntervalMs): Observable<StreamsSnapshot> {
    if (!Number.isInteger(intervalMs) || intervalMs < 100 || intervalMs > 2 ** 31 - 1) {
      throw new InvalidArgumentError(
        'snapshots',
        'intervalMs',
        `must be a whole number of ms from 100 to ${2 ** 31 - 1}, got ${String(intervalMs)}`,
      );
    }
    if (this.isDestroyed) return EMPTY;
    let loop = this.loops.get(intervalMs);
    if (!loop) {
      loop = timer(0, intervalMs).pipe(
        exhaustMap(() => from(this.read(intervalMs / 2))),
        takeUntil(this.destroyed),
        // Replays the latest snapshot to late subscribers; the replay (and the loop) resets
        // when the last subscriber leaves, so a loop started later never replays a stale one.
        share({ connector: () => new ReplaySubject<StreamsSnapshot>(1) }),
      );
      this.loops.set(intervalMs, loop);
    }
    return loop;
  }

  /**
   * The latest snapshot if it is younger than `maxAgeMs` (0 always reads), else a new read
   * (joined by concurrent callers). A failed read is an unhealthy snapshot with the reason: the
   * only rejection is `InvalidArgumentError`, before any request, for a `maxAgeMs` that is not a
   * finite number of at least 0.
   */
  read(maxAgeMs: number = this.options.monitorIntervalMs): Promise<StreamsSnapshot> {
    if (typeof maxAgeMs !== 'number' || !Number.isFinite(maxAgeMs) || maxAgeMs < 0) {
      const shown = typeof maxAgeMs === 'string' ? `'${maxAgeMs}'` : String(maxAgeMs);
      return Promise.reject(
        new InvalidArgumentError(
          'read',
          'maxAgeMs',
          `must be a finite number of ms, at least 0 (or omitted for monitorIntervalMs), got ${shown}`,
        ),
      );
    }
    // A follower reads nothing itself: the leader's latest snapshot costs no request.
    if (this.fleet.role === 'follower') return this.followed(maxAgeMs);
    return this.local(maxAgeMs);
  }

  /**
   * {@link read} with a bound on the wait for a stream list it needs (what `/health` uses): after
   * `waitMs`, the latest snapshot while it is younger than twice `monitorIntervalMs` (a list that is
   * slow at many streams), else an unhealthy snapshot saying that the server has not answered (a
   * frozen or cut-off server, which would otherwise hold the check for `operationTimeoutMs`). The
   * list goes on and serves later reads.
   */
  async readWithin(waitMs: number): Promise<StreamsSnapshot> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs)));
    const snapshot = await Promise.race([this.read(), late]).finally(() => clearTimeout(timer));
    if (snapshot) return snapshot;
    const latest = this.latest;
    if (latest && Date.now() - latest.takenAt < 2 * this.options.monitorIntervalMs) return latest.snapshot;
    return {
      at: new Date().toISOString(),
      healthy: false,
      error:
        `the server has not answered the stream list within health.timeoutMs (${waitMs} ms)` +
        (latest ? `; the latest list is from ${new Date(latest.takenAt).toISOString()}` : ''),
      streams: Object.create(null),
    };
  }

  private local(maxAgeMs: number): Promise<StreamsSnapshot> {
    if (this.latest && Date.now() - this.latest.takenAt < maxAgeMs) return Promise.resolve(this.latest.snapshot);
    this.inflight ??= this.take().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  /** The leader's latest snapshot as this follower's; its own read while none has been published yet. */
  private async followed(maxAgeMs: number): Promise<StreamsSnapshot> {
    const shared = await this.fleet.shared();
    if (!shared) return this.local(maxAgeMs);
    const { staleAfterMs } = this.options.fleet!;
    const stale = Date.now() - Date.parse(shared.snapshot.at) > staleAfterMs;
    const view = this.followedView;
    if (view && view.from === shared && view.stale === stale) return view.snapshot;
    const fleet = { role: 'follower' as const, leader: shared.leader };
    const snapshot: StreamsSnapshot = stale
      ? {
          at: shared.snapshot.at,
          healthy: false,
          error:
            `the fleet's latest snapshot (taken by ${shared.leader} at ${shared.snapshot.at}) is older than fleet.staleAfterMs (${staleAfterMs} ms): ` +
            'its leader is gone or cannot publish, and no instance has taken over yet',
          streams: Object.create(null),
          fleet,
        }
      : { ...shared.snapshot, fleet };
    this.followedView = { from: shared, stale, snapshot };
    return snapshot;
  }

  /**
   * One stream's health record on a fresh read: state, limit usage, cluster replicas, and drift
   * from its declaration. Never rejects for a stream that cannot be read: the record says why.
   */
  async healthCheck(name: string): Promise<StreamHealth> {
    validateStreamName(name);
    if (!this.connection.isConnected()) {
      // Answer at once: retrying for operationTimeoutMs would only delay the same verdict.
      return toStreamHealth(new Error(`NATS is not connected (${this.connection.currentStatus.type})`), this.records.context(name), name);
    }
    try {
      const info = await this.reconciler.read(name, { operation: 'healthCheck', stream: name });
      if (!info) return this.records.health(new StreamNotFoundError(name), name);
      // A check of one stream reads its consumers now, whatever the monitor's schedule.
      const consumers = this.declared.desired(name)?.consumers?.length
        ? { readAt: Date.now(), listed: await this.listConsumers(name, 'healthCheck') }
        : undefined;
      return this.records.health(info, name, consumers);
    } catch (err) {
      return toStreamHealth(err as Error, this.records.context(name), name);
    }
  }

  onModuleDestroy(): void {
    this.isDestroyed = true;
    this.destroyed.next();
    this.destroyed.complete();
    this.loops.clear();
  }

  private async take(): Promise<StreamsSnapshot> {
    const takenAt = Date.now();
    let snapshot: StreamsSnapshot;
    try {
      if (!this.connection.isConnected()) throw new Error(`NATS is not connected (${this.connection.currentStatus.type})`);
      // The same list as ensureStreams: it also keeps the info cache current.
      const offline = new Map<string, string>();
      const infos = await this.reconciler.listAll({ operation: 'monitorStreams' }, offline);
      const consumers = await this.readConsumers(infos.values());
      snapshot = { at: new Date().toISOString(), ...this.records.of(infos.values(), consumers, offline) };
    } catch (err) {
      snapshot = { at: new Date(takenAt).toISOString(), healthy: false, error: (err as Error).message, streams: Object.create(null) };
    }
    if (this.fleet.role === 'leader') {
      snapshot.fleet = { role: 'leader', leader: this.fleet.id };
      this.fleet.publish(snapshot);
    }
    this.latest = { snapshot, takenAt };
    return snapshot;
  }

  /**
   * The latest consumer facts of each stream that declares consumers, after reading those due this
   * tick (a few at a time; see {@link ConsumerReads}).
   */
  private async readConsumers(infos: Iterable<ServerStreamInfo>): Promise<ReadonlyMap<string, ConsumerFacts>> {
    const counts = new Map<string, number>();
    for (const info of infos) {
      if (this.declared.desired(info.config.name)?.consumers?.length) counts.set(info.config.name, info.state.consumer_count);
    }
    await mapConcurrent(this.consumerReads.due(counts), this.options.concurrency, async (stream) => {
      const readAt = Date.now();
      this.consumerReads.record(stream, await this.listConsumers(stream, 'monitorStreams'), readAt);
    });
    return this.consumerReads.latest();
  }

  /** One stream's consumers (one `CONSUMER.LIST`), or the error that kept them from being listed. */
  private async listConsumers(stream: string, operation: string): Promise<ListedConsumers> {
    try {
      return await this.consumers.listConsumers(stream, { operation, stream });
    } catch (err) {
      return err as Error;
    }
  }
}
