import type { ConnectionService } from '../connection/connection.service.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import { StreamOfflineError } from '../errors/stream-offline.error.js';
import type { StreamEvents } from '../events/stream-events.js';
import { migratingCopyOf } from '../migration/migration-marker.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import type { DeclaredStreams } from '../streams/declared-streams.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import type { ConsumerFacts } from './consumer-reads.js';
import { toStreamHealth, type HealthContext, type StreamHealth } from './stream-health.js';

/** The health records of a snapshot: every stream listed, the offline ones and the missing declared ones. */
export interface SnapshotStreams {
  streams: Record<string, StreamHealth>;
  healthy: boolean;
}

/**
 * Builds the monitor's health records: each stream's record from its info, its declaration, its
 * consumers' latest facts, and the flapping and migration marks. Keeps the records of the latest
 * snapshot, so that a stream whose inputs did not change keeps its record (a tick of 10,000 mostly
 * unchanged streams builds few). One per `StreamMonitor`.
 */
export class SnapshotRecords {
  /** Each listed stream's record in the latest snapshot, with what it was built from. */
  private built = new Map<string, BuiltRecord>();

  constructor(
    private readonly options: ResolvedStreamsOptions,
    private readonly connection: ConnectionService,
    private readonly declared: DeclaredStreams,
    private readonly events: StreamEvents,
  ) {}

  /**
   * The records of one read: `infos` as listed, `consumers` the latest facts of each stream that
   * declares consumers, `offline` the streams the server holds offline (2.12+), by name with the reason.
   */
  of(
    infos: Iterable<ServerStreamInfo>,
    consumers: ReadonlyMap<string, ConsumerFacts>,
    offline: ReadonlyMap<string, string>,
  ): SnapshotStreams {
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
      const record = reuse ? before.record : Object.freeze(this.health(info, name, consumers.get(name)));
      built.set(name, { info, declared, record });
      streams[name] = record;
    }
    this.built = built;
    // Held by the server but offline (2.12+): not missing, and down until a server that can run it holds it.
    for (const [name, reason] of offline) streams[name] = this.health(new StreamOfflineError(name, reason), name);
    for (const { name } of this.declared.all()) {
      streams[name] ??= this.health(new StreamNotFoundError(name), name);
    }
    const healthy = Object.values(streams).every((s) => s.healthy);
    return { streams, healthy };
  }

  /** One stream's record, from its info (with its consumers' facts when it declares some) or the error that kept it from being read. */
  health(source: ServerStreamInfo | Error, name: string, consumers?: Pick<ConsumerFacts, 'listed' | 'readAt'>): StreamHealth {
    const context: HealthContext = {
      ...this.context(name),
      consumers: consumers?.listed,
      ...(consumers ? { consumersReadAt: new Date(consumers.readAt).toISOString() } : {}),
    };
    const record = toStreamHealth(source, context, name);
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

  /** What besides its info decides a stream's health: its declaration, the server version, the thresholds. */
  context(name: string): HealthContext {
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
