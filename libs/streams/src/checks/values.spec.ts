import { isPlainRecord, isRecord, isTimerMs, MAX_TIMER_MS, notAllowed, show, unknownKey } from './values.js';

describe('show', () => {
  it.each<[unknown, string]>([
    ['a', "'a'"],
    [5, '5'],
    [null, 'null'],
    [undefined, 'undefined'],
    [['a', 1, { b: 2 }], "['a', 1, an object]"],
    [{ a: 1 }, 'an object'],
    [new Date(0), 'a Date'],
    [new Map(), 'a Map'],
    [() => 1, 'a function'],
    [10n, '10n'],
  ])('shows %p as %p', (value, expected) => {
    // Act + Assert
    expect(show(value)).toBe(expected);
  });
});

describe('isRecord and isPlainRecord', () => {
  it('isRecord accepts objects only, not arrays or null', () => {
    // Act + Assert
    expect([isRecord({}), isRecord(Object.create(null)), isRecord([]), isRecord(null), isRecord('x')]).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('isPlainRecord refuses class instances such as a Date or a Map', () => {
    // Act + Assert
    expect([isPlainRecord({}), isPlainRecord(Object.create(null)), isPlainRecord(new Date()), isPlainRecord(new Map())]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('timers, enums, keys', () => {
  it('isTimerMs accepts whole ms up to 2^31-1 only', () => {
    // Act + Assert
    expect([isTimerMs(1, 1), isTimerMs(0, 1), isTimerMs(MAX_TIMER_MS, 0), isTimerMs(MAX_TIMER_MS + 1, 0), isTimerMs(1.5, 0)]).toEqual([
      true,
      false,
      true,
      false,
      false,
    ]);
  });

  it('notAllowed lists the allowed values', () => {
    // Act + Assert
    expect(notAllowed(null, ['a', 'b'])).toBe("is null; allowed values are 'a', 'b'");
  });

  it('unknownKey names the first key outside the list', () => {
    // Act + Assert
    expect([unknownKey({ a: 1, c: 2 }, ['a', 'b']), unknownKey({ a: 1 }, new Set(['a']))]).toEqual(['c', undefined]);
  });
});
