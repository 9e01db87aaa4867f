import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ConnectionService } from './connection/connection.service.js';
import { NatsHealthIndicator } from './health/nats.health.js';
import { StreamsHealthIndicator } from './health/streams.health.js';
import { StreamMonitor } from './monitoring/stream-monitor.js';
import { DeclaredStreams, FeatureStreams } from './streams/declared-streams.js';
import type { StreamDeclaration } from './streams/stream-declaration.js';
import { StreamInfoCache } from './streams/stream-info-cache.js';
import { StreamService } from './streams/stream.service.js';
import { STREAMS_RESOLVED_OPTIONS } from './streams.constants.js';
import { resolveOptions, type ResolvedStreamsOptions } from './streams.options.js';
import {
  STREAMS_ASYNC_OPTIONS_TYPE,
  STREAMS_MODULE_OPTIONS,
  STREAMS_OPTIONS_TYPE,
  StreamsConfigurableModule,
} from './streams.module-definition.js';

const PUBLIC_PROVIDERS = [ConnectionService, StreamService, NatsHealthIndicator, StreamsHealthIndicator];

/**
 * Owns one NATS connection and the app's JetStream streams.
 *
 * @example
 * StreamsModule.forRoot({
 *   connection: { servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' },
 *   streams: [{ name: 'orders', subjects: ['orders.>'], max_age: '7d' }],
 * })
 */
@Module({})
export class StreamsModule extends StreamsConfigurableModule {
  /** Registers the module with static options. */
  static override forRoot(options: typeof STREAMS_OPTIONS_TYPE): DynamicModule {
    return withServices(super.forRoot(options));
  }

  /** Registers the module with options from a factory, class or existing provider. */
  static override forRootAsync(options: typeof STREAMS_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withServices(super.forRootAsync(options));
  }

  /**
   * Declares streams from a feature module; they are ensured at start-up with the root ones.
   * Needs `StreamsModule.forRoot` (or `forRootAsync`) once in the app.
   */
  static forFeature(streams: StreamDeclaration[]): DynamicModule {
    const provider: Provider = { provide: Symbol('StreamsFeature'), useValue: new FeatureStreams(streams) };
    return { module: StreamsModule, providers: [provider] };
  }
}

function withServices(definition: DynamicModule): DynamicModule {
  return {
    ...definition,
    imports: [...(definition.imports ?? []), DiscoveryModule, TerminusModule],
    providers: [
      ...(definition.providers ?? []),
      ...PUBLIC_PROVIDERS,
      DeclaredStreams,
      StreamMonitor,
      { provide: STREAMS_RESOLVED_OPTIONS, useFactory: resolveOptions, inject: [STREAMS_MODULE_OPTIONS] },
      {
        provide: StreamInfoCache,
        useFactory: (options: ResolvedStreamsOptions) => new StreamInfoCache(options.cacheTtlMs),
        inject: [STREAMS_RESOLVED_OPTIONS],
      },
    ],
    exports: [...(definition.exports ?? []), ...PUBLIC_PROVIDERS, StreamMonitor],
  };
}
