import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { StreamInfo } from 'nats';
import { EMPTY, exhaustMap, from, type Observable, ReplaySubject, share, takeUntil, timer } from 'rxjs';
import { ConnectionService, withTimeout } from '../connection/connection.service.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import { toStreamsError } from '../errors/to-streams-error.js';
import { STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { DeclaredStreams } from '../streams/declared-streams.js';
import { StreamInfoCache } from '../streams/stream-info-cache.js';
import { toStreamHealth, type StreamHealth } from '../streams/stream-health.js';
import { ServerVersion } from '../streams/server-version.js';

/** The health of every stream at one moment. */
export interface StreamsSnapshot {
  /** When the snapshot was taken (ISO 8601). */
  at: string;
  /** False when the streams could not be read or any stream is unhealthy. */
  healthy: boolean;
  /** Why the streams could not be read (server down, timeout); `streams` is then empty. */
  error?: string;
  /** Each stream's health by name: every stream on the server, plus declared streams that are missing. */
  streams: Record<string, StreamHealth>;
}

/**
 * Reads every stream's state with the paginated list call (one request per page) and turns it
 * into health records. One polling loop per interval, shared by all subscribers; reads are
 * coalesced so health checks and the loop never ask the server more than once at a time.
 */
@Injectable()
export class StreamMonitor implements OnModuleDestroy {
  private readonly loops = new Map<number, Observable<StreamsSnapshot>>();
  // Replays the shutdown to late subscribers: a loop subscribed after shutdown ends at once
  // instead of starting a timer nothing would ever stop.
  private readonly destroyed = new ReplaySubject<void>(1);
  private isDestroyed = false;
  private latest?: { snapshot: StreamsSnapshot; takenAt: number };
  private inflight?: Promise<StreamsSnapshot>;

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    private readonly connection: ConnectionService,
    private readonly declared: DeclaredStreams,
    private readonly cache: StreamInfoCache,
  ) {}

  /**
   * A snapshot every `intervalMs`, starting at once. Subscribers of the same interval share one
   * loop; it stops when the last one unsubscribes and completes at module shutdown. After
   * shutdown it completes at once without emitting.
   */
  snapshots(intervalMs = this.options.monitorIntervalMs): Observable<StreamsSnapshot> {
    if (!Number.isFinite(intervalMs) || intervalMs < 100) {
      throw new RangeError(`monitor interval must be at least 100 ms, got ${intervalMs}`);
    }
    if (this.isDestroyed) return EMPTY;
    let loop = this.loops.get(intervalMs);
    if (!loop) {
      loop = timer(0, intervalMs).pipe(
        exhaustMap(() => from(this.read(intervalMs / 2))),
        takeUntil(this.destroyed),
        share(),
      );
      this.loops.set(intervalMs, loop);
    }
    return loop;
  }

  /**
   * The latest snapshot if it is younger than `maxAgeMs`, else a new read (joined by concurrent
   * callers). Never rejects: a failed read is an unhealthy snapshot with the reason.
   */
  read(maxAgeMs = this.options.monitorIntervalMs): Promise<StreamsSnapshot> {
    if (this.latest && Date.now() - this.latest.takenAt < maxAgeMs) return Promise.resolve(this.latest.snapshot);
    this.inflight ??= this.take().finally(() => (this.inflight = undefined));
    return this.inflight;
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
      const mark = this.cache.mark();
      const infos = await this.listAll();
      // Every tick also keeps the info cache current (streams deleted elsewhere drop out of it).
      this.cache.refreshFromList(infos, mark);
      snapshot = this.toSnapshot(infos);
    } catch (err) {
      snapshot = { at: new Date(takenAt).toISOString(), healthy: false, error: (err as Error).message, streams: {} };
    }
    this.latest = { snapshot, takenAt };
    return snapshot;
  }

  private async listAll(): Promise<StreamInfo[]> {
    if (!this.connection.isConnected()) {
      throw new Error(`NATS is not connected (${this.connection.currentStatus.type})`);
    }
    const list = async (): Promise<StreamInfo[]> => {
      const jsm = await this.connection.getJetStreamManager();
      const infos: StreamInfo[] = [];
      for await (const info of jsm.streams.list()) infos.push(info);
      return infos;
    };
    try {
      return await withTimeout(list(), this.options.requestTimeoutMs * 2);
    } catch (err) {
      throw toStreamsError(err, 'monitorStreams');
    }
  }

  private toSnapshot(infos: StreamInfo[]): StreamsSnapshot {
    const version = ServerVersion.parse(this.connection.getConnection().info?.version);
    const thresholds = this.options.health;
    const streams: Record<string, StreamHealth> = {};
    for (const info of infos) {
      const declared = this.declared.desired(info.config.name);
      streams[info.config.name] = toStreamHealth(info, { declared, version, thresholds });
    }
    for (const { name } of this.declared.all()) {
      streams[name] ??= toStreamHealth(new StreamNotFoundError(name), { version, thresholds }, name);
    }
    const healthy = Object.values(streams).every((s) => s.healthy);
    return { at: new Date().toISOString(), healthy, streams };
  }
}
