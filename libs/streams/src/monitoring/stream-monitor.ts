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
import type { ServerConsumerInfo } from '../server/server-consumer.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import { validateStreamName } from '../declaration/subjects.js';
import { migratingCopyOf } from '../migration/migration-marker.js';
import { toStreamHealth, type HealthContext, type StreamHealth } from './stream-health.js';
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

/** Each stream's consumers as listed in one read, or why they could not be. */
type ListedConsumers = Map<string, ReadonlyMap<string, ServerConsumerInfo> | Error>;

/**
 * Owns stream health: reads every stream's state with the paginated list call (one request per
 * page), and the consumers of each stream that declares some (one `CONSUMER.LIST` per such stream),
 * and turns them into health records, in one polling loop per interval shared by all
 * subscribers. Reads are coalesced, so health checks and the loop never ask the server more than
 * once at a time.
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

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    private readonly connection: ConnectionService,
    private readonly declared: DeclaredStreams,
    private readonly reconciler: Reconciler,
    private readonly events: StreamEvents,
    private readonly consumers: ConsumerReconciler,
    private readonly fleet: FleetMember,
  ) {}

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
      return toStreamHealth(new Error(`NATS is not connected (${this.connection.currentStatus.type})`), this.context(name), name);
    }
    try {
      const info = await this.reconciler.read(name, { operation: 'healthCheck', stream: name });
      const consumers = info ? await this.listConsumers([info], 'healthCheck') : undefined;
      return this.health(info ?? new StreamNotFoundError(name), name, consumers);
    } catch (err) {
      return toStreamHealth(err as Error, this.context(name), name);
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
      const infos = await this.reconciler.listAll({ operation: 'monitorStreams' });
      snapshot = this.toSnapshot(infos.values(), await this.listConsumers(infos.values(), 'monitorStreams'));
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

  /** The consumers of each stream that declares some, one list per stream (a few at a time); a failed list is kept as its error. */
  private async listConsumers(infos: Iterable<ServerStreamInfo>, operation: string): Promise<ListedConsumers> {
    const names = [...infos].map((info) => info.config.name).filter((name) => this.declared.desired(name)?.consumers?.length);
    const listed: ListedConsumers = new Map();
    await mapConcurrent(names, this.options.concurrency, async (stream) => {
      try {
        listed.set(stream, await this.consumers.listConsumers(stream, { operation, stream }));
      } catch (err) {
        listed.set(stream, err as Error);
      }
    });
    return listed;
  }

  private toSnapshot(infos: Iterable<ServerStreamInfo>, consumers: ListedConsumers): StreamsSnapshot {
    const streams: Record<string, StreamHealth> = Object.create(null);
    const built = new Map<string, BuiltRecord>();
    for (const info of infos) {
      const name = info.config.name;
      const declared = this.declared.desired(name);
      const before = this.built.get(name);
      // Same config object (the info cache keeps it while the config does not change), state and
      // declaration: the same record. Streams whose consumers are followed are built every tick.
      const reuse =
        before &&
        before.declared === declared &&
        !consumers.has(name) &&
        sameHealthInputs(before.info, info) &&
        !this.events.flappingOf(name);
      const record = reuse ? before.record : Object.freeze(this.health(info, name, consumers));
      built.set(name, { info, declared, record });
      streams[name] = record;
    }
    this.built = built;
    for (const { name } of this.declared.all()) {
      streams[name] ??= this.health(new StreamNotFoundError(name), name);
    }
    const healthy = Object.values(streams).every((s) => s.healthy);
    return { at: new Date().toISOString(), healthy, streams };
  }

  /** Each listed stream's record in the latest snapshot, with what it was built from. */
  private built = new Map<string, BuiltRecord>();

  private health(source: ServerStreamInfo | Error, name: string, consumers?: ListedConsumers): StreamHealth {
    const record = toStreamHealth(source, { ...this.context(name), consumers: consumers?.get(name) }, name);
    const flap = this.events.flappingOf(name);
    if (flap) {
      const problem = `repairs stopped since ${flap.since}: it drifted again after ${flap.repairs} repairs within ${flap.windowMs} ms; another app probably declares it differently`;
      return { ...record, healthy: false, status: 'down', reason: 'flapping', problems: [problem, ...record.problems] };
    }
    const original = migratingCopyOf(name);
    if (original === undefined) return record;
    // A migration's temporary copy outliving its migration holds messages of `original`.
    const problem = `temporary copy of an unfinished migration of stream "${original}": it may hold the only copy of its messages; ensure "${original}" again to finish the migration`;
    return { ...record, healthy: false, status: 'down', reason: 'migrating', problems: [problem, ...record.problems] };
  }

  private context(name: string): HealthContext {
    return {
      declared: this.declared.desired(name),
      version: this.connection.serverFacts().version,
      thresholds: this.options.health,
    };
  }
}

/** A health record of the latest snapshot and what it was built from. */
interface BuiltRecord {
  info: ServerStreamInfo;
  declared: DesiredStream | undefined;
  record: StreamHealth;
}

/**
 * Whether a record built from `before` holds for `info`: the same config object, the same state
 * counts, and no replicas (whose state is not in the counts).
 */
function sameHealthInputs(before: ServerStreamInfo, info: ServerStreamInfo): boolean {
  const a = before.state;
  const b = info.state;
  return (
    before.config === info.config &&
    a.messages === b.messages &&
    a.bytes === b.bytes &&
    a.first_seq === b.first_seq &&
    a.last_seq === b.last_seq &&
    a.consumer_count === b.consumer_count &&
    info.config.num_replicas <= 1
  );
}
