import { formatDuration, parseDuration } from './duration.js';
import { parseStreamDuration } from './stream-fields.js';
import { invalidErrorOf } from '../../spec-support/invalid-error.js';

const SECOND = 1_000_000_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe('parseDuration', () => {
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
    const nanos = parseDuration(value, 'inactive_threshold', 'orders');

    // Assert
    expect(nanos).toBe(expected);
    expect(Number.isInteger(nanos)).toBe(true);
  });

  it('gives the same answer for a string it has parsed before', () => {
    // Act
    const first = parseDuration('3h15m', 'max_age', 'orders');
    const second = parseDuration('3h15m', 'max_age', 'orders');

    // Assert
    expect(first).toBe(3 * HOUR + 15 * MINUTE);
    expect(second).toBe(first);
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
    const error = invalidErrorOf(() => parseDuration(value as never, 'duplicate_window', 'orders'));

    // Assert
    expect(error.field).toBe('duplicate_window');
    expect(error.stream).toBe('orders');
  });

  it('says where a string stops being a duration', () => {
    // Act
    const error = invalidErrorOf(() => parseDuration('1h30x', 'max_age', 'orders'));

    // Assert
    expect(error.reason).toBe(
      "'1h30x' is not a duration (at '30x'); write <number><unit> groups such as '500ms', '90s', '1h30m' or '7d' (units ns, us, ms, s, m, h, d, w)",
    );
  });

  it('suggests seconds when max_age is a number under the server minimum', () => {
    // Act
    const error = invalidErrorOf(() => parseStreamDuration(60, 'max_age', 'orders'));

    // Assert
    expect(error.field).toBe('max_age');
    expect(error.message).toContain("did you mean '60s'?");
  });

  it('rejects a max_age string under 100ms but accepts exactly 100ms', () => {
    // Act
    const error = invalidErrorOf(() => parseStreamDuration('50ms', 'max_age', 'orders'));
    const minimum = parseStreamDuration('100ms', 'max_age', 'orders');

    // Assert
    expect(error.reason).toContain('100ms');
    expect(minimum).toBe(100_000_000);
  });

  it('applies the minimum of a subject delete marker TTL (1s), and an explicit minimum', () => {
    // Act
    const marker = invalidErrorOf(() => parseStreamDuration('500ms', 'subject_delete_marker_ttl', 'orders'));
    const explicit = invalidErrorOf(() => parseDuration('1s', 'ack_wait', 'orders', 2 * SECOND));

    // Assert
    expect(marker.reason).toBe("is '500ms', below the server's minimum of 1s");
    expect(explicit.reason).toBe("is '1s', below the server's minimum of 2s");
  });

  it('names the string form when a number can only be nanoseconds', () => {
    // Act
    const error = invalidErrorOf(() => parseDuration(3_600_000_000_000, 'max_age', 'orders'));

    // Assert
    expect(error.reason).toContain("'1h'");
  });

  it('allows small numbers for fields without a server minimum', () => {
    // Act
    const nanos = parseDuration(60, 'consumer_limits.inactive_threshold', 'orders');

    // Assert
    expect(nanos).toBe(60_000_000);
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
    const back = parseDuration(formatDuration(nanos), 'max_age', 'orders');

    // Assert
    expect(back).toBe(nanos);
  });
});
