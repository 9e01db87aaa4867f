import { StreamsError } from './streams.error.js';

/** The named stream does not exist on the server. */
export class StreamNotFoundError extends StreamsError {
  constructor(
    /** The stream that was asked for. */
    readonly stream: string,
    options: { cause?: unknown; errCode?: number; detail?: string } = {},
  ) {
    super(`Stream "${stream}" not found${options.detail ? `: ${options.detail}` : ''}`, options);
  }
}
