import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { fieldRows } from './field-table.js';
import { isOneOf, notAllowed } from '../checks/values.js';
import { converterFor } from './field-values.js';

interface Sample {
  mode: string;
  on: boolean;
  limit: number;
  count: number;
  wait: number;
  text: string;
  subjects: string[];
  extra: { a: number };
}

const [mode, on, limit, count, wait, text, subjects, extra] = fieldRows<Sample, Exclude<keyof Sample, never>>({
  mode: { kind: 'enum', values: ['a', 'b'], fill: 'never' },
  on: { kind: 'boolean', fill: 'never' },
  limit: { kind: 'limit', max: 100, fill: 'never', normalize: (v) => (v === 0 ? -1 : v) },
  count: { kind: 'int', min: 1, max: 5, fill: 'never' },
  wait: { kind: 'duration', min: 1e9, fill: 'never' },
  text: { kind: 'string', max: 4, fill: 'never' },
  subjects: { kind: 'subjects', fill: 'never' },
  extra: { kind: 'object', fill: 'never' },
});

/** The reason of the InvalidStreamConfigError that `act` throws. */
function reasonOf(act: () => unknown): string {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidStreamConfigError);
    return (error as InvalidStreamConfigError).reason;
  }
  throw new Error('expected an InvalidStreamConfigError, but nothing was thrown');
}

describe('converterFor', () => {
  it('converts a valid value of each kind to its server form', () => {
    // Arrange
    const object = (value: unknown) => ({ checked: value });

    // Act
    const values = [
      converterFor(mode)('b', 's'),
      converterFor(on)(false, 's'),
      converterFor(limit)(0, 's'),
      converterFor(count)(5, 's'),
      converterFor(wait)('2s', 's'),
      converterFor(text)('abcd', 's'),
      converterFor(subjects)(['b', 'a'], 's'),
      converterFor(extra, object)({ a: 1 }, 's'),
    ];

    // Assert
    expect(values).toEqual(['b', false, -1, 5, 2e9, 'abcd', ['a', 'b'], { checked: { a: 1 } }]);
  });

  it.each([
    ['an enum', () => converterFor(mode)('c', 's'), "is 'c'; allowed values are 'a', 'b'"],
    ['a boolean', () => converterFor(on)('yes', 's'), "must be true or false, got 'yes'"],
    ['a limit', () => converterFor(limit)(101, 's'), 'must be a whole number from -1 (unlimited) to 100, got 101'],
    ['an int', () => converterFor(count)(0, 's'), 'must be a whole number from 1 to 5, got 0'],
    ['a duration', () => converterFor(wait)('500ms', 's'), "is '500ms', below the server's minimum of 1s"],
    ['a string', () => converterFor(text)('ééé', 's'), 'is 6 bytes long; the maximum is 4'],
  ])('refuses a bad value of %s, naming the field', (_kind, act, reason) => {
    // Act + Assert
    expect(reasonOf(act)).toBe(reason);
  });

  it('needs a checker for a field that holds an object', () => {
    // Act + Assert
    expect(() => converterFor(extra)).toThrow('field extra holds an object but has no checker');
  });
});

describe('isOneOf and notAllowed', () => {
  it('accept only the listed strings and list them when refusing', () => {
    // Act + Assert
    expect([isOneOf('a', ['a', 'b']), isOneOf('c', ['a', 'b']), isOneOf(1, ['a'])]).toEqual([true, false, false]);
    expect(notAllowed(3, ['x', 'y'])).toBe("is 3; allowed values are 'x', 'y'");
  });
});
