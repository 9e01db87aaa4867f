import { show } from '../checks/values.js';

/**
 * A duration: a string with a unit (`'500ms'`, `'90s'`, `'15m'`, `'1h'`, `'7d'`, or a sequence
 * such as `'1h30m'`; units `ns`, `us`, `ms`, `s`, `m`, `h`, `d`, `w`), or a number of
 * **milliseconds**. `0` means "no limit" where the server allows it. The server always receives
 * nanoseconds; never pass nanoseconds here (a number that can only be nanoseconds is rejected).
 */
export type Duration = string | number;

const UNIT_NANOS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3_600e9,
  d: 86_400e9,
  w: 604_800e9,
};
/** The units `formatDuration` writes, largest first. */
const FORMAT_UNITS = ['d', 'h', 'm', 's', 'ms', 'us', 'ns'] as const;
/** One `<number><unit>` group; `ms` before `m` and `s` so the longest unit wins. */
const DURATION_GROUP = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w)/y;
/** Numbers at or above this many milliseconds (31+ years) are nanoseconds or microseconds by mistake. */
const MAX_DURATION_MS = 1e12;
/** The server stores durations as Go `time.Duration` (int64 nanoseconds). */
const MAX_DURATION_NS = 2 ** 63;
/** Throws the caller's typed error with `reason`, which names no field (the caller's error does). */
export type Fail = (reason: string) => never;

/**
 * Converts a declared {@link Duration} to the nanoseconds the server expects. Strings are one or
 * more `<number><unit>` groups (units `ns`, `us`, `µs`, `ms`, `s`, `m`, `h`, `d`, `w`) or `'0'`;
 * numbers are whole, non-negative milliseconds. Rejects a number that can only be nanoseconds or
 * microseconds (>= 1e12 ms), and a nonzero value under `minimumNanos` (the server's minimum for
 * the field). The public form is `parseDuration` (`stream-fields.ts`).
 *
 * @param minimumNanos the smallest nonzero value allowed
 * @param fail throws the caller's error (naming its field) with the reason
 * @returns an integer number of nanoseconds
 * @example
 * durationNanos('1h30m', 0, fail); // 5_400_000_000_000
 */
export function durationNanos(value: unknown, minimumNanos: number, fail: Fail): number {
  let nanos: number;
  if (typeof value === 'number') nanos = millisToNanos(value, fail);
  else if (typeof value === 'string') nanos = parseDurationString(value, fail);
  else return fail(`must be a duration string such as '1h' or a number of milliseconds, got ${show(value)}`);

  if (nanos !== 0 && nanos < minimumNanos) {
    const hint = typeof value === 'number' ? `; numbers are milliseconds — did you mean '${value}s'?` : '';
    fail(
      `is ${typeof value === 'number' ? `${value} ms` : show(value)}, below the server's minimum of ${formatDuration(minimumNanos)}${hint}`,
    );
  }
  return nanos;
}

/**
 * Formats nanoseconds the way a user would write them, largest unit first (days at most).
 * @example
 * formatDuration(5_400_000_000_000); // '1h30m'
 * formatDuration(0);                 // '0'
 */
export function formatDuration(nanos: number): string {
  let rest = nanos;
  let out = '';
  for (const unit of FORMAT_UNITS) {
    const size = UNIT_NANOS[unit];
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out || '0';
}

function millisToNanos(ms: number, fail: Fail): number {
  if (!Number.isFinite(ms)) fail(`must be a finite number of milliseconds, got ${show(ms)}`);
  if (ms < 0) fail(`must not be negative, got ${show(ms)}`);
  if (!Number.isInteger(ms)) {
    fail(`is ${ms} ms: numbers must be whole milliseconds; write a string such as '${formatDuration(Math.round(ms * 1e6))}'`);
  }
  if (ms >= MAX_DURATION_MS) {
    fail(
      `is ${ms}, which as milliseconds is over 31 years: it looks like nanoseconds or microseconds. ` +
        `Numbers are milliseconds; write a string such as '${formatDuration(ms)}'`,
    );
  }
  return ms * 1e6;
}

function parseDurationString(text: string, fail: Fail): number {
  if (text === '0') return 0;
  if (text === '') fail("must not be empty; write a duration such as '1h', or '0'");
  let total = 0;
  DURATION_GROUP.lastIndex = 0;
  while (DURATION_GROUP.lastIndex < text.length) {
    const at = DURATION_GROUP.lastIndex;
    const group = DURATION_GROUP.exec(text);
    if (!group) {
      const where = at > 0 ? ` (at ${show(text.slice(at))})` : '';
      return fail(
        `${show(text)} is not a duration${where}; ` +
          "write <number><unit> groups such as '500ms', '90s', '1h30m' or '7d' (units ns, us, ms, s, m, h, d, w)",
      );
    }
    total += Number(group[1]) * UNIT_NANOS[group[2]];
  }
  const nanos = Math.round(total);
  if (nanos >= MAX_DURATION_NS) fail(`${show(text)} is longer than the server can store (about 292 years)`);
  return nanos;
}
