import { StreamsError } from './streams.error.js';

/**
 * Start-up of a connection stopped before it finished, for a reason that is not one stream's:
 * `'closed'`, the app was closed (`app.close()`, a signal) while start-up was still connecting or
 * ensuring the declared streams; `'timeout'`, the declared streams were not all ensured within
 * `startup.streamsTimeoutMs`. Either way the connection start-up opened is closed again.
 * (A stream that could not be ensured fails start-up with `StreamBatchError`, a server that does
 * not answer with `NatsConnectionError`.)
 */
export class StreamsStartupError extends StreamsError {
  constructor(
    /** Why start-up stopped. */
    readonly reason: 'closed' | 'timeout',
    /** The connection, as named in `forRoot({ name })`. */
    readonly connection: string,
    /** How long start-up had run, in milliseconds. */
    readonly elapsedMs: number,
    /** What start-up was doing, e.g. `connecting to NATS`. */
    phase: string,
    options: { cause?: unknown; timeoutMs?: number } = {},
  ) {
    const who = connection === 'default' ? 'the NATS connection' : `the NATS connection "${connection}"`;
    super(
      reason === 'closed'
        ? `Start-up of ${who} was stopped after ${elapsedMs} ms: the app was closed while ${phase}; nothing more is connected or ensured`
        : `Start-up of ${who} did not finish ${phase} within startup.streamsTimeoutMs (${options.timeoutMs} ms); ` +
            'the connection was closed. The server answered too slowly or not at all: check it, or raise startup.streamsTimeoutMs',
      { cause: options.cause },
    );
  }
}
