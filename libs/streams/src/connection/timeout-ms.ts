import { InvalidArgumentError } from '../errors/invalid-argument.error.js';

/** The longest delay a Node.js timer can wait; longer values overflow to 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Checks a timeout argument: a number of ms above 0, at most 2^31-1 (what a Node.js timer can
 * wait; `2 ** 31` would fire after 1 ms).
 * @throws InvalidArgumentError naming the method, the argument and the value
 */
export function checkTimeoutMs(method: string, argument: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !(value > 0 && value <= MAX_TIMER_MS)) {
    const shown =
      typeof value === 'string' ? `'${value}'` : typeof value === 'object' && value !== null ? `a ${typeof value}` : String(value);
    throw new InvalidArgumentError(method, argument, `must be a number of ms above 0, at most ${MAX_TIMER_MS}, got ${shown}`);
  }
}
