import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection, NatsError } from 'nats';
import { filter, type Observable, Subject } from 'rxjs';
import { ConnectionService } from '../connection/connection.service.js';
import { logContext, STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { DeclaredStreams } from '../streams/declared-streams.js';
import { Reconciler } from '../reconcile/reconciler.js';
import { JetStreamApi } from '../jetstream/jetstream-api.js';
import { isLibraryStream } from '../jetstream/library-bucket.js';
import { StreamInfoCache } from '../reconcile/stream-info-cache.js';
import { advisoryDomain, concernsDomain, STREAM_ADVISORIES, type StreamAdvisory } from '../jetstream/stream-advisories.js';
import { followStreamAdvisories, MAX_PENDING_STREAMS, type AdvisoryBatch, type AdvisoryFeedHandle } from '../jetstream/advisory-feed.js';
import { DriftRepair } from './drift-repair.js';
import { FleetMember } from '../fleet/fleet-member.js';
import { EventBudget } from './event-budget.js';
import { OwnWrites } from './own-writes.js';
import { RepairGuard, type FlappingRecord } from './repair-guard.js';
import type { StreamEvent } from './stream-event.js';

/** Whether a connection follows the server's stream advisories. */
export type AdvisoryWatch =
  /** Not subscribed yet (before start-up) or no more (after shutdown). */
  | 'off'
  /** Subscribed: changes made elsewhere reach the info cache within milliseconds. */
  | 'watching'
  /** The connection's user may not subscribe to them: changes are seen when the cache expires. */
  | 'refused';

/** Least time between two warnings of advisories dropped in a flood, in ms. */
const FLOOD_WARNING_MS = 60_000;
/** Events of streams the app does not declare, at most, per second (bursts as large). */
const UNDECLARED_EVENTS_PER_SECOND = 2_000;

/**
 * Follows the JetStream stream advisories of one connection (created, updated, deleted, leader
 * elected, quorum lost) for the streams of its JetStream domain, and keeps the info cache true:
 * each event forgets the stream's entry, so the next `ensureStream` / `getStreamInfo` asks the
 * server. With `reconcile.onDrift: 'repair'`, or while `events$` has a subscriber, a declared
 * stream is then compared with its declaration (on the info cached since the event, else a fresh
 * read); drift is reported (`drifted`) and, with `'repair'`, repaired through the same ensure as
 * start-up, unless the stream flaps between two apps. Every step is an event on {@link events$}.
 *
 * Advisories are an ordinary subject: any client of the account allowed to publish on
 * `$JS.EVENT.>` can send fakes. They are followed on a connection of their own (opened beside the
 * main one), so that a flood gets that connection dropped as a slow consumer, never the one that
 * carries the app's JetStream requests; and in batches of at most one advisory per stream and kind
 * every 20 ms, with at most 5,000 streams waiting (beyond, they are dropped, the whole cache is
 * emptied and declared streams are checked again), and at most 2,000 events a second about streams
 * the app does not declare; so a flood costs bounded work and a bounded `events$`, and it is said
 * in the log (once a minute at most). A fake can only make the library read the server again:
 * repairs decide on a fresh read.
 *
 * Where the user may not subscribe to `$JS.EVENT.ADVISORY.STREAM.>`, it says so once in the log
 * and the library falls back to `cacheTtlMs`.
 *
 * @example
 * constructor(private readonly events: StreamEvents) {
 *   events.events$.pipe(filter((e) => e.type === 'drifted')).subscribe((e) => alert(e.stream, e.changes));
 * }
 */
@Injectable()
export class StreamEvents implements OnModuleInit, OnModuleDestroy {
  private readonly logger: Logger;
  private readonly events = new Subject<StreamEvent>();
  private readonly guard: RepairGuard;
  private readonly drift: DriftRepair;
  private handle?: AdvisoryFeedHandle;
  private lastFloodWarning = -Infinity;
  private readonly undeclaredEvents = new EventBudget(UNDECLARED_EVENTS_PER_SECOND);
  /** Advisories dropped (in the feed) or not emitted (over the budget) since the last warning. */
  private unreported = 0;
  private state: AdvisoryWatch = 'off';
  private stopped = false;
  private domain: string | undefined | null = null;
  private readonly own = new OwnWrites();

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    private readonly connection: ConnectionService,
    private readonly cache: StreamInfoCache,
    private readonly declared: DeclaredStreams,
    reconciler: Reconciler,
    api: JetStreamApi,
    fleet: FleetMember,
  ) {
    this.logger = new Logger(logContext(options.name));
    // Completes when the adapter does; a write's event comes before its answer is cached.
    api.calls$.subscribe((call) => {
      if (!call.error) this.own.written(call.kind, call.target, call.durationMs);
    });
    const { onDrift, maxRepairs, repairWindowMs } = options.reconcile;
    this.guard = new RepairGuard(maxRepairs, repairWindowMs);
    this.drift = new DriftRepair({
      reconciler,
      declared,
      cached: (name) => cache.peek(name),
      onDrift,
      leads: () => fleet.role !== 'follower',
      concurrency: options.concurrency,
      guard: this.guard,
      emit: (event) => this.events.next(event),
      logger: this.logger,
      stopping: () => this.stopped || this.connection.isShuttingDown,
    });
  }

  /**
   * Every stream event of this connection, as it happens: what the server announced
   * (`created`, `updated`, `deleted`, `leader-elected`, `quorum-lost`) and what the library made
   * of it for declared streams (`drifted`, `repaired`, `repair-failed`, `flapping`). Hot: a
   * subscriber sees events from the moment it subscribes. Completes at shutdown.
   */
  get events$(): Observable<StreamEvent> {
    return this.events.asObservable();
  }

  /** Whether the connection follows the server's advisories (see {@link AdvisoryWatch}). */
  get watch(): AdvisoryWatch {
    return this.state;
  }

  /** Why repairs of `stream` stopped (it flapped between two declarations), or undefined. */
  flappingOf(stream: string): FlappingRecord | undefined {
    return this.guard.flappingOf(stream);
  }

  async onModuleInit(): Promise<void> {
    let nc: NatsConnection;
    try {
      // Shares the connection's one attempt (Nest runs one module's init hooks concurrently).
      nc = await this.connection.open();
    } catch {
      return; // start-up reports it
    }
    if (this.stopped) return;
    this.domain = advisoryDomain(this.options, serverDomain(nc));
    await this.follow();
    // The checks after the advisories' connection came back may have found the main one still
    // down (they fail at once then): check again once it is back too.
    this.connection.status$.pipe(filter((s) => s.type === 'reconnected')).subscribe(() => this.recheck());
  }

  onModuleDestroy(): void {
    this.stopped = true;
    this.state = 'off';
    this.drift.stop();
    this.handle?.stop();
    this.events.complete();
  }

  private async follow(): Promise<void> {
    try {
      const side = await this.connection.openSideConnection('advisories');
      this.handle = await followStreamAdvisories(side, {
        // The library's own bucket is no stream of the app's.
        accept: (advisory) => concernsDomain(advisory.domain, this.domain) && !isLibraryStream(advisory.stream),
        batch: (batch) => this.receiveBatch(batch),
        refused: (err) => this.refuse(err),
        // Advisories sent while that connection was down are lost: check every declared stream again.
        resumed: () => this.recheck(),
      });
    } catch (err) {
      // The connection closed meanwhile (a failed start-up closes it), or a second one cannot be opened.
      if (!this.stopped) {
        this.logger.warn(
          `Could not follow stream advisories (${(err as Error).message}): changes made elsewhere are seen when the stream info cache expires (cacheTtlMs ${this.options.cacheTtlMs} ms)`,
        );
      }
      return;
    }
    if (!this.handle.allowed) this.refuse();
    else if (this.state === 'off' && !this.stopped) this.state = 'watching';
  }

  /** Cache emptied, every declared stream checked again (when drift is checked). */
  private recheck(): void {
    this.cache.clear();
    if (this.state === 'watching' && this.checksDrift()) for (const { name } of this.declared.all()) this.drift.check(name);
  }

  private receiveBatch(batch: AdvisoryBatch): void {
    if (this.stopped) return;
    // Beyond what the feed keeps waiting, what changed is unknown: everything is read again.
    if (batch.dropped > 0) this.recheck();
    this.unreported += batch.dropped;
    for (const advisory of batch.advisories) this.receive(advisory);
    if (this.unreported > 0 && Date.now() - this.lastFloodWarning >= FLOOD_WARNING_MS) {
      this.lastFloodWarning = Date.now();
      this.logger.warn(
        `${this.unreported} stream advisories were dropped or not emitted on events$: more arrived than ${MAX_PENDING_STREAMS} streams at once, or than ${UNDECLARED_EVENTS_PER_SECOND} a second about streams this app does not declare (a flood on ${STREAM_ADVISORIES}?). The stream info cache was kept true; deny publishing on $JS.EVENT.> to clients that need not`,
      );
      this.unreported = 0;
    }
  }

  /** Logs the refusal once (it comes back after every reconnect) and falls back to the TTL. */
  private refuse(err?: NatsError): void {
    if (this.state === 'refused' || this.stopped) return;
    this.state = 'refused';
    const why = err?.message ?? 'the server closed the subscription';
    const ttl = this.options.cacheTtlMs;
    const repair = this.options.reconcile.onDrift === 'repair' ? '; reconcile.onDrift: repair is inactive' : '';
    this.logger.warn(
      `This connection may not subscribe to ${STREAM_ADVISORIES} (${why}): changes made elsewhere are seen when the stream info cache expires (cacheTtlMs ${ttl} ms)${repair}. Allow the user to subscribe to ${STREAM_ADVISORIES} to follow them at once`,
    );
  }

  private receive(advisory: StreamAdvisory): void {
    const { stream, kind } = advisory;
    // Our own write: the cache already holds the server's answer to it, and it drifts from nothing.
    const own = (kind === 'created' || kind === 'updated' || kind === 'deleted') && this.own.isOwn(stream);
    if (!own) this.cache.forget(stream);
    if (kind === 'other') return;
    const declared = this.declared.has(stream);
    if (declared || this.undeclaredEvents.take()) this.events.next(toEvent(advisory, declared));
    else this.unreported += 1;
    if (!own && declared && this.checksDrift() && (kind === 'created' || kind === 'updated' || kind === 'deleted'))
      this.drift.check(stream);
  }

  /**
   * Drift is checked (a read after an event) only when someone acts on it: repairs, or a
   * subscriber of `events$`. Otherwise an event costs no request; health still shows drift.
   */
  private checksDrift(): boolean {
    return this.options.reconcile.onDrift === 'repair' || this.events.observed;
  }
}

function toEvent(a: StreamAdvisory, declared: boolean): StreamEvent {
  const base = { stream: a.stream, at: a.at, declared, ...(a.domain ? { domain: a.domain } : {}) };
  switch (a.kind) {
    case 'leader-elected':
      return { ...base, type: 'leader-elected', leader: a.leader ?? '', replicas: a.replicas };
    case 'quorum-lost':
      return { ...base, type: 'quorum-lost', replicas: a.replicas };
    default:
      return { ...base, type: a.kind as 'created' | 'updated' | 'deleted' };
  }
}

/** The connected server's JetStream domain, from its INFO (the client's type does not declare it). */
function serverDomain(nc: NatsConnection): string | undefined {
  const domain = (nc.info as { domain?: unknown } | undefined)?.domain;
  return typeof domain === 'string' && domain !== '' ? domain : undefined;
}
