import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { durationNanos, formatDuration } from './duration.js';
import { parseDuration } from './stream-fields.js';
import { invalidErrorOf } from '../../spec-support/invalid-error.js';

/** The internal form, failing as a stream declaration's field does. */
function nanosOf(value: unknown, field: string, stream: string, minimum = 0): number {
  return durationNanos(value, minimum, (reason) => {
    throw new InvalidStreamConfigError(stream, field, reason);
  });
}

/** The error `parseDuration` throws. */
function argumentErrorOf(run: () => unknown): InvalidArgumentError {
  try {
    run();
  } catch (err) {
    if (err instanceof InvalidArgumentError) return err;
    throw err;
  }
  throw new Error('expected an InvalidArgumentError');
}

const SECOND = 1_000_000_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe('durationNanos', () => {
  it.each([
    ['500ms', 500_000_000],
    ['90s', 90 * SECOND],
    ['1h30m', HOUR + 30 * MINUTE],
    ['7d', 7 * 24 * HOUR],
    ['2w', 14 * 24 * HOUR],
    ['1.5h', 1.5 * HOUR],
    ['.5s', SECOND / 2],
    ['250us', 250_000],
    ['250µs', 250_000],
    ['10ns', 10],
    ['0', 0],
    [1500, 1_500_000_000],
    [0, 0],
  ])('converts %p to %p nanoseconds', (value, expected) => {
    // Act
    const nanos = nanosOf(value, 'inactive_threshold', 'orders');

    // Assert
    expect(nanos).toBe(expected);
    expect(Number.isInteger(nanos)).toBe(true);
  });

  it.each([
    ['a negative number', -1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['fractional milliseconds', 1.5],
    ['nanoseconds passed as a number', 3_600_000_000_000],
    ['an empty string', ''],
    ['a unitless number string', '10'],
    ['an unknown unit', '10 parsecs'],
    ['words', 'abc'],
    ['a negative string', '-5s'],
    ['a space between groups', '1h 30m'],
    ['more than the server can store', '300000w'],
    ['a boolean', true],
  ])('rejects %s', (_label, value) => {
    // Act
    const error = invalidErrorOf(() => nanosOf(value, 'duplicate_window', 'orders'));

    // Assert
    expect(error.field).toBe('duplicate_window');
    expect(error.stream).toBe('orders');
  });

  it('says where a string stops being a duration', () => {
    // Act
    const error = invalidErrorOf(() => nanosOf('1h30x', 'max_age', 'orders'));

    // Assert
    expect(error.reason).toBe(
      "'1h30x' is not a duration (at '30x'); write <number><unit> groups such as '500ms', '90s', '1h30m' or '7d' (units ns, us, ms, s, m, h, d, w)",
    );
  });

  it('suggests seconds when max_age is a number under the server minimum', () => {
    // Act
    const error = argumentErrorOf(() => parseDuration(60, 'max_age'));

    // Assert
    expect(error.argument).toBe('max_age');
    expect(error.message).toContain("did you mean '60s'?");
  });

  it('rejects a max_age string under 100ms but accepts exactly 100ms', () => {
    // Act
    const error = argumentErrorOf(() => parseDuration('50ms', 'max_age'));
    const minimum = parseDuration('100ms', 'max_age');

    // Assert
    expect(error.reason).toContain('100ms');
    expect(minimum).toBe(100_000_000);
  });

  it('applies the minimum of a subject delete marker TTL (1s), and an explicit minimum', () => {
    // Act
    const marker = argumentErrorOf(() => parseDuration('500ms', 'subject_delete_marker_ttl'));
    const explicit = invalidErrorOf(() => nanosOf('1s', 'ack_wait', 'orders', 2 * SECOND));

    // Assert
    expect(marker.reason).toBe("is '500ms', below the server's minimum of 1s");
    expect(explicit.reason).toBe("is '1s', below the server's minimum of 2s");
  });

  it('names the string form when a number can only be nanoseconds', () => {
    // Act
    const error = invalidErrorOf(() => nanosOf(3_600_000_000_000, 'max_age', 'orders'));

    // Assert
    expect(error.reason).toContain("'1h'");
  });

  it('allows small numbers for fields without a server minimum', () => {
    // Act
    const nanos = nanosOf(60, 'consumer_limits.inactive_threshold', 'orders');

    // Assert
    expect(nanos).toBe(60_000_000);
  });
});

describe('parseDuration (public)', () => {
  it('converts without a field, and names the value in a typed error', () => {
    // Act
    const nanos = parseDuration('1h30m');
    const error = argumentErrorOf(() => parseDuration('1x'));

    // Assert
    expect(nanos).toBe(HOUR + 30 * MINUTE);
    expect(error.message).toBe(
      "parseDuration: value '1x' is not a duration; write <number><unit> groups such as '500ms', '90s', '1h30m' or '7d' (units ns, us, ms, s, m, h, d, w)",
    );
    expect(error.message).not.toContain('undefined');
  });

  it('names the field it was given', () => {
    // Act
    const error = argumentErrorOf(() => parseDuration(null as never, 'duplicate_window'));

    // Assert
    expect([error.method, error.argument]).toEqual(['parseDuration', 'duplicate_window']);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0'],
    [1, '1ns'],
    [1_500, '1us500ns'],
    [100_000_000, '100ms'],
    [90 * SECOND, '1m30s'],
    [HOUR + 30 * MINUTE, '1h30m'],
    [8 * 24 * HOUR, '8d'],
  ])('writes %p nanoseconds as %p', (nanos, expected) => {
    // Act
    const text = formatDuration(nanos);

    // Assert
    expect(text).toBe(expected);
  });

  it('writes what parseDuration reads back', () => {
    // Arrange
    const nanos = 2 * 24 * HOUR + 3 * HOUR + 4 * MINUTE + 5 * SECOND + 6_000_000;

    // Act
    const back = parseDuration(formatDuration(nanos), 'max_age');

    // Assert
    expect(back).toBe(nanos);
  });
});
