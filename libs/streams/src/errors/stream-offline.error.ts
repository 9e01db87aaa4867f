import { StreamsError } from './streams.error.js';

/**
 * The server holds the stream but has it offline (nats-server 2.12+): it cannot run it, e.g. its
 * config or one of its consumers needs a newer server (after a downgrade). The stream is not
 * missing: the library never creates it again nor changes it; it is reported until the server
 * that can run it is back.
 */
export class StreamOfflineError extends StreamsError {
  constructor(
    /** The stream. */
    readonly stream: string,
    /** The server's reason, e.g. `stopped - unsupported consumer "billing"`. */
    readonly reason: string,
    options: { cause?: unknown; errCode?: number } = {},
  ) {
    super(
      `Stream "${stream}" is offline on the server (${reason}): it is neither created again nor changed until a server that can run it holds it`,
      options,
    );
  }
}
