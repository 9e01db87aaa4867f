import { StreamsError } from '../index.js';

/** The module holding the declarations cannot be used: missing, not JavaScript, failing to load, or of the wrong shape. */
export class DeclarationsModuleError extends StreamsError {
  constructor(
    /** The absolute path of the module. */
    readonly file: string,
    /** What is wrong with it. */
    readonly reason: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${file} ${reason}`, options);
  }
}
