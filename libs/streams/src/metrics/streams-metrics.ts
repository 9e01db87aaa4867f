import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  createNoopMeter,
  metrics,
  type BatchObservableCallback,
  type Meter,
  type Observable as ObservableInstrument,
} from '@opentelemetry/api';
import { filter, Subscription } from 'rxjs';
import { ConnectionService } from '../connection/connection.service.js';
import { JetStreamApi } from '../jetstream/jetstream-api.js';
import { StreamMonitor } from '../monitoring/stream-monitor.js';
import { STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { Reconciler } from '../reconcile/reconciler.js';
import { API_DURATION_BUCKETS, ATTR, INSTRUMENTS, METER_NAME } from './instruments.js';
import { STREAM_GAUGES, streamPoints, UNREADABLE_GAUGES, unreadablePoints, type GaugeKey, type MetricPoint } from './metric-points.js';
import { reconcileOutcome } from './reconcile-outcome.js';
import { SeriesMemory } from './series-memory.js';

const CONNECTION_GAUGES: readonly GaugeKey[] = ['connectionStatus'];
const GAUGES = Object.keys(INSTRUMENTS).filter((key) => INSTRUMENTS[key as keyof typeof INSTRUMENTS].kind === 'gauge') as GaugeKey[];

/**
 * Reports one connection's streams, connection and JetStream API calls through the OpenTelemetry
 * metrics API (see {@link INSTRUMENTS}). The app chooses the SDK and exporter and registers its
 * meter provider before the modules initialise; without one, the API's no-op meter is all there is and
 * this service does nothing at all (no callback, no subscription). Gauges read the monitor's
 * latest snapshot (`StreamMonitor.read`), so a collection sends at most one stream list per
 * monitor interval, shared with `/health` and the monitor's subscribers.
 */
@Injectable()
export class StreamsMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly subscriptions = new Subscription();
  private readonly series = new SeriesMemory();
  private reconnects = 0;
  private collection?: { meter: Meter; callback: BatchObservableCallback; instruments: ObservableInstrument[] };

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    private readonly connection: ConnectionService,
    private readonly monitor: StreamMonitor,
    private readonly api: JetStreamApi,
    private readonly reconciler: Reconciler,
  ) {}

  /**
   * Creates the instruments on the global meter provider, before the declared streams are ensured
   * (so start-up reconciliations are counted). Every provider of the app has been created by then:
   * an SDK registered before `NestFactory.create` or in a provider's factory is seen.
   */
  onModuleInit(): void {
    const meter = metrics.getMeter(METER_NAME);
    if (meter === createNoopMeter()) return;
    this.observeGauges(meter);
    this.countEvents(meter);
  }

  onModuleDestroy(): void {
    this.subscriptions.unsubscribe();
    if (this.collection) {
      const { meter, callback, instruments } = this.collection;
      meter.removeBatchObservableCallback(callback, instruments);
      this.collection = undefined;
    }
  }

  private observeGauges(meter: Meter): void {
    const gauges = new Map(GAUGES.map((key) => [key, meter.createObservableGauge(INSTRUMENTS[key].name, describe(key))]));
    const reconnects = meter.createObservableCounter(INSTRUMENTS.connectionReconnects.name, describe('connectionReconnects'));
    const callback: BatchObservableCallback = async (result) => {
      const points = await this.collect();
      for (const { gauge, value, attributes } of points) result.observe(gauges.get(gauge)!, value, attributes);
      result.observe(reconnects, this.reconnects, { [ATTR.connection]: this.options.name });
    };
    const instruments = [...gauges.values(), reconnects];
    meter.addBatchObservableCallback(callback, instruments);
    this.collection = { meter, callback, instruments };
    this.subscriptions.add(this.connection.status$.pipe(filter((s) => s.type === 'reconnected')).subscribe(() => (this.reconnects += 1)));
  }

  private countEvents(meter: Meter): void {
    const name = this.options.name;
    const reconciliations = meter.createCounter(INSTRUMENTS.reconciliations.name, describe('reconciliations'));
    const duration = meter.createHistogram(INSTRUMENTS.apiDuration.name, {
      ...describe('apiDuration'),
      advice: { explicitBucketBoundaries: API_DURATION_BUCKETS },
    });
    this.subscriptions.add(
      this.reconciler.results$.subscribe(({ operation, result }) =>
        reconciliations.add(1, {
          [ATTR.connection]: name,
          [ATTR.stream]: result.name,
          [ATTR.operation]: operation,
          [ATTR.outcome]: reconcileOutcome(result),
        }),
      ),
    );
    this.subscriptions.add(
      this.api.calls$.subscribe((call) =>
        duration.record(call.durationMs / 1000, {
          [ATTR.connection]: name,
          [ATTR.request]: call.kind,
          [ATTR.operation]: call.operation,
          ...(call.error !== undefined && { [ATTR.error]: call.error }),
        }),
      ),
    );
  }

  /** Every gauge's points for one collection: the latest snapshot, the connection's state and rtt. */
  private async collect(): Promise<MetricPoint[]> {
    const name = this.options.name;
    const snapshot = await this.monitor.read();
    const readable = snapshot.error === undefined;
    const streams = readable ? streamPoints(snapshot, name) : unreadablePoints(this.series.values('streamUp', ATTR.stream), name);
    const status = this.connection.currentStatus;
    const points = [
      ...streams,
      { gauge: 'connectionStatus' as const, value: 1, attributes: { [ATTR.connection]: name, [ATTR.connectionState]: status.type } },
    ];
    const rtt = await this.rtt();
    if (rtt !== undefined) points.push({ gauge: 'connectionRtt', value: rtt, attributes: { [ATTR.connection]: name } });
    return this.series.complete(points, [...(readable ? STREAM_GAUGES : UNREADABLE_GAUGES), ...CONNECTION_GAUGES]);
  }

  /** Seconds to the server and back, or undefined when not connected or no answer came in time. */
  private async rtt(): Promise<number | undefined> {
    if (!this.connection.isConnected()) return undefined;
    try {
      return (await this.connection.rtt()) / 1000;
    } catch {
      return undefined;
    }
  }
}

function describe(key: keyof typeof INSTRUMENTS): { description: string; unit: string } {
  return { description: INSTRUMENTS[key].description, unit: INSTRUMENTS[key].unit };
}
