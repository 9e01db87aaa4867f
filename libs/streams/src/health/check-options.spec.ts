import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { checkOptions, connectionName, oneOf, timeoutMs, type OptionCheck } from './check-options.js';

interface Options {
  connection?: string;
  timeoutMs?: number;
  details?: 'compact' | 'full';
}

const CHECKS: Record<keyof Options, OptionCheck> = {
  connection: connectionName('m'),
  timeoutMs: timeoutMs('m'),
  details: oneOf('m', 'compact', 'full'),
};

const thrown = (options: unknown): InvalidArgumentError | undefined => {
  try {
    checkOptions<Options>('m', options, CHECKS);
  } catch (err) {
    return err as InvalidArgumentError;
  }
  return undefined;
};

describe('checkOptions (health check options)', () => {
  it('takes null and undefined as no options, and returns valid ones as given', () => {
    expect(checkOptions<Options>('m', null, CHECKS)).toEqual({});
    expect(checkOptions<Options>('m', undefined, CHECKS)).toEqual({});
    const options = { connection: 'eu', timeoutMs: 2 ** 31 - 1, details: 'full' };
    expect(checkOptions<Options>('m', options, CHECKS)).toBe(options);
  });

  it.each([
    ['a string', 'full', 'options', /must be an object, got 'full'/],
    ['a number', 5, 'options', /got 5/],
    ['an array', [], 'options', /got an array/],
    ['an unknown key', { stream: ['a'] }, 'options.stream', /is not an option; known: connection, timeoutMs, details/],
    ['timeoutMs 2^31', { timeoutMs: 2 ** 31 }, 'options.timeoutMs', /at most 2147483647, got 2147483648/],
    ["timeoutMs 'abc'", { timeoutMs: 'abc' }, 'options.timeoutMs', /got 'abc'/],
    ['timeoutMs -5', { timeoutMs: -5 }, 'options.timeoutMs', /above 0/],
    ['timeoutMs NaN', { timeoutMs: Number.NaN }, 'options.timeoutMs', /got NaN/],
    ['timeoutMs Infinity', { timeoutMs: Infinity }, 'options.timeoutMs', /got Infinity/],
    ["details 'FULL'", { details: 'FULL' }, 'options.details', /one of 'compact', 'full', got 'FULL'/],
    ['connection 42', { connection: 42 }, 'options.connection', /connection name/],
  ])('refuses %s with an InvalidArgumentError naming %s', (_label, options, argument, message) => {
    const error = thrown(options);

    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error?.argument).toBe(argument);
    expect(error?.message).toMatch(message);
  });
});
