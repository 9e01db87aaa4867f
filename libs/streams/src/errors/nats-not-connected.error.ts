import { StreamsError } from './streams.error.js';

/**
 * A call needed the server while the connection was known to be down (disconnected,
 * reconnecting, not open yet, or closed): it failed at once, nothing was sent. Calls made while
 * the connection is up that meet a disconnect on the way are retried within `operationTimeoutMs`
 * instead (the client sends them once it has reconnected).
 */
export class NatsNotConnectedError extends StreamsError {
  constructor(
    /** The connection's state when the call was made, e.g. `reconnecting`. */
    readonly state: string,
    /** The library operation, e.g. `ensureStream`. */
    readonly operation: string,
    /** The stream concerned, if any. */
    readonly stream?: string,
  ) {
    const advice =
      state === 'closed' || state === 'draining'
        ? 'the connection was closed (shutdown)'
        : state === 'connecting'
          ? 'the connection opens in onModuleInit: await app.init() first'
          : 'retry once ConnectionService.status$ says reconnected';
    super(`${operation}${stream ? ` "${stream}"` : ''} was not sent: NATS is not connected (${state}); ${advice}`);
  }
}
