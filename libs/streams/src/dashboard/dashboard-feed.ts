import { type MessageEvent, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { concat, defer, filter, map, type Observable, of, Subject, type Subscription } from 'rxjs';
import { InvalidOptionsError } from '../errors/invalid-options.error.js';
import type { StreamsSnapshot } from '../monitoring/stream-monitor.js';
import { DEFAULT_CONNECTION } from '../streams.constants.js';
import type { StreamsRegistry, RegisteredConnection } from '../streams-registry.js';
import { historyCapacity, type ResolvedDashboardOptions } from './dashboard-options.js';
import { buildView, emptyView, type DashboardView, type ViewContext } from './dashboard-view.js';
import { StreamHistory, type HistoryData, type HistoryPoint } from './stream-history.js';

/** What a page receives on the feed: everything when it connects, then each snapshot. */
export type DashboardEvent =
  { type: 'init'; view: DashboardView; history: HistoryData } | { type: 'update'; view: DashboardView; point?: HistoryPoint };

/**
 * One dashboard's server side: follows the connection's monitor from start-up (one stream list
 * per monitor interval, shared with `/health` and metrics) to keep the latest view and a bounded
 * history, and serves them to every open page.
 */
export class DashboardFeed implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly updates = new Subject<DashboardEvent>();
  private subscription?: Subscription;
  private source?: RegisteredConnection;
  private history?: StreamHistory;
  private view?: DashboardView;

  constructor(
    private readonly options: ResolvedDashboardOptions,
    /** Absent when the app has no `StreamsModule.forRoot`. */
    private readonly registry: StreamsRegistry | undefined,
  ) {}

  /** Starts following the monitor once every module is initialised (the connection is open). */
  onApplicationBootstrap(): void {
    const source = this.connection();
    const intervalMs = source.options.monitorIntervalMs;
    this.source = source;
    this.history = new StreamHistory(historyCapacity(this.options, intervalMs), this.options.historyStreams);
    this.view = emptyView(this.context());
    this.subscription = source.monitor.snapshots().subscribe((snapshot) => this.take(snapshot));
    // A lost connection shows at once: the monitor's next snapshot may wait for a read in flight.
    this.subscription.add(
      source.connection.status$.pipe(filter((status) => !status.connected)).subscribe((status) => this.lost(status.type)),
    );
  }

  /** Ends every open page's feed, so that shutdown does not wait for browsers. */
  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
    this.updates.complete();
  }

  /** The feed of one page: the current view and history at once, then one event per snapshot. */
  events(): Observable<MessageEvent> {
    const init = defer(() => of<DashboardEvent>({ type: 'init', view: this.view!, history: this.history!.toJSON() }));
    return concat(init, this.updates).pipe(map((data): MessageEvent => ({ data })));
  }

  private take(snapshot: StreamsSnapshot): void {
    const at = Date.parse(snapshot.at);
    const point = this.history!.record(at, snapshot.error === undefined ? Object.values(snapshot.streams) : null);
    this.view = buildView(snapshot, this.view, this.context());
    this.updates.next({ type: 'update', view: this.view, point });
  }

  private lost(status: string): void {
    if (this.view?.stale) return;
    const snapshot: StreamsSnapshot = {
      at: new Date().toISOString(),
      healthy: false,
      error: `NATS is not connected (${status})`,
      streams: {},
    };
    this.view = buildView(snapshot, this.view, this.context());
    this.updates.next({ type: 'update', view: this.view });
  }

  private context(): ViewContext {
    const { connection, declared, options } = this.source!;
    return {
      connection: { name: options.name, status: connection.currentStatus.type, servers: connection.servers },
      intervalMs: options.monitorIntervalMs,
      declared: (name) => declared.has(name),
    };
  }

  private connection(): RegisteredConnection {
    const name = this.options.connection;
    try {
      if (this.registry) return this.registry.get(name);
    } catch {
      // An unknown name: the same answer as no StreamsModule at all.
    }
    throw new InvalidOptionsError(
      'dashboard.connection',
      name,
      `StreamsDashboardModule needs StreamsModule.forRoot() or forRootAsync()${name === DEFAULT_CONNECTION ? '' : ` with name '${name}'`} in the app`,
    );
  }
}
