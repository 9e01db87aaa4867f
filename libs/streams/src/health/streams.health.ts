import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ConnectionService } from '../connection/connection.service.js';
import { StreamMonitor } from '../monitoring/stream-monitor.js';
import { DeclaredStreams } from '../streams/declared-streams.js';
import type { StreamHealth } from '../streams/stream-health.js';

/** Options of one {@link StreamsHealthIndicator.isHealthy} check. */
export interface StreamsHealthCheckOptions {
  /** The streams to check. @default the declared streams (all streams if none are declared) */
  streams?: string[];
}

/**
 * Terminus indicator of the app's streams: they exist, have not drifted from their declaration,
 * are under the usage threshold (`health.usageThreshold`) and, when clustered, have a leader and
 * current replicas (`health.degradedReplicas` decides whether a lagging replica is up). Reads
 * the shared monitor snapshot (at most one stream list per monitor interval, however many
 * requests arrive). Never throws; the details say which stream failed and why.
 */
@Injectable()
export class StreamsHealthIndicator {
  constructor(
    private readonly connection: ConnectionService,
    private readonly monitor: StreamMonitor,
    private readonly declared: DeclaredStreams,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy<const Key extends string>(key: Key, options: StreamsHealthCheckOptions = {}): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.health.check(key);
    if (this.connection.isShuttingDown) return indicator.down({ reason: 'shutting down' });
    try {
      const snapshot = await this.monitor.read();
      if (snapshot.error) return indicator.down({ reason: snapshot.error });
      const wanted = options.streams ?? this.declared.all().map((d) => d.name);
      const names = wanted.length ? wanted : Object.keys(snapshot.streams);
      const streams: Record<string, unknown> = {};
      const failing: string[] = [];
      for (const name of names) {
        const health = snapshot.streams[name];
        streams[name] = health ? summary(health) : { status: 'down', problems: ['stream not found'] };
        if (!health?.healthy) failing.push(name);
      }
      const details = { checkedAt: snapshot.at, streams };
      if (failing.length) {
        return indicator.down({ ...details, reason: `streams down: ${failing.join(', ')}`, failing });
      }
      return indicator.up(details);
    } catch (err) {
      return indicator.down({ reason: (err as Error).message });
    }
  }
}

/** The part of a stream's health record that goes into the /health details. */
function summary(health: StreamHealth) {
  return {
    status: health.status,
    problems: health.problems,
    ...(health.warnings.length ? { warnings: health.warnings } : {}),
    messages: health.messages,
    bytes: health.bytes,
    usage: health.usage,
    ...(health.cluster ? { leader: health.cluster.leader, replicas: health.cluster.replicas } : {}),
    ...(health.drift?.length ? { drift: health.drift } : {}),
  };
}
