import { StreamsError } from '../errors/streams.error.js';

/**
 * A test server, cluster or topology did not become ready: the process exited, did not accept
 * connections in time, or the servers did not find each other. The message ends with the tail of
 * the server output, which {@link NatsServerStartError.logs} holds on its own.
 */
export class NatsServerStartError extends StreamsError {
  constructor(
    message: string,
    /** The tail of the server output, also included in the message. */
    readonly logs: string,
    options?: { cause?: unknown },
  ) {
    super(logs ? `${message}\n--- nats-server output ---\n${logs}` : message, { cause: options?.cause });
  }
}
