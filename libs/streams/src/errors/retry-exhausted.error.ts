/**
 * A transient failure that lasted until the operation's deadline. Internal: thrown by the retry
 * loop with the last failure as `cause`, turned into a typed error by `toStreamsError`.
 */
export class RetryExhaustedError extends Error {
  constructor(
    /** The last transient failure, or undefined when the first attempt was still waiting. */
    cause: unknown,
    /** Attempts made, the failed last one included. */
    readonly attempts: number,
    /** Milliseconds from the first attempt to giving up. */
    readonly elapsedMs: number,
    /** The operation's deadline, in ms. */
    readonly deadlineMs: number,
  ) {
    super(cause instanceof Error ? cause.message : `no answer within the operation deadline of ${deadlineMs} ms`, { cause });
    this.name = 'RetryExhaustedError';
  }
}
