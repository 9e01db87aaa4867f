import { checkTimeoutMs } from '../connection/timeout-ms.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';

/** Checks one option of a health check; throws `InvalidArgumentError` when it is not allowed. */
export type OptionCheck = (value: unknown, option: string) => void;

/**
 * The options of an indicator's `isHealthy` call, checked: `null` and `undefined` mean none; any
 * other non-object, an unknown key (the known ones are listed) or a value its check refuses is an
 * `InvalidArgumentError` naming the option, the value and what is allowed.
 */
export function checkOptions<T extends object>(method: string, options: unknown, checks: Record<keyof T & string, OptionCheck>): T {
  if (options === undefined || options === null) return {} as T;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError(method, 'options', `must be an object, got ${show(options)}`);
  }
  for (const [key, value] of Object.entries(options)) {
    const check = Object.hasOwn(checks, key) ? checks[key as keyof T & string] : undefined;
    if (!check) throw new InvalidArgumentError(method, `options.${key}`, `is not an option; known: ${Object.keys(checks).join(', ')}`);
    if (value !== undefined) check(value, `options.${key}`);
  }
  return options as T;
}

/** A connection name as `forRoot({ name })` takes it. */
export const connectionName =
  (method: string): OptionCheck =>
  (value, option) => {
    if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(value)) {
      throw new InvalidArgumentError(method, option, `must be a connection name of letters, digits, - and _, got ${show(value)}`);
    }
  };

/** A timer bound in ms: above 0, at most 2^31-1. */
export const timeoutMs =
  (method: string): OptionCheck =>
  (value, option) =>
    checkTimeoutMs(method, option, value);

/** One of the given strings, spelt exactly. */
export const oneOf =
  (method: string, ...allowed: string[]): OptionCheck =>
  (value, option) => {
    if (typeof value !== 'string' || !allowed.includes(value)) {
      throw new InvalidArgumentError(method, option, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(value)}`);
    }
  };

/** A short description of a value for a message: strings quoted, objects by kind. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
