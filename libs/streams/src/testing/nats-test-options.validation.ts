import { requireExecutable, resolveNatsServerBinary } from './nats-server-binary.js';
import { InvalidNatsTestOptionsError } from './nats-test-options.error.js';

/** @internal The longest delay Node timers accept, in ms (2^31-1); longer ones fire at once. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** @internal How a rejected value reads in an error message: strings quoted, objects by kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (value === null || ['undefined', 'number', 'boolean', 'bigint'].includes(typeof value)) {
    return String(value);
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** @internal Whether `value` is an object literal (not null, an array, a class instance or a function). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * @internal The options argument of a kit function: `undefined` means none; anything else must be
 * a plain object whose keys are all known, so a misspelt option fails instead of being ignored.
 */
export function optionsObject<T extends object>(option: string, value: T | undefined, known: readonly (keyof T & string)[]): T {
  if (value === undefined) {
    return {} as T;
  }
  return plainObject(option, value, known) as T;
}

/** @internal A plain object with only `known` keys; names `option` (e.g. `auth`) when it is not. */
export function plainObject(option: string, value: unknown, known: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(value)) {
    throw new InvalidNatsTestOptionsError(option, `must be a plain object, got ${describeValue(value)}`);
  }
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    const names = unknown.map((key) => `"${key}"`).join(', ');
    throw new InvalidNatsTestOptionsError(option, `has unknown key ${names}; known keys: ${known.join(', ')}`);
  }
  return value;
}

/** @internal A timeout in ms: a positive finite number up to {@link MAX_TIMEOUT_MS}; `fallback` when undefined. */
export function timeoutMs(option: string, value: unknown, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMEOUT_MS) {
    throw new InvalidNatsTestOptionsError(
      option,
      `must be a number of milliseconds > 0 and <= ${MAX_TIMEOUT_MS}, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** @internal A whole number in `[min, max]`; `fallback` when undefined. */
export function integerInRange(option: string, value: unknown, range: { min: number; max: number }, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw new InvalidNatsTestOptionsError(option, `must be a whole number from ${range.min} to ${range.max}, got ${describeValue(value)}`);
  }
  return value;
}

/** @internal A size in bytes: a positive safe integer, or undefined (the server's default). */
export function byteSize(option: string, value: unknown): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidNatsTestOptionsError(option, `must be a whole number of bytes > 0, got ${describeValue(value)}`);
  }
  return value;
}

/** @internal `true` or `false`; `fallback` when undefined (a string such as `'false'` is refused, not read as truthy). */
export function flag(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'boolean') {
    throw new InvalidNatsTestOptionsError(option, `must be true or false, got ${describeValue(value)}`);
  }
  return value;
}

/** @internal A non-empty string, or undefined. */
export function nonEmptyString(option: string, value: unknown): string | undefined {
  return value === undefined ? undefined : requiredString(option, value);
}

/** @internal A non-empty string that must be given. */
export function requiredString(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidNatsTestOptionsError(option, `must be a non-empty string, got ${describeValue(value)}`);
  }
  return value;
}

/** @internal A name the server takes as one word (`server_name`, cluster `name`): non-empty, no whitespace. */
export function serverWord(option: string, value: unknown): string | undefined {
  const text = nonEmptyString(option, value);
  if (text !== undefined && /\s/.test(text)) {
    throw new InvalidNatsTestOptionsError(option, `must not contain whitespace, got ${describeValue(value)}`);
  }
  return text;
}

/** @internal Any string (e.g. raw config), or undefined. */
export function optionalString(option: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string') {
    throw new InvalidNatsTestOptionsError(option, `must be a string, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * @internal The executable a kit function runs: its `binary` option when given (a non-empty path
 * to an executable file), else {@link resolveNatsServerBinary}.
 */
export function binaryPath(value: unknown): string {
  const binary = nonEmptyString('binary', value);
  return binary === undefined ? resolveNatsServerBinary() : requireExecutable(binary, 'binary');
}
