import type { LoggerService } from '@nestjs/common';
import type { ServerStreamInfo } from '../server/server-stream.js';
import type { ApiCaller } from '../jetstream/jetstream-api.js';
import type { DeclaredStreams } from '../streams/declared-streams.js';
import { mapConcurrent } from '../reconcile/map-concurrent.js';
import type { Reconciler } from '../reconcile/reconciler.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import type { RepairGuard } from './repair-guard.js';
import type { StreamEvent } from './stream-event.js';

/** What drift checks need of the rest of the library (a fake of it unit-tests them). */
export interface DriftRepairDeps {
  reconciler: Pick<Reconciler, 'read' | 'listAll' | 'compare' | 'ensure'>;
  declared: Pick<DeclaredStreams, 'desired'>;
  /**
   * The stream's cached info, if any. An entry present when a check runs was stored after the
   * event dropped the old one (by this app's own write, or a read), so it is as new as the event.
   */
  cached(name: string): ServerStreamInfo | undefined;
  /** `'repair'` ensures a drifted declared stream again; `'report'` only tells. */
  onDrift: 'report' | 'repair';
  /** Whether this instance may repair: false in a fleet's follower (only the group's leader repairs). */
  leads(): boolean;
  /** Streams checked or repaired at once. */
  concurrency: number;
  guard: RepairGuard;
  emit(event: StreamEvent): void;
  logger: Pick<LoggerService, 'log' | 'warn'>;
  /** True once the app shuts down: nothing more is read or written. */
  stopping(): boolean;
}

/** Events arriving within this many ms are checked together. */
const COALESCE_MS = 20;
/** Above this many streams to check at once, one paginated list replaces one info per stream. */
const LIST_ABOVE = 4;

/**
 * Checks declared streams after the server said they changed: what the server holds (the info
 * cached since the event, else a fresh read) compared with the declaration. A difference is
 * reported as `drifted` and, with `onDrift: 'repair'`, ensured again through the reconciler (so
 * every rule of the declaration applies), unless the stream is flapping. Checks run one batch at a
 * time: a burst of events costs at most one read per stream, or one list; the event of the app's
 * own write usually costs nothing (its answer is cached).
 */
export class DriftRepair {
  private readonly pending = new Set<string>();
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(private readonly deps: DriftRepairDeps) {}

  /** Checks `stream` soon; a stream already waiting is checked once. */
  check(stream: string): void {
    this.pending.add(stream);
    if (this.timer || this.running || this.deps.stopping()) return;
    this.timer = setTimeout(() => void this.drain(), COALESCE_MS);
  }

  /** Drops pending checks and stops the timer (shutdown). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private async drain(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    try {
      // Events that arrive while a batch runs wait for the next round of this loop.
      while (this.pending.size > 0 && !this.deps.stopping()) {
        const names = [...this.pending];
        this.pending.clear();
        await this.checkBatch(names);
      }
    } finally {
      this.running = false;
    }
  }

  private async checkBatch(names: string[]): Promise<void> {
    const caller: ApiCaller = { operation: 'checkDrift' };
    const current = new Map<string, ServerStreamInfo | null>();
    const unread: string[] = [];
    for (const name of names) {
      const cached = this.deps.cached(name);
      if (cached) current.set(name, cached);
      else unread.push(name);
    }
    try {
      if (unread.length > 0) {
        const read = unread.length > LIST_ABOVE ? await this.listed(unread, caller) : await this.readEach(unread, caller);
        for (const [name, info] of read) current.set(name, info);
      }
    } catch (err) {
      // A reconnect checks every declared stream again, so nothing stays unchecked for good.
      this.deps.logger.warn(`Could not read ${names.join(', ')} after a server event: ${(err as Error).message}`);
      return;
    }
    await mapConcurrent(names, this.deps.concurrency, (name) => this.settle(name, current.get(name) ?? null));
  }

  private async listed(names: string[], caller: ApiCaller): Promise<Map<string, ServerStreamInfo | null>> {
    const all = await this.deps.reconciler.listAll(caller);
    return new Map(names.map((name) => [name, all.get(name) ?? null]));
  }

  private async readEach(names: string[], caller: ApiCaller): Promise<Map<string, ServerStreamInfo | null>> {
    const infos = await Promise.all(names.map((name) => this.deps.reconciler.read(name, { ...caller, stream: name })));
    return new Map(names.map((name, i) => [name, infos[i]]));
  }

  /** Compares one declared stream with what the server holds, and reports or repairs the drift. */
  private async settle(name: string, current: ServerStreamInfo | null): Promise<void> {
    const desired = this.deps.declared.desired(name);
    if (!desired) return;
    const { changes } = this.deps.reconciler.compare(desired, current).diff;
    if (current && changes.length === 0) return;
    const { guard } = this.deps;
    const wasFlapping = !!guard.flappingOf(name);
    const repair = this.deps.onDrift === 'repair' && this.deps.leads() && !wasFlapping && guard.admit(name);
    const how = current
      ? changes.map((c) => `${c.field} ${JSON.stringify(c.current)} -> ${JSON.stringify(c.desired)}`).join(', ')
      : 'deleted';
    this.deps.logger.warn(`Declared stream "${name}" was changed elsewhere (${how}); ${repair ? 'repairing it' : 'left as it is'}`);
    this.deps.emit({ type: 'drifted', stream: name, at: now(), cause: current ? 'changed' : 'deleted', changes });
    const flap = guard.flappingOf(name);
    if (flap && !wasFlapping) {
      this.deps.logger.warn(
        `Stream "${name}" was repaired ${flap.repairs} times within ${flap.windowMs} ms and drifted again: another app probably declares it differently. Repairs of it stop until restart`,
      );
      this.deps.emit({ type: 'flapping', stream: name, at: flap.since, repairs: flap.repairs, windowMs: flap.windowMs });
    }
    if (repair && !this.deps.stopping()) await this.repair(name, desired);
  }

  private async repair(name: string, desired: DesiredStream): Promise<void> {
    try {
      const result = await this.deps.reconciler.ensure(desired, { operation: 'repairStream', stream: name });
      if (result.action === 'unchanged') return;
      this.deps.guard.record(name);
      this.deps.logger.log(`Repaired stream "${name}" (${result.action})`);
      this.deps.emit({ type: 'repaired', stream: name, at: now(), action: result.action, changes: result.changes });
    } catch (err) {
      this.deps.logger.warn(`Could not repair stream "${name}": ${(err as Error).message}`);
      this.deps.emit({ type: 'repair-failed', stream: name, at: now(), error: err as Error });
    }
  }
}

function now(): string {
  return new Date().toISOString();
}
