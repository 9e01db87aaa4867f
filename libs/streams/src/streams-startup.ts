import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { inspect } from 'node:util';
import { ConnectionService } from './connection/connection.service.js';
import type { StreamDeclaration } from './declaration/stream-declaration.js';
import { StreamBatchError } from './errors/stream-batch.error.js';
import { StreamsStartupError } from './errors/streams-startup.error.js';
import { StreamEvents } from './events/stream-events.js';
import { JetStreamApi } from './jetstream/jetstream-api.js';
import { StreamsMetrics } from './metrics/streams-metrics.js';
import { logContext, STREAMS_RESOLVED_OPTIONS } from './streams.constants.js';
import type { ResolvedStreamsOptions } from './streams.options.js';
import { StreamsRegistry } from './streams-registry.js';
import { DeclaredStreams } from './streams/declared-streams.js';
import { DesiredStreams } from './streams/desired-streams.js';
import { declaredName, prepareBatch } from './streams/stream-batch.js';
import { StreamService } from './streams/stream.service.js';

/** How long after `startup.streamsTimeoutMs` start-up stops waiting for an ensure that has not settled. */
const STOP_GRACE_MS = 1_000;
/** Above this many declared streams, the start-up log line counts actions instead of naming streams. */
const NAMED_IN_LOG = 10;

/**
 * Start-up, in one place: the connection is opened (`startup.timeoutMs`), then every declared
 * stream (forRoot and forFeature) is checked and ensured within `startup.streamsTimeoutMs`.
 *
 * - Every declaration is checked before any request: with `onStartupError: 'fail'` an invalid one
 *   (or a duplicate name, or overlapping subjects) refuses start-up with nothing written.
 * - Within the deadline each request waits out transient answers and reconnects; after it
 *   nothing more is sent, and start-up fails.
 * - A failure follows `onStartupError`: `'fail'` closes every connection of the app (no shutdown
 *   hook runs after a failed init, and an open connection would keep the process alive) and fails
 *   start-up with one concise error (the first failure, and a count), the details of each failure
 *   logged at debug level and held by the error; `'warn'` logs it and starts anyway.
 * - An app closed during start-up stops it (`StreamsStartupError`, reason `'closed'`).
 */
@Injectable()
export class StreamsStartup implements OnModuleInit {
  private readonly logger: Logger;

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    private readonly connection: ConnectionService,
    private readonly declared: DeclaredStreams,
    private readonly desired: DesiredStreams,
    private readonly streams: StreamService,
    private readonly api: JetStreamApi,
    private readonly registry: StreamsRegistry,
    // Nest runs a module's init hooks level by level of their dependencies: depending on the
    // services that observe reconciliations makes them start first, so start-up is counted too.
    _metrics: StreamsMetrics,
    _events: StreamEvents,
  ) {
    this.logger = new Logger(logContext(options.name));
  }

  async onModuleInit(): Promise<void> {
    const started = Date.now();
    try {
      // Nest 11 runs one module's init hooks concurrently: share the connection's own attempt.
      await this.connection.open();
    } catch (err) {
      await this.fail(err, err);
    }
    try {
      await this.ensureDeclared(started);
    } catch (err) {
      if (this.connection.isShuttingDown) {
        await this.fail(new StreamsStartupError('closed', this.options.name, Date.now() - started, 'ensuring the declared streams'), err);
      }
      if (this.options.onStartupError === 'fail') await this.fail(err, err);
      this.logDetails(err);
      this.logger.warn(`Declared streams could not all be ensured: ${(err as Error).message}`);
    }
  }

  /** Closes every connection of the app and fails start-up with `error` (`cause`'s details logged at debug level). */
  private async fail(error: unknown, cause: unknown): Promise<never> {
    this.logDetails(cause);
    await this.closeEveryConnection();
    throw error;
  }

  private async ensureDeclared(started: number): Promise<void> {
    if (this.connection.isShuttingDown) throw new Error('closed while connecting');
    const declarations = this.declared.all();
    if (declarations.length === 0) return;
    if (this.options.onStartupError === 'fail') this.refuseInvalid(declarations);
    const { streamsTimeoutMs } = this.options.startup;
    const deadline = Date.now() + streamsTimeoutMs;
    const ensure = this.api.within({ deadline, what: `startup.streamsTimeoutMs (${streamsTimeoutMs} ms)` }, () =>
      this.streams.ensureStreams(declarations),
    );
    // Every request stops at the deadline; this stops waiting for whatever else an ensure waits on.
    let timer: NodeJS.Timeout | undefined;
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new StreamsStartupError('timeout', this.options.name, Date.now() - started, 'ensuring the declared streams', {
              timeoutMs: streamsTimeoutMs,
            }),
          ),
        streamsTimeoutMs + STOP_GRACE_MS,
      );
    });
    ensure.catch(() => undefined);
    try {
      const results = await Promise.race([ensure, stop]);
      this.logger.log(`Streams ensured: ${summary(results)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Refuses start-up, before any request, when a declaration is invalid, is declared twice or
   * overlaps another one's subjects: the `StreamBatchError` names each, the others are `skipped`.
   */
  private refuseInvalid(declarations: readonly StreamDeclaration[]): void {
    const prepared = prepareBatch(declarations, (d) => this.desired.prepare(d));
    if (!prepared.some((p) => p instanceof Error)) return;
    const results = prepared.map((p, i) => {
      const name = declaredName(declarations[i]);
      return p instanceof Error ? { name, action: 'failed', error: p } : { name, action: 'skipped' };
    });
    throw new StreamBatchError('ensureStreams', results);
  }

  /** The whole of each failure, for who turns on debug logs (the error itself stays short). */
  private logDetails(err: unknown): void {
    const failures = err instanceof StreamBatchError ? err.failures : [{ name: undefined, error: err }];
    for (const { name, error } of failures) {
      this.logger.debug(`Start-up failure${name === undefined ? '' : ` of stream "${name}"`}: ${inspect(error, { depth: 4 })}`);
    }
  }

  /** Closes this connection and every other of the app: a failed init runs no shutdown hook. */
  private async closeEveryConnection(): Promise<void> {
    const others = this.registry.all().map((entry) => entry.connection);
    await Promise.all([this.connection, ...others].map((connection) => connection.close({ drain: false })));
  }
}

function summary(results: ReadonlyArray<{ name: string; action: string }>): string {
  if (results.length <= NAMED_IN_LOG) return results.map((r) => `${r.name} ${r.action}`).join(', ');
  const counts = new Map<string, number>();
  for (const { action } of results) counts.set(action, (counts.get(action) ?? 0) + 1);
  return `${results.length} streams: ${[...counts].map(([action, n]) => `${n} ${action}`).join(', ')}`;
}
