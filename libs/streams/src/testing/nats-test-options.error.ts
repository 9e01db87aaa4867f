import { StreamsError } from '../errors/streams.error.js';

/**
 * An option given to a testing-kit function is invalid (for example a cluster of 0 nodes, or
 * `auth` together with `users`). Thrown before any process is started.
 */
export class InvalidNatsTestOptionsError extends StreamsError {
  constructor(
    /** The offending option, e.g. `size` or `accounts.APP.users`. */
    readonly option: string,
    /** Why it is invalid. */
    readonly reason: string,
  ) {
    super(`Invalid testing-kit option ${option}: ${reason}`);
  }
}
