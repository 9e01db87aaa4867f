import { InvalidStreamConfigError } from '../src/errors/invalid-stream-config.error.js';

/**
 * Unit-spec support (not part of the package): runs `act` and returns the InvalidStreamConfigError
 * it throws, failing the test otherwise.
 */
export function invalidErrorOf(act: () => unknown): InvalidStreamConfigError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidStreamConfigError);
    return error as InvalidStreamConfigError;
  }
  throw new Error('expected an InvalidStreamConfigError, but nothing was thrown');
}
