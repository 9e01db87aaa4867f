import { StreamsError } from './streams.error.js';

/** A method was called with an argument it cannot take; nothing was sent to the server. */
export class InvalidArgumentError extends StreamsError {
  constructor(
    /** The method, e.g. `deleteStreams`. */
    readonly method: string,
    /** The argument, e.g. `names`. */
    readonly argument: string,
    /** What is wrong with it. */
    readonly reason: string,
  ) {
    super(`${method}: ${argument} ${reason}`);
  }
}
