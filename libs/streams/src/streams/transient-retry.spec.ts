import { jest } from '@jest/globals';
import { isTransient, isTransientUnapplied, retryExhaustionOf, retryTransient } from './transient-retry.js';

/** An error shaped like the `nats` client's NatsError for a JetStream API answer. */
function apiError(err_code: number, description: string, code = 400): Error {
  return Object.assign(new Error(description), { code: String(code), api_error: { code, err_code, description } });
}

/** An error shaped like a client-side NatsError (no server answer). */
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

describe('isTransient', () => {
  it.each([
    ['no meta leader (10008)', apiError(10008, 'JetStream system temporarily unavailable', 503)],
    ['meta leader stepped down (10009)', apiError(10009, 'JetStream cluster can not handle request', 500)],
    ['a reconfiguration still in progress (10226)', apiError(10226, 'stream reconfiguration already in progress')],
    ['an unknown code saying temporarily unavailable', apiError(10999, 'stream temporarily unavailable', 503)],
    ['a request timeout', clientError('TIMEOUT')],
    ['no responders', clientError('503')],
    ['a disconnect', clientError('DISCONNECT')],
  ])('retries %s', (_label, err) => {
    expect(isTransient(err)).toBe(true);
  });

  it.each([
    ['no suitable peers (10005)', apiError(10005, 'no suitable peers for placement')],
    ['insufficient storage (10005)', apiError(10005, 'no suitable peers for placement, insufficient storage')],
    ['insufficient storage (10047)', apiError(10047, 'insufficient storage resources available', 500)],
    ['stream not found (10059)', apiError(10059, 'stream not found', 404)],
    ['move and scale together (10123)', apiError(10123, 'can not move and scale a stream in a single update')],
    ['a closed connection', clientError('CONNECTION_CLOSED')],
    ['a plain error', new Error('boom')],
    ['undefined', undefined],
    ['a string', 'TIMEOUT'],
  ])('does not retry %s', (_label, err) => {
    expect(isTransient(err)).toBe(false);
  });
});

describe('isTransientUnapplied', () => {
  it.each([
    ['10008 temporarily unavailable', apiError(10008, 'JetStream system temporarily unavailable', 503), true],
    ['no responders', clientError('503'), true],
    ['a request timeout (the server may have applied it)', clientError('TIMEOUT'), false],
    ['a lost connection (the server may have applied it)', clientError('DISCONNECT'), false],
    ['a permanent answer', apiError(10059, 'stream not found', 404), false],
  ])('%s -> %s', (_case, err, expected) => {
    expect(isTransientUnapplied(err)).toBe(expected);
  });
});

describe('retryTransient', () => {
  it('retries only what the given predicate accepts', async () => {
    const { fn, calls } = failing([clientError('TIMEOUT')], 'done');

    await expect(retryTransient(fn, 5_000, isTransientUnapplied)).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(calls()).toBe(1);
  });

  it('returns the value after transient failures', async () => {
    const { fn, calls } = failing([apiError(10008, 'JetStream system temporarily unavailable', 503), clientError('TIMEOUT')], 'info');

    const value = await retryTransient(fn, 5_000);

    expect(value).toBe('info');
    expect(calls()).toBe(3);
  });

  it('throws a permanent error at once, untouched', async () => {
    const permanent = apiError(10005, 'no suitable peers for placement');
    const { fn, calls } = failing([permanent], 'never');

    const error = await retryTransient(fn, 5_000).catch((e: unknown) => e);

    expect(error).toBe(permanent);
    expect(calls()).toBe(1);
    expect(retryExhaustionOf(error)).toBeUndefined();
  });

  it('gives up at the deadline with the last transient error and how long it tried', async () => {
    const unavailable = apiError(10008, 'JetStream system temporarily unavailable', 503);
    const fn = () => Promise.reject(unavailable);
    const started = Date.now();

    const error = await retryTransient(fn, 400).catch((e: unknown) => e);

    expect(error).toBe(unavailable);
    const tried = retryExhaustionOf(error);
    expect(tried?.deadlineMs).toBe(400);
    expect(tried?.attempts).toBeGreaterThan(1);
    expect(tried?.elapsedMs).toBeLessThanOrEqual(400);
    expect(Date.now() - started).toBeLessThan(400 + 200);
  });

  it('counts the pause from the attempt start, so a request that timed out is asked again at once', async () => {
    // Pauses at their longest: 100, 200, 400 ms. Counted from each 250 ms attempt's start they
    // shrink to 0, 0, 150 ms and a fourth attempt starts before the 1 s deadline; added after
    // each attempt, the third attempt would already be cut off by the deadline.
    const random = jest.spyOn(Math, 'random').mockReturnValue(1);
    let attempts = 0;
    const slowTimeout = () => {
      attempts++;
      return new Promise<string>((_, reject) => setTimeout(() => reject(clientError('TIMEOUT')), 250));
    };

    try {
      await retryTransient(slowTimeout, 1_000).catch(() => undefined);
    } finally {
      random.mockRestore();
    }

    expect(attempts).toBe(4);
  });

  it('abandons an attempt that outlives the deadline, with a TIMEOUT error', async () => {
    const never = () => new Promise<string>(() => undefined);

    const error = await retryTransient(never, 150).catch((e: unknown) => e);

    expect((error as { code?: string }).code).toBe('TIMEOUT');
    expect((error as Error).message).toContain('150 ms');
    expect(retryExhaustionOf(error)).toMatchObject({ attempts: 1, deadlineMs: 150 });
  });

  it('reports the last transient answer, not the cut-off, when a later attempt outlives the deadline', async () => {
    const unavailable = apiError(10008, 'JetStream system temporarily unavailable', 503);
    let calls = 0;
    const fn = () => (calls++ === 0 ? Promise.reject(unavailable) : new Promise<string>(() => undefined));

    const error = await retryTransient(fn, 300).catch((e: unknown) => e);

    expect(error).toBe(unavailable);
    expect(retryExhaustionOf(error)?.attempts).toBe(2);
  });

  it('ignores the late rejection of an abandoned attempt', async () => {
    const late = () => new Promise<string>((_, reject) => setTimeout(() => reject(clientError('TIMEOUT')), 200));

    const error = await retryTransient(late, 50).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 250));

    expect((error as Error).message).toContain('operation deadline of 50 ms');
  });
});
