/**
 * The input checks every entry point shares (module options, `StreamService` arguments, health
 * indicators, the dashboard, the testing kit and the CLI): how a wrong value is shown, what counts
 * as a record, the longest timer, enums. Each entry point throws its own typed error with them.
 */

/** The longest delay a Node.js timer can wait; `2 ** 31` ms and more fire after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A value as an error message shows it: strings quoted, arrays listed, other objects named by
 * kind (never their content, which may be a secret or huge).
 * @example
 * show('1x'); // "'1x'"
 * show([1, 'a']); // "[1, 'a']"
 * show(new Date()); // 'a Date'
 */
export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null) {
    const kind: unknown = isPlainRecord(value) ? undefined : (value as object).constructor?.name;
    if (typeof kind !== 'string' || kind === '' || kind === 'Object') return 'an object';
    return /^[AEIOU]/.test(kind) ? `an ${kind}` : `a ${kind}`;
  }
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

/** Whether `value` is an object other than an array or null (so its own properties can be read). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether `value` is a plain object (`{ ... }`, `Object.create(null)` or parsed JSON): not an
 * array, a `Date`, a `Map` or another class instance, whose fields a declaration never holds.
 */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Whether `value` is one of `allowed`, spelt exactly. */
export function isOneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}

/** The reason for a value outside an enum, listing the allowed values. */
export function notAllowed(value: unknown, allowed: readonly string[]): string {
  return `is ${show(value)}; allowed values are ${allowed.map((v) => `'${v}'`).join(', ')}`;
}

/** Whether `value` is a whole number of ms a timer can wait, from `min` to {@link MAX_TIMER_MS}. */
export function isTimerMs(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= MAX_TIMER_MS;
}

/** The first own key of `record` that `known` does not list, or undefined. */
export function unknownKey(record: object, known: { has(key: string): boolean } | readonly string[]): string | undefined {
  const has = Array.isArray(known)
    ? (key: string) => known.includes(key)
    : (key: string) => (known as { has(key: string): boolean }).has(key);
  return Object.keys(record).find((key) => !has(key));
}
