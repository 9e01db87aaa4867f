import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ConnectionService } from './connection/connection.service.js';
import { StreamEvents } from './events/stream-events.js';
import { NatsHealthIndicator } from './health/nats.health.js';
import { StreamsHealthIndicator } from './health/streams.health.js';
import { JetStreamApi } from './jetstream/jetstream-api.js';
import { StreamsMetrics } from './metrics/streams-metrics.js';
import { StreamMonitor } from './monitoring/stream-monitor.js';
import { STREAMS_MODULE_OPTIONS } from './streams.module-definition.js';
import { STREAMS_RESOLVED_OPTIONS } from './streams.constants.js';
import { resolveOptions } from './resolve-options.js';
import type { ResolvedStreamsOptions, StreamsModuleOptions } from './streams.options.js';
import { StreamsRegistry } from './streams-registry.js';
import { coreToken, getStreamsOptionsOverrideToken } from './streams.tokens.js';
import { DeclaredStreams } from './streams/declared-streams.js';
import { DesiredStreams } from './streams/desired-streams.js';
import { ConsumerReconciler } from './reconcile/consumer-reconciler.js';
import { LossGuard } from './reconcile/loss-guard.js';
import { Reconciler } from './reconcile/reconciler.js';
import { createStreamInfoCache, StreamInfoCache } from './reconcile/stream-info-cache.js';
import { StreamService } from './streams/stream.service.js';
import { StreamWriter } from './reconcile/stream-writer.js';
import { StreamsStartup } from './streams-startup.js';

/**
 * The options with a test's override on top (see the testing entry point): its fields replace the
 * app's, one level deep for the grouped ones (`connection`, `startup`, `health`, `jetstream`).
 */
function withOverride(options: StreamsModuleOptions, override: Partial<StreamsModuleOptions>): StreamsModuleOptions {
  // A forRootAsync factory that returned no object: resolveOptions says so.
  if (options === null || typeof options !== 'object') return options;
  const merged: StreamsModuleOptions = { ...options, ...override };
  for (const group of ['connection', 'startup', 'health', 'jetstream'] as const) {
    if (override[group] && options[group]) Object.assign(merged, { [group]: { ...options[group], ...override[group] } });
  }
  return merged;
}

/** The providers a connection's core exports (under `coreToken(kind, name)`) to its public modules. */
export const CORE_EXPORTS = { StreamService, ConnectionService, StreamMonitor, StreamEvents, DeclaredStreams } as const;

/**
 * What every connection shares: the registry of connections and the two health indicators,
 * which take a connection name. Global and static, so there is one of each per app.
 */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [StreamsRegistry, NatsHealthIndicator, StreamsHealthIndicator],
  exports: [StreamsRegistry, NatsHealthIndicator, StreamsHealthIndicator],
})
export class StreamsSharedModule {}

/**
 * One connection's services. Always global, but it exports only internal tokens (see
 * `coreToken`): the public `StreamsModule` (forRoot, forFeature) re-exports them under the public
 * ones, so `isGlobal` decides who sees them, and `forFeature` modules can reach them without it.
 */
@Module({})
export class StreamsCoreModule {
  /**
   * The core of the connection `name`, from the options providers the module builder made
   * (`forRoot`'s value or `forRootAsync`'s factory) and the imports they need.
   */
  static register(name: string, optionProviders: Provider[], imports: DynamicModule['imports']): DynamicModule {
    const services: Provider[] = [
      ConnectionService,
      JetStreamApi,
      DesiredStreams,
      DeclaredStreams,
      StreamWriter,
      LossGuard,
      ConsumerReconciler,
      Reconciler,
      StreamService,
      StreamEvents,
      StreamMonitor,
      StreamsStartup,
      StreamsMetrics,
      { provide: StreamInfoCache, useFactory: createStreamInfoCache, inject: [STREAMS_RESOLVED_OPTIONS, ConnectionService] },
    ];
    const aliases = Object.entries(CORE_EXPORTS).map(([kind, type]): Provider => ({ provide: coreToken(kind, name), useExisting: type }));
    return {
      module: StreamsCoreModule,
      global: true,
      imports: [...(imports ?? []), StreamsSharedModule],
      providers: [
        ...optionProviders,
        { provide: getStreamsOptionsOverrideToken(name), useValue: {} },
        {
          provide: STREAMS_RESOLVED_OPTIONS,
          useFactory: (options: StreamsModuleOptions, override: Partial<StreamsModuleOptions>) =>
            resolveOptions(withOverride(options, override), name),
          inject: [STREAMS_MODULE_OPTIONS, getStreamsOptionsOverrideToken(name)],
        },
        ...services,
        {
          // Registers the connection with the indicators; fails start-up on a name used twice.
          provide: coreToken('registration', name),
          useFactory: (
            registry: StreamsRegistry,
            connection: ConnectionService,
            monitor: StreamMonitor,
            declared: DeclaredStreams,
            options: ResolvedStreamsOptions,
          ) => (registry.add(name, { connection, monitor, declared, options }), name),
          inject: [StreamsRegistry, ConnectionService, StreamMonitor, DeclaredStreams, STREAMS_RESOLVED_OPTIONS],
        },
        ...aliases,
      ],
      exports: aliases.map((a) => (a as { provide: symbol }).provide),
    };
  }
}
