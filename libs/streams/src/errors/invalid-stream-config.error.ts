import { StreamsError } from './streams.error.js';

/**
 * A declared stream config (or a request argument) is invalid. `field` names the offending field,
 * `reason` says why. Raised before any request when the library can tell, or from the server's
 * answer otherwise (then `errCode` is set).
 */
export class InvalidStreamConfigError extends StreamsError {
  constructor(
    /** The stream the declaration is for (may be the invalid name itself). */
    readonly stream: string,
    /** The offending field, e.g. `name`, `subjects`, `max_age`. */
    readonly field: string,
    /** Why it is invalid. */
    readonly reason: string,
    options: { cause?: unknown; errCode?: number; otherStream?: string } = {},
  ) {
    super(`Invalid config for stream "${stream}": ${field} ${reason}`, options);
    this.otherStream = options.otherStream;
  }

  /** For subject overlaps: the other stream (declared or on the server) whose subjects overlap. */
  readonly otherStream?: string;
}
