import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ConnectionService } from './connection/connection.service.js';
import { logContext, STREAMS_RESOLVED_OPTIONS } from './streams.constants.js';
import type { ResolvedStreamsOptions } from './streams.options.js';
import { DeclaredStreams } from './streams/declared-streams.js';
import { StreamEvents } from './events/stream-events.js';
import { StreamsMetrics } from './metrics/streams-metrics.js';
import { StreamService } from './streams/stream.service.js';

/**
 * Start-up reconciliation, in one place: once the connection is open, every declared stream
 * (forRoot and forFeature) is ensured. Any failure — a declaration error, a duplicate name, a
 * stream that could not be ensured — follows `onStartupError`: `'fail'` closes the connection (no
 * shutdown hook runs after a failed init, and its reconnect loop would keep the process alive) and
 * fails start-up; `'warn'` logs it and starts anyway.
 */
@Injectable()
export class StreamsStartup implements OnModuleInit {
  private readonly logger: Logger;

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    private readonly connection: ConnectionService,
    private readonly declared: DeclaredStreams,
    private readonly streams: StreamService,
    // Nest runs a module's init hooks level by level of their dependencies: depending on the
    // services that observe reconciliations makes them start first, so start-up is counted too.
    _metrics: StreamsMetrics,
    _events: StreamEvents,
  ) {
    this.logger = new Logger(logContext(options.name));
  }

  async onModuleInit(): Promise<void> {
    // Nest 11 runs one module's init hooks concurrently: share the connection's own attempt.
    await this.connection.open();
    try {
      const declarations = this.declared.all();
      if (declarations.length === 0) return;
      const results = await this.streams.ensureStreams(declarations);
      this.logger.log(`Streams ensured: ${results.map((r) => `${r.name} ${r.action}`).join(', ')}`);
    } catch (err) {
      if (this.options.onStartupError === 'fail') {
        await this.connection.close();
        throw err;
      }
      this.logger.warn(`Declared streams could not all be ensured: ${(err as Error).message}`);
    }
  }
}
