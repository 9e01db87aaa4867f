import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { StreamsSnapshot } from '../monitoring/stream-monitor.js';
import { StreamsRegistry } from '../streams-registry.js';
import { healthDetails, type HealthDetails } from './health-details.js';
import { checkOptions, connectionName, oneOf, show, type OptionCheck } from './check-options.js';
import { checkConnection } from './connection-check.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { streamNameProblem } from '../declaration/subjects.js';

/** Options of one {@link StreamsHealthIndicator.isHealthy} check. */
export interface StreamsHealthCheckOptions {
  /** The connection whose streams to check, as named in `forRoot({ name })`. @default 'default' */
  connection?: string;
  /** The streams to check. @default the declared streams (all streams if none are declared) */
  streams?: string[];
  /** `'compact'` or `'full'` details. @default the connection's `health.details` */
  details?: 'compact' | 'full';
}

const METHOD = 'StreamsHealthIndicator.isHealthy';

const STREAMS_CHECKS: Record<keyof StreamsHealthCheckOptions, OptionCheck> = {
  connection: connectionName(METHOD),
  streams: (value, option) => {
    if (!Array.isArray(value)) throw new InvalidArgumentError(METHOD, option, `must be a list of stream names, got ${show(value)}`);
    value.forEach((name: unknown, i) => {
      const problem = streamNameProblem(name);
      if (problem) throw new InvalidArgumentError(METHOD, `${option}[${i}]`, `must be a stream name: ${problem}`);
    });
  },
  details: oneOf(METHOD, 'compact', 'full'),
};

/**
 * Terminus indicator of the app's streams (declared buckets among them, as `KV_<bucket>`): they
 * exist, have not drifted from their declaration (`health.drift`), are under the usage threshold
 * (`health.usageThreshold`), their declared consumers exist, match their declaration and are under
 * `health.consumerLag` / `health.consumerAckPending`, and, when clustered, they have a leader and
 * current replicas (`health.degradedReplicas`). It reads the shared monitor
 * snapshot (at most one stream list per monitor interval, however many requests arrive), and its
 * details are computed once per snapshot: by default compact (counts of streams up, details only
 * for streams with a problem or a warning). Never throws for a failure: the details say which
 * stream failed and why (invalid options reject).
 */
@Injectable()
export class StreamsHealthIndicator {
  private readonly computed = new WeakMap<StreamsSnapshot, Map<string, HealthDetails>>();

  constructor(
    private readonly registry: StreamsRegistry,
    private readonly health: HealthIndicatorService,
  ) {}

  /**
   * Checks the streams of a connection (the default one unless `options.connection` names
   * another). `null` or no options mean the defaults. While the connection is not connected the
   * answer is down with that reason at once, whatever the latest snapshot said.
   * @throws (rejects with) InvalidArgumentError for invalid options (an unknown key, `streams` not
   *   a list of stream names, `details` neither `'compact'` nor `'full'`): a programming error, not
   *   a health verdict
   */
  async isHealthy<const Key extends string>(key: Key, given?: StreamsHealthCheckOptions | null): Promise<HealthIndicatorResult<Key>> {
    const options = checkOptions<StreamsHealthCheckOptions>(METHOD, given, STREAMS_CHECKS);
    return checkConnection(
      this.health,
      this.registry,
      key,
      options.connection,
      async (indicator, { connection, monitor, declared, options: settings }) => {
        // The snapshot may be up to monitorIntervalMs old: without a connection it says nothing now.
        if (!connection.isConnected()) return indicator.down({ reason: `NATS is not connected (${connection.currentStatus.type})` });
        // Bounded: a frozen server must not hold a probe for operationTimeoutMs.
        const snapshot = await monitor.readWithin(settings.health.timeoutMs);
        if (snapshot.error) return indicator.down({ reason: snapshot.error });
        const mode = options.details ?? settings.health.details;
        const computed = this.detailsOf(snapshot, options.streams, mode, () => declared.all().map((d) => d.name));
        // No advisory tells of a consumer update: say how long one can go unseen.
        const seen = { ...computed, consumerChangesSeenWithinMs: settings.monitorIntervalMs };
        // In a fleet the snapshot may be the leader's: say whose, and how old it is now.
        const details = snapshot.fleet ? { ...seen, fleet: { ...snapshot.fleet, ageMs: Date.now() - Date.parse(snapshot.at) } } : seen;
        return details.failing ? indicator.down(details) : indicator.up(details);
      },
    );
  }

  /**
   * The details for this snapshot and selection, computed on the first check that needs them.
   * Later checks of the same snapshot cost a lookup: the default selection (the declared streams)
   * is keyed by the mode alone, so nothing proportional to the number of streams runs per request.
   */
  private detailsOf(
    snapshot: StreamsSnapshot,
    selection: string[] | undefined,
    mode: 'compact' | 'full',
    declared: () => string[],
  ): HealthDetails {
    const key = selection ? `${mode}\u0000${selection.join('\u0000')}` : mode;
    let bySelection = this.computed.get(snapshot);
    if (!bySelection) this.computed.set(snapshot, (bySelection = new Map()));
    let details = bySelection.get(key);
    if (!details) bySelection.set(key, (details = healthDetails(snapshot, selection ?? declared(), mode)));
    return details;
  }
}
