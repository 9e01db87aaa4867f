import { NatsServerBinaryNotFoundError } from './nats-server-binary.js';
import { InvalidNatsTestOptionsError } from './nats-test-options.error.js';
import {
  binaryPath,
  byteSize,
  flag,
  integerInRange,
  MAX_TIMEOUT_MS,
  optionsObject,
  serverWord,
  timeoutMs,
} from './nats-test-options.validation.js';

function rejection(run: () => unknown): InvalidNatsTestOptionsError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidNatsTestOptionsError) {
      return error;
    }
    throw error;
  }
  throw new Error('the value was accepted');
}

describe('optionsObject', () => {
  const known = ['size', 'binary'] as const;

  it('treats undefined as no options and returns a plain object as given', () => {
    expect(optionsObject<{ size?: number }>('fn options', undefined, ['size'])).toEqual({});
    expect(optionsObject<{ size?: number }>('fn options', { size: 3 }, ['size'])).toEqual({ size: 3 });
  });

  it.each([null, 'x', 3, [], new Date(0)])('refuses %p, which is not a plain object', (value) => {
    const error = rejection(() => optionsObject('fn options', value as never, [...known]));

    expect(error.option).toBe('fn options');
    expect(error.message).toContain('must be a plain object');
  });

  it('refuses a misspelt key, listing the known ones', () => {
    const error = rejection(() => optionsObject('fn options', { sise: 3 } as never, [...known]));

    expect(error.message).toContain('unknown key "sise"');
    expect(error.message).toContain('known keys: size, binary');
  });
});

describe('timeoutMs', () => {
  it('uses the fallback for undefined and keeps a valid value', () => {
    expect(timeoutMs('t', undefined, 500)).toBe(500);
    expect(timeoutMs('t', 1, 500)).toBe(1);
    expect(timeoutMs('t', MAX_TIMEOUT_MS, 500)).toBe(MAX_TIMEOUT_MS);
  });

  it.each([
    ['300', 'got "300"'],
    [0, 'got 0'],
    [-1, 'got -1'],
    [NaN, 'got NaN'],
    [Infinity, 'got Infinity'],
    [MAX_TIMEOUT_MS + 1, `got ${MAX_TIMEOUT_MS + 1}`],
    [null, 'got null'],
  ])('refuses %p, naming the option, the value and the allowed range', (value, detail) => {
    const error = rejection(() => timeoutMs('startTimeoutMs', value, 500));

    expect(error.option).toBe('startTimeoutMs');
    expect(error.message).toContain(detail);
    expect(error.message).toContain(`> 0 and <= ${MAX_TIMEOUT_MS}`);
  });
});

describe('integerInRange', () => {
  it.each([1, 2, 10, 3.5, '3'])('refuses the cluster size %p', (value) => {
    const error = rejection(() => integerInRange('size', value, { min: 3, max: 9 }, 3));

    expect(error.message).toContain('from 3 to 9');
  });

  it('accepts the bounds and falls back for undefined', () => {
    expect(integerInRange('size', 3, { min: 3, max: 9 }, 5)).toBe(3);
    expect(integerInRange('size', 9, { min: 3, max: 9 }, 5)).toBe(9);
    expect(integerInRange('size', undefined, { min: 3, max: 9 }, 5)).toBe(5);
  });
});

describe('byteSize, flag, serverWord', () => {
  it.each(['abc', NaN, 0, -5, 1.5, Number.MAX_SAFE_INTEGER + 1])('byteSize refuses %p', (value) => {
    expect(rejection(() => byteSize('maxFileStore', value)).option).toBe('maxFileStore');
  });

  it('byteSize keeps a whole number of bytes and undefined', () => {
    expect(byteSize('maxFileStore', 1024)).toBe(1024);
    expect(byteSize('maxFileStore', undefined)).toBeUndefined();
  });

  it("flag refuses the string 'false' instead of reading it as true", () => {
    expect(rejection(() => flag('jetstream', 'false', true)).message).toContain('must be true or false, got "false"');
    expect(flag('jetstream', false, true)).toBe(false);
    expect(flag('jetstream', undefined, true)).toBe(true);
  });

  it.each(['', 'two words', 7])('serverWord refuses %p', (value) => {
    expect(rejection(() => serverWord('serverName', value)).option).toBe('serverName');
  });
});

describe('binaryPath', () => {
  it('refuses an empty path with a typed error naming the option', () => {
    expect(rejection(() => binaryPath('')).option).toBe('binary');
  });

  it('refuses a path that is not an executable', () => {
    expect(() => binaryPath('/nonexistent/nats-server')).toThrow(NatsServerBinaryNotFoundError);
    expect(() => binaryPath('/nonexistent/nats-server')).toThrow('binary points to /nonexistent/nats-server');
  });
});
