import { StreamsError } from './streams.error.js';

/**
 * A JetStream API request failed for a reason not covered by a more specific error: the server's
 * answer (with `errCode`), a request timeout, or a lost connection (`code`).
 */
export class JetStreamApiError extends StreamsError {
  constructor(
    /** The library operation, e.g. `getStreamInfo`. */
    readonly operation: string,
    /** The stream concerned, if any. */
    readonly stream: string | undefined,
    /** The client's error code (`TIMEOUT`, `503`, `DISCONNECT`, `400`, ...). */
    readonly code: string,
    description: string,
    options: { cause?: unknown; errCode?: number } = {},
  ) {
    super(`${operation}${stream ? ` "${stream}"` : ''} failed: ${description}`, options);
  }
}
