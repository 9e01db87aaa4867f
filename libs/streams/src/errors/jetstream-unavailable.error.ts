import { StreamsError } from './streams.error.js';

/**
 * JetStream cannot be used: the server (or account) does not have JetStream enabled, or no
 * JetStream API answered.
 */
export class JetStreamUnavailableError extends StreamsError {
  constructor(
    /** Why JetStream is unavailable, in the server's or client's words. */
    readonly reason: string,
    options: { cause?: unknown; errCode?: number } = {},
  ) {
    super(
      `JetStream is not available: ${reason}. Enable JetStream on the server (nats-server -js, or a jetstream {} block) and for the account`,
      options,
    );
  }
}
