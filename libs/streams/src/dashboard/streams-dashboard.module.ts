import { Module, type DynamicModule } from '@nestjs/common';
import { ConnectionService } from '../connection/connection.service.js';
import { OPTIONS } from '../connection-providers.js';
import { InvalidOptionsError } from '../errors/invalid-options.error.js';
import { StreamMonitor } from '../monitoring/stream-monitor.js';
import { DEFAULT_CONNECTION } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { connectionToken } from '../streams.tokens.js';
import { DeclaredStreams } from '../streams/declared-streams.js';
import { DashboardFeed } from './dashboard-feed.js';
import { historyCapacity, resolveDashboardOptions, type StreamsDashboardOptions } from './dashboard-options.js';
import { dashboardController } from './dashboard.controller.js';

/**
 * A live, read-only page of a connection's streams, mounted in the app that imports it: status
 * with reasons and warnings, drift field by field, sizes, limit usage, declared consumers, and
 * charts of messages, size and publish rate over the last minutes. One HTML response, a
 * server-sent-events feed and a history endpoint; no CDN, no files to serve.
 *
 * Opt-in, and meant for operators: it shows stream names, subjects and config values (never
 * credentials). Do not expose it publicly; put it behind your app's authentication or on an
 * internal port.
 *
 * @example
 * imports: [StreamsModule.forRoot({ ... }), StreamsDashboardModule.register({ path: '/streams-ui' })]
 */
@Module({})
export class StreamsDashboardModule {
  /**
   * Mounts the page at `options.path` (its feed at `<path>/events`, a stream's history at
   * `<path>/history?stream=<name>`) for the connection `options.connection`.
   * @throws InvalidOptionsError for an invalid option, at once; when the app starts, before any
   *   connection opens, for a `connection` no `StreamsModule.forRoot` / `forRootAsync` registers or
   *   a history over its bound at that connection's `monitorIntervalMs`
   */
  static register(options: StreamsDashboardOptions | null = {}): DynamicModule {
    const resolved = resolveDashboardOptions(options);
    const name = resolved.connection;
    const feed = Symbol(`StreamsDashboardFeed:${resolved.path}`);
    return {
      module: StreamsDashboardModule,
      controllers: [dashboardController(resolved, feed)],
      providers: [
        {
          provide: feed,
          // Runs while the app's providers are made, before any module's onModuleInit opens a
          // connection: a bad option fails start-up with nothing to close.
          useFactory: (
            settings?: ResolvedStreamsOptions,
            connection?: ConnectionService,
            monitor?: StreamMonitor,
            declared?: DeclaredStreams,
          ) => {
            if (!settings || !connection || !monitor || !declared) {
              throw new InvalidOptionsError(
                'dashboard.connection',
                name,
                `StreamsDashboardModule needs StreamsModule.forRoot() or forRootAsync()${name === DEFAULT_CONNECTION ? '' : ` with name '${name}'`} in the app`,
              );
            }
            const capacity = historyCapacity(resolved, settings.monitorIntervalMs);
            return new DashboardFeed({ connection, monitor, declared, options: settings }, capacity, resolved.historyStreams);
          },
          inject: [OPTIONS, ConnectionService, StreamMonitor, DeclaredStreams].map((type) => ({
            token: connectionToken(type, name),
            optional: true,
          })),
        },
      ],
    };
  }
}
