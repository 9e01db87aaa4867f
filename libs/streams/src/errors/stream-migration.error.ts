import { StreamsError } from './streams.error.js';

/**
 * A migration (`onConflict: 'migrate'`) could not finish. `holdingStream` names the stream that
 * holds the messages at the point it stopped; nothing was deleted before its copy was complete.
 */
export class StreamMigrationError extends StreamsError {
  constructor(
    readonly stream: string,
    /** The stream that holds every message now (the original, or the temporary copy). */
    readonly holdingStream: string,
    reason: string,
    options: { cause?: unknown } = {},
  ) {
    super(`Migration of stream "${stream}" stopped: ${reason}. Every message is in stream "${holdingStream}"`, options);
  }
}
