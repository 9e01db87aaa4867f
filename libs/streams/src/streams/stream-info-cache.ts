import type { StreamInfo } from 'nats';

interface Entry {
  info: StreamInfo;
  expiresAt: number;
}

/**
 * Per-stream TTL cache of stream info with single-flight loading: concurrent reads of one stream
 * share one request. A write or an invalidation bumps the stream's generation, so a read that was
 * in flight across it never stores its (possibly stale) answer.
 */
export class StreamInfoCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<StreamInfo>>();
  private readonly generations = new Map<string, number>();

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

    const generation = this.generation(name);
    const request = load()
      .then((info) => {
        if (this.generation(name) === generation) this.store(name, info);
        return info;
      })
      .finally(() => {
        if (this.inflight.get(name) === request) this.inflight.delete(name);
      });
    this.inflight.set(name, request);
    return request;
  }

  /** The cached, unexpired info of `name`, without loading anything. */
  peek(name: string): StreamInfo | undefined {
    const entry = this.entries.get(name);
    return entry && entry.expiresAt > this.now() ? entry.info : undefined;
  }

  /** Stores what the server just answered (after a write or a list). */
  set(name: string, info: StreamInfo): void {
    this.bump(name);
    this.store(name, info);
  }

  /** Forgets `name`, and makes any read in flight for it not store its answer. */
  delete(name: string): void {
    this.bump(name);
    this.entries.delete(name);
    this.inflight.delete(name);
  }

  /** Forgets everything (e.g. after a reconnect). */
  clear(): void {
    for (const name of new Set([...this.entries.keys(), ...this.inflight.keys()])) this.delete(name);
  }

  /** Number of cached entries (expired ones included until next access). */
  get size(): number {
    return this.entries.size;
  }

  private store(name: string, info: StreamInfo): void {
    if (this.ttlMs <= 0) return;
    this.entries.set(name, { info, expiresAt: this.now() + this.ttlMs });
  }

  private generation(name: string): number {
    return this.generations.get(name) ?? 0;
  }

  private bump(name: string): void {
    this.generations.set(name, this.generation(name) + 1);
  }
}
