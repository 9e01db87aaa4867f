import { jest } from '@jest/globals';
import { ApiReplyError } from '../errors/api-reply.error.js';
import { RetryExhaustedError } from '../errors/retry-exhausted.error.js';
import { classifyFailure } from '../errors/to-streams-error.js';
import { retryTransient } from './retry.js';

const transient = (err: unknown): boolean => classifyFailure(err).transient;
const unapplied = (err: unknown): boolean => classifyFailure(err).unapplied;

function apiError(err_code: number, description: string, code = 400): ApiReplyError {
  return new ApiReplyError('STREAM.INFO.S', { code, err_code, description });
}

function clientError(code: string): Error {
  return Object.assign(new Error(code), { code });
}

/** A function failing with `errors` in turn, then resolving `value`. */
function failing<T>(errors: unknown[], value: T): { fn: () => Promise<T>; calls: () => number } {
  let calls = 0;
  return {
    fn: async () => {
      const error = errors[calls++];
      if (error !== undefined) throw error;
      return value;
    },
    calls: () => calls,
  };
}

/** Settles `promise` while the fake clock runs, and returns what it resolved or rejected with. */
async function settle<T>(promise: Promise<T>, runMs = 60_000): Promise<unknown> {
  const outcome = promise.then(
    (value) => value,
    (error: unknown) => error,
  );
  await jest.advanceTimersByTimeAsync(runMs);
  return outcome;
}

describe('retryTransient', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('retries only what the given predicate accepts', async () => {
    const { fn, calls } = failing([clientError('TIMEOUT')], 'done');

    const error = await settle(retryTransient(fn, 5_000, unapplied));

    expect(error).toMatchObject({ code: 'TIMEOUT' });
    expect(calls()).toBe(1);
  });

  it('returns the value after transient failures', async () => {
    const { fn, calls } = failing([apiError(10008, 'JetStream system temporarily unavailable', 503), clientError('TIMEOUT')], 'info');

    const value = await settle(retryTransient(fn, 5_000, transient));

    expect(value).toBe('info');
    expect(calls()).toBe(3);
  });

  it('throws a permanent error at once, untouched', async () => {
    const permanent = apiError(10005, 'no suitable peers for placement');
    const { fn, calls } = failing([permanent], 'never');

    const error = await settle(retryTransient(fn, 5_000, transient));

    expect(error).toBe(permanent);
    expect(calls()).toBe(1);
  });

  it('gives up at the deadline with a RetryExhaustedError carrying the last failure and how long it tried', async () => {
    const unavailable = apiError(10008, 'JetStream system temporarily unavailable', 503);

    const error = await settle(retryTransient(() => Promise.reject(unavailable), 400, transient));

    expect(error).toBeInstanceOf(RetryExhaustedError);
    const exhausted = error as RetryExhaustedError;
    expect(exhausted.cause).toBe(unavailable);
    expect(exhausted.deadlineMs).toBe(400);
    expect(exhausted.attempts).toBeGreaterThan(1);
    expect(exhausted.elapsedMs).toBeLessThanOrEqual(400);
  });

  it('backs off exponentially: 100, 200, 400, 800 ms pauses at their longest', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(1);
    const starts: number[] = [];
    const fn = () => {
      starts.push(Date.now());
      return Promise.reject(clientError('TIMEOUT'));
    };

    await settle(retryTransient(fn, 1_600, transient));

    const gaps = starts.slice(1).map((at, i) => at - starts[i]);
    expect(gaps).toEqual([100, 200, 400, 800]);
  });

  it('counts the pause from the attempt start, so a request that timed out is asked again at once', async () => {
    // Pauses at their longest: 100, 200, 400 ms. Counted from each 250 ms attempt's start they
    // shrink to 0, 0, 150 ms, so a fourth attempt starts before the 1 s deadline.
    jest.spyOn(Math, 'random').mockReturnValue(1);
    let attempts = 0;
    const slowTimeout = () => {
      attempts++;
      return new Promise<string>((_, reject) => setTimeout(() => reject(clientError('TIMEOUT')), 250));
    };

    await settle(retryTransient(slowTimeout, 1_000, transient));

    expect(attempts).toBe(4);
  });

  it('abandons an attempt that outlives the deadline', async () => {
    const never = () => new Promise<string>(() => undefined);

    const error = await settle(retryTransient(never, 150, transient));

    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect((error as RetryExhaustedError).cause).toBeUndefined();
    expect((error as Error).message).toContain('150 ms');
    expect(error).toMatchObject({ attempts: 1, deadlineMs: 150 });
  });

  it('reports the last transient answer, not the cut-off, when a later attempt outlives the deadline', async () => {
    const unavailable = apiError(10008, 'JetStream system temporarily unavailable', 503);
    let calls = 0;
    const fn = () => (calls++ === 0 ? Promise.reject(unavailable) : new Promise<string>(() => undefined));

    const error = await settle(retryTransient(fn, 300, transient));

    expect((error as RetryExhaustedError).cause).toBe(unavailable);
    expect((error as RetryExhaustedError).attempts).toBe(2);
  });

  it('ignores the late rejection of an abandoned attempt', async () => {
    const late = () => new Promise<string>((_, reject) => setTimeout(() => reject(clientError('TIMEOUT')), 200));

    const error = await settle(retryTransient(late, 50, transient), 1_000);

    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect((error as Error).message).toContain('operation deadline of 50 ms');
  });

  it('runs an attempt that ends by itself before the deadline without a deadline timer, and still retries it', async () => {
    let timersDuringAttempts: number[] = [];
    let calls = 0;
    const fn = async () => {
      timersDuringAttempts.push(jest.getTimerCount());
      if (calls++ === 0) throw clientError('TIMEOUT');
      return 'info';
    };

    const value = await settle(retryTransient(fn, 5_000, transient, 1_000));
    const bounded = timersDuringAttempts;
    timersDuringAttempts = [];
    calls = 0;
    await settle(retryTransient(fn, 5_000, transient));

    expect(value).toBe('info');
    expect(bounded).toEqual([0, 0]);
    expect(timersDuringAttempts).toEqual([1, 1]);
  });

  it('guards an attempt with the deadline once its own limit would outlast it', async () => {
    const never = () => new Promise<string>(() => undefined);

    const error = await settle(retryTransient(never, 150, transient, 1_000));

    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect(error).toMatchObject({ attempts: 1, deadlineMs: 150 });
  });
});
