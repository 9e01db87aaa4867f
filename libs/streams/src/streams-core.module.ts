import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { connectionProviders, OPTIONS } from './connection-providers.js';
import { ConnectionService } from './connection/connection.service.js';
import { StreamEvents } from './events/stream-events.js';
import { JetStreamApi } from './jetstream/jetstream-api.js';
import { StreamsMetrics } from './metrics/streams-metrics.js';
import { StreamMonitor } from './monitoring/stream-monitor.js';
import { FleetMember } from './fleet/fleet-member.js';
import { STREAMS_MODULE_OPTIONS } from './streams.module-definition.js';
import { resolveOptions } from './resolve-options.js';
import { validateOptions } from './validate-options.js';
import type { ResolvedStreamsOptions, StreamsModuleOptions } from './streams.options.js';
import { StreamsRegistry, StreamsSharedModule } from './streams-registry.js';
import { connectionToken, getStreamsOptionsOverrideToken, PUBLIC_SERVICES } from './streams.tokens.js';
import { DeclaredStreams } from './streams/declared-streams.js';
import { DesiredStreams } from './streams/desired-streams.js';
import { ConsumerReconciler } from './reconcile/consumer-reconciler.js';
import { LossGuard } from './reconcile/loss-guard.js';
import { Reconciler } from './reconcile/reconciler.js';
import { StreamPlanner } from './reconcile/stream-planner.js';
import { StreamMigrator } from './migration/stream-migrator.js';
import { createStreamInfoCache, StreamInfoCache } from './reconcile/stream-info-cache.js';
import { StreamService } from './streams/stream.service.js';
import { StreamWriter } from './reconcile/stream-writer.js';
import { StreamsStartup } from './streams-startup.js';

/**
 * The options with a test's override on top (see the testing entry point): its fields replace the
 * app's, one level deep for the grouped ones (`connection`, `startup`, `health`, `jetstream`).
 */
function withOverride(options: StreamsModuleOptions, override: Partial<StreamsModuleOptions>): StreamsModuleOptions {
  // A forRootAsync factory that returned no object: validateOptions says so.
  if (options === null || typeof options !== 'object') return options;
  const merged: StreamsModuleOptions = { ...options, ...override };
  for (const group of ['connection', 'startup', 'health', 'jetstream'] as const) {
    if (override[group] && options[group]) Object.assign(merged, { [group]: { ...options[group], ...override[group] } });
  }
  return merged;
}

/**
 * Whether the options a connection's core is given were validated already: `forRoot`'s are, when
 * it is called; what a `forRootAsync` factory returns is not, until the app starts.
 */
export type OptionsChecked = 'checked' | 'unchecked';

/** Every service class of one connection, built per connection (see `connectionProviders`). */
export const CONNECTION_SERVICES = [
  ConnectionService,
  JetStreamApi,
  DesiredStreams,
  DeclaredStreams,
  StreamWriter,
  LossGuard,
  ConsumerReconciler,
  StreamMigrator,
  Reconciler,
  StreamPlanner,
  StreamService,
  FleetMember,
  StreamEvents,
  StreamMonitor,
  StreamsStartup,
  StreamsMetrics,
];

/** What a connection's core exports to its public modules (`forRoot`, `forFeature`): its public services, and its declarations for `forFeature`. */
export const CORE_EXPORTS = [...Object.values(PUBLIC_SERVICES), DeclaredStreams] as const;

/**
 * One connection's services, each under its `connectionToken` (never under its class). Global,
 * so that `forFeature` modules reach them without `isGlobal`; the public `StreamsModule` (forRoot,
 * forFeature) gives them to the app under the public tokens, so `isGlobal` decides who sees them.
 */
@Module({})
export class StreamsCoreModule {
  /**
   * The core of the connection `name`, from the options providers the module builder made
   * (`forRoot`'s value or `forRootAsync`'s factory) and the imports they need.
   */
  static register(name: string, optionProviders: Provider[], imports: DynamicModule['imports'], checked: OptionsChecked): DynamicModule {
    const token = (type: { name: string } | string) => connectionToken(type, name);
    return {
      module: StreamsCoreModule,
      global: true,
      imports: [...(imports ?? []), StreamsSharedModule],
      providers: [
        ...optionProviders,
        { provide: getStreamsOptionsOverrideToken(name), useValue: {} },
        {
          provide: token(OPTIONS),
          useFactory: (options: StreamsModuleOptions, override: Partial<StreamsModuleOptions>) => {
            const merged = withOverride(options, override);
            // Validated once: forRoot's options when it was called; a factory's, or a test's override on top, here.
            if (checked === 'unchecked' || Object.keys(override).length > 0) validateOptions(merged);
            return resolveOptions(merged, name);
          },
          inject: [STREAMS_MODULE_OPTIONS, getStreamsOptionsOverrideToken(name)],
        },
        { provide: token(StreamInfoCache), useFactory: createStreamInfoCache, inject: [token(OPTIONS), token(ConnectionService)] },
        ...connectionProviders(CONNECTION_SERVICES, name, [StreamInfoCache]),
        {
          // Registers the connection with the indicators and the dashboard; fails start-up on a name used twice.
          provide: token('registration'),
          useFactory: (
            registry: StreamsRegistry,
            connection: ConnectionService,
            monitor: StreamMonitor,
            declared: DeclaredStreams,
            options: ResolvedStreamsOptions,
          ) => (registry.add(name, { connection, monitor, declared, options }), name),
          inject: [StreamsRegistry, token(ConnectionService), token(StreamMonitor), token(DeclaredStreams), token(OPTIONS)],
        },
      ],
      // Its options too, for the dashboard to check its own against them before the connection opens.
      exports: [...CORE_EXPORTS.map(token), token(OPTIONS)],
    };
  }
}
