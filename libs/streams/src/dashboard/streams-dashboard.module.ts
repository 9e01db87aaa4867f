import { Module, type DynamicModule } from '@nestjs/common';
import { StreamsRegistry } from '../streams-registry.js';
import { DashboardFeed } from './dashboard-feed.js';
import { resolveDashboardOptions, type StreamsDashboardOptions } from './dashboard-options.js';
import { dashboardController } from './dashboard.controller.js';

/**
 * A live, read-only page of a connection's streams, mounted in the app that imports it: status
 * with reasons and warnings, drift field by field, sizes, limit usage, declared consumers, and
 * charts of messages, size and publish rate over the last minutes. One HTML response and a
 * server-sent-events feed; no build step, no CDN, no files to serve.
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
   * Mounts the page at `options.path` (and its feed at `<path>/events`) for the connection
   * `options.connection`.
   * @throws InvalidOptionsError for an invalid option (at once), or at start-up when the app has
   *   no `StreamsModule.forRoot` for that connection
   */
  static register(options: StreamsDashboardOptions | null = {}): DynamicModule {
    const resolved = resolveDashboardOptions(options);
    const feed = Symbol(`StreamsDashboardFeed:${resolved.path}`);
    return {
      module: StreamsDashboardModule,
      controllers: [dashboardController(resolved, feed)],
      providers: [
        {
          provide: feed,
          useFactory: (registry?: StreamsRegistry) => new DashboardFeed(resolved, registry),
          inject: [{ token: StreamsRegistry, optional: true }],
        },
      ],
    };
  }
}
