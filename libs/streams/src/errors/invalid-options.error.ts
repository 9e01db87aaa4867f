import { StreamsError } from './streams.error.js';

/** A module option is invalid; raised when the module is created, before any connection. */
export class InvalidOptionsError extends StreamsError {
  constructor(
    /** The option's path, e.g. `startup.timeoutMs`. */
    readonly option: string,
    /** The value given. */
    readonly value: unknown,
    /** What is allowed. */
    readonly allowed: string,
  ) {
    super(`Invalid StreamsModule option ${option}: got ${describe(value)}; ${allowed}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
