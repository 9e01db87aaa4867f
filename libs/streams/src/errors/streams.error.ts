/**
 * Base class of every error this library throws. Branch on the subclasses with `instanceof`;
 * the message text is for people and may change.
 */
export abstract class StreamsError extends Error {
  /** The server's JetStream `err_code`, when the server answered with one. */
  readonly errCode?: number;

  protected constructor(message: string, options: { cause?: unknown; errCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.errCode = options.errCode;
  }
}
