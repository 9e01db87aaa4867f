import { type MessageEvent, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { concat, defer, filter, map, type Observable, of, Subject, type Subscription } from 'rxjs';
import type { ConnectionService } from '../connection/connection.service.js';
import type { StreamMonitor } from '../monitoring/stream-monitor.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import type { DeclaredStreams } from '../streams/declared-streams.js';
import type { ViewContext } from './dashboard-view.js';
import type { StreamSeries } from './feed-protocol.js';
import { FeedState } from './feed-state.js';
import { StreamHistory } from './stream-history.js';

/** The services of the connection a dashboard shows. */
export interface DashboardSource {
  connection: ConnectionService;
  monitor: StreamMonitor;
  declared: DeclaredStreams;
  options: ResolvedStreamsOptions;
}

/**
 * One dashboard's server side: follows the connection's monitor from start-up (one stream list
 * per monitor interval, shared with `/health` and metrics) to keep the latest view and a bounded
 * history, and serves every open page the same events: the whole state when it connects, then
 * what changed.
 */
export class DashboardFeed implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly updates = new Subject<string>();
  private readonly state: FeedState;
  private subscription?: Subscription;

  /**
   * @param capacity samples of history per stream (checked against the bound by `historyCapacity`)
   * @param historyStreams at most this many streams get a history
   */
  constructor(
    private readonly source: DashboardSource,
    capacity: number,
    historyStreams: number,
  ) {
    this.state = new FeedState(new StreamHistory(capacity, historyStreams), this.context());
  }

  /** Starts following the monitor once every module is initialised (the connection is open). */
  onApplicationBootstrap(): void {
    const { monitor, connection } = this.source;
    this.subscription = monitor.snapshots().subscribe((snapshot) => this.updates.next(this.state.take(snapshot, this.context())));
    // A lost connection shows at once: the monitor's next snapshot may wait for a read in flight.
    this.subscription.add(
      connection.status$.pipe(filter((status) => !status.connected)).subscribe(() => {
        const event = this.state.lose(this.context());
        if (event) this.updates.next(event);
      }),
    );
  }

  /** Ends every open page's feed, so that shutdown does not wait for browsers. */
  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
    this.updates.complete();
  }

  /**
   * The feed of one page: the whole state at once, then one event per snapshot or lost
   * connection. Events are JSON text made once and shared by every page.
   */
  events(): Observable<MessageEvent> {
    return concat(
      defer(() => of(this.state.init())),
      this.updates,
    ).pipe(map((data): MessageEvent => ({ data })));
  }

  /** The whole history of one stream, or undefined when it has none. */
  series(stream: string): StreamSeries | undefined {
    return this.state.series(stream);
  }

  private context(): ViewContext {
    const { connection, declared, options } = this.source;
    const status = connection.currentStatus;
    return {
      connection: { name: options.name, status: status.type, connected: connection.isConnected(), servers: connection.servers },
      intervalMs: options.monitorIntervalMs,
      declared: (name) => declared.has(name),
      declaredNames: () => declared.all().map((d) => d.name),
    };
  }
}
