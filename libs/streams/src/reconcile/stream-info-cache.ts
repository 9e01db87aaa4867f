import { filter } from 'rxjs';
import type { ConnectionService } from '../connection/connection.service.js';
import { deepFreeze } from '../declaration/deep-freeze.js';
import type { ServerStreamInfo as StreamInfo } from '../server/server-stream.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { sameValue } from '../declaration/field-table.js';

interface Entry {
  info: StreamInfo;
  expiresAt: number;
}

/**
 * Per-stream TTL cache of stream info with single-flight loading: concurrent reads of one stream
 * share one request. Every write or invalidation stamps the stream with a new epoch, so a read that
 * was in flight across it (a single read or a whole list) never stores its possibly stale answer.
 * Stored infos are deeply frozen: a caller cannot change what later reads (and ensure) see. A
 * stream whose config did not change since its last stored info keeps the same config object, so
 * a comparison remembered by config object (see `DesiredStreams.matches`) outlives a list refresh.
 */
export class StreamInfoCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<StreamInfo>>();
  /** The epoch of each stream's last write or invalidation. */
  private readonly generations = new Map<string, number>();
  /** The epoch of the last {@link forget} of a stream the cache had not seen: it stands for all such. */
  private unseenGeneration = 0;
  private epoch = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The cached info of `name`, or the result of `load()` (shared by concurrent callers).
   * `fresh` skips the cached entry but still joins a read already in flight.
   */
  get(name: string, load: () => Promise<StreamInfo>, fresh = false): Promise<StreamInfo> {
    const entry = this.entries.get(name);
    if (!fresh && entry && entry.expiresAt > this.now()) {
      return Promise.resolve(entry.info);
    }
    const pending = this.inflight.get(name);
    if (pending) return pending;

    const since = this.epoch;
    // One reaction for both outcomes (not then + finally): one step less on every read.
    const request: Promise<StreamInfo> = load().then(
      (info) => {
        if (this.inflight.get(name) === request) this.inflight.delete(name);
        this.storeIfUnchangedSince(name, info, since);
        return info;
      },
      (err: unknown) => {
        if (this.inflight.get(name) === request) this.inflight.delete(name);
        // A failed read (the stream is gone, or the server did not answer) leaves no stale answer.
        if (this.generation(name) <= since) this.entries.delete(name);
        throw err;
      },
    );
    this.inflight.set(name, request);
    return request;
  }

  /** The cached, unexpired info of `name`, without loading anything. */
  peek(name: string): StreamInfo | undefined {
    const entry = this.entries.get(name);
    return entry && entry.expiresAt > this.now() ? entry.info : undefined;
  }

  /** Stores what the server just answered to a write. */
  set(name: string, info: StreamInfo): void {
    this.bump(name);
    this.store(name, info);
  }

  /** A mark to pass to {@link storeIfUnchangedSince} before a read (e.g. a stream list) starts. */
  mark(): number {
    return this.epoch;
  }

  /**
   * Stores a read's answer unless the stream was written or forgotten after `mark` was taken:
   * an answer that left the server before a write must not replace the write's answer.
   */
  storeIfUnchangedSince(name: string, info: StreamInfo, mark: number): void {
    if (this.generation(name) <= mark) this.store(name, info);
  }

  /**
   * Takes in a complete stream list: stores each listed stream and forgets cached streams the list
   * does not have (deleted elsewhere), except those written or forgotten after `mark`.
   */
  refreshFromList(infos: StreamInfo[], mark: number): void {
    const listed = new Set<string>();
    // One clock read for the whole list: its entries were all read at once.
    const expiresAt = this.now() + this.ttlMs;
    for (const info of infos) {
      const name = info.config.name;
      listed.add(name);
      if (this.generation(name) <= mark) this.store(name, info, expiresAt);
    }
    // Deleting the entry being visited is safe while iterating a Map.
    for (const name of this.entries.keys()) {
      if (!listed.has(name) && this.generation(name) <= mark) this.entries.delete(name);
    }
  }

  /** Forgets `name`, and makes any read in flight for it not store its answer. */
  delete(name: string): void {
    this.bump(name);
    this.entries.delete(name);
    this.inflight.delete(name);
  }

  /**
   * Forgets `name` after the server announced a change to it: {@link delete} for a stream the
   * cache has seen; for any other name one mark shared by all of them (a flood of advisories with
   * made-up names must not grow the cache), so that no read in flight stores a stream unseen before.
   */
  forget(name: string): void {
    if (this.entries.has(name) || this.inflight.has(name) || this.generations.has(name)) this.delete(name);
    else this.unseenGeneration = ++this.epoch;
  }

  /** Forgets everything (e.g. after a reconnect). */
  clear(): void {
    for (const name of new Set([...this.entries.keys(), ...this.inflight.keys()])) this.delete(name);
  }

  /** Number of cached entries (expired ones included until next access). */
  get size(): number {
    return this.entries.size;
  }

  private store(name: string, info: StreamInfo, expiresAt = this.now() + this.ttlMs): void {
    if (this.ttlMs <= 0) return;
    // A replica that answers while it knows no leader (an election under way, or quorum lost)
    // speaks for that moment only: its answer is returned but not kept (nats-server 2.10 has a
    // follower answer STREAM.INFO that way right after a leader-elected advisory).
    if (isLeaderless(info)) {
      this.entries.delete(name);
      return;
    }
    const entry = this.entries.get(name);
    const previous = entry?.info.config;
    // An unchanged config keeps its (frozen) object, so what was worked out from it before (its
    // comparison with the declaration) is found again, and it is not frozen again.
    if (previous && previous !== info.config && !Object.isFrozen(info) && sameValue(previous, info.config)) {
      (info as { config: StreamInfo['config'] }).config = previous;
    }
    deepFreeze(info);
    // The entry is updated in place: a list refresh allocates no entry per stream.
    if (entry) {
      entry.info = info;
      entry.expiresAt = expiresAt;
    } else {
      this.entries.set(name, { info, expiresAt });
    }
  }

  private generation(name: string): number {
    return this.generations.get(name) ?? this.unseenGeneration;
  }

  private bump(name: string): void {
    this.generations.set(name, ++this.epoch);
  }
}

/** A replicated stream's info that names no leader. */
function isLeaderless(info: StreamInfo): boolean {
  return (info.config.num_replicas ?? 1) > 1 && info.cluster !== undefined && !info.cluster.leader;
}

/** The module's info cache: `cacheTtlMs`, emptied whenever the connection is re-established. */
export function createStreamInfoCache(options: ResolvedStreamsOptions, connection: ConnectionService): StreamInfoCache {
  const cache = new StreamInfoCache(options.cacheTtlMs);
  // The status stream completes when the connection closes, which ends this subscription.
  connection.status$.pipe(filter((s) => s.type === 'reconnected')).subscribe(() => cache.clear());
  return cache;
}
