import { DEFAULT_CONNECTION } from './streams.constants.js';
import type { ResolvedStreamsOptions, StreamsModuleOptions } from './streams.options.js';

/**
 * Applies the defaults documented on {@link StreamsModuleOptions} to options that
 * `validateOptions` checked (it is what keeps the values here in range).
 */
export function resolveOptions(options: StreamsModuleOptions, name: string = DEFAULT_CONNECTION): ResolvedStreamsOptions {
  const { startup = {}, health = {}, jetstream = {}, reconcile = {}, fleet } = options;
  const monitorIntervalMs = options.monitorIntervalMs ?? 5_000;
  const leaseMs = fleet?.leaseMs ?? 15_000;
  return {
    name,
    apiPrefix: jetstream.apiPrefix ?? (jetstream.domain ? `$JS.${jetstream.domain}.API` : '$JS.API'),
    ...(jetstream.domain ? { domain: jetstream.domain } : {}),
    connection: options.connection,
    startup: {
      wait: startup.wait ?? true,
      timeoutMs: startup.timeoutMs ?? 10_000,
      retryIntervalMs: startup.retryIntervalMs ?? 500,
      streamsTimeoutMs: startup.streamsTimeoutMs ?? 60_000,
    },
    drainTimeoutMs: options.drainTimeoutMs ?? 5_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 5_000,
    operationTimeoutMs: options.operationTimeoutMs ?? 15_000,
    concurrency: options.concurrency ?? 8,
    streams: options.streams ?? [],
    buckets: options.buckets ?? [],
    objectStores: options.objectStores ?? [],
    streamDefaults: options.streamDefaults ?? {},
    onStartupError: options.onStartupError ?? 'fail',
    cacheTtlMs: options.cacheTtlMs ?? 300_000,
    monitorIntervalMs,
    consumerReadsPerTick: options.consumerReadsPerTick ?? 0,
    health: {
      usageThreshold: health.usageThreshold ?? 0.9,
      degradedReplicas: health.degradedReplicas ?? 'up',
      rttTimeoutMs: health.rttTimeoutMs ?? 2_000,
      timeoutMs: health.timeoutMs ?? 2_000,
      drift: health.drift ?? 'down',
      details: health.details ?? 'compact',
      consumerLag: health.consumerLag ?? 0,
      consumerAckPending: health.consumerAckPending ?? 0,
    },
    reconcile: {
      onDrift: reconcile.onDrift ?? 'report',
      maxRepairs: reconcile.maxRepairs ?? 3,
      repairWindowMs: reconcile.repairWindowMs ?? 60_000,
    },
    fleet: fleet ? { group: fleet.group, leaseMs, staleAfterMs: fleet.staleAfterMs ?? leaseMs + 2 * monitorIntervalMs } : null,
  };
}
