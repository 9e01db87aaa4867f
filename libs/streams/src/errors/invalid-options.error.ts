import { StreamsError } from './streams.error.js';

/** What a value that may hold a secret is replaced with, in {@link InvalidOptionsError.value}. */
export const HIDDEN_VALUE = '***';

/**
 * A module option is invalid; raised when the module is created, before any connection.
 *
 * The message and `value` never repeat a value that may hold a secret: a password or token,
 * `authenticator`, `tls`, a `connection` that is not an object (an environment URL passed as it),
 * and any unknown key (a misspelt `passwd`). For those the message gives only the kind of value and
 * `value` is `'***'` (`undefined` and `null` are shown as such); a server address is shown with its credentials replaced by `***`.
 */
export class InvalidOptionsError extends StreamsError {
  /**
   * The value given, or what stands for it where it may hold a secret: `'***'`, or the server
   * address with `***` for its credentials.
   */
  readonly value: unknown;

  constructor(
    /** The option's path, e.g. `startup.timeoutMs`. */
    readonly option: string,
    value: unknown,
    /** What is allowed. */
    readonly allowed: string,
    how: { secret?: boolean } = {},
  ) {
    // Nothing given holds no secret: say so plainly.
    const shown = how.secret && value != null ? `${kindOf(value)} (not shown: it may hold a secret)` : describe(value);
    super(`Invalid StreamsModule option ${option}: got ${shown}; ${allowed}`);
    this.value = how.secret && value != null ? HIDDEN_VALUE : value;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  return kindOf(value);
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
