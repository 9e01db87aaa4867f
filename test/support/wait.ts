import { setTimeout as delay } from 'node:timers/promises';

/** How long and how often {@link waitFor} polls. */
export interface WaitOptions {
  /**
   * Give up after this long.
   * @default 15_000
   */
  timeoutMs?: number;
  /**
   * Pause between two probes.
   * @default 200
   */
  everyMs?: number;
  /**
   * What is waited for, named in the timeout error.
   * @default 'condition'
   */
  what?: string;
}

/**
 * Polls `probe` until it returns a value `done` accepts, and returns that value. Fails after
 * `timeoutMs` with an error naming `what` and the last value. A probe that rejects fails the
 * wait at once (use {@link waitForValue} when failures mean "not yet").
 *
 * @example
 * const down = await waitFor(() => getHealth(app), (h) => h.status === 503, { timeoutMs: 5_000 });
 */
export async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 15_000, everyMs = 200, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) {
      throw new Error(`${what} not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    }
    await delay(everyMs);
    last = await probe();
  }
  return last;
}

/**
 * Polls `probe` until it resolves to something other than `undefined`, and returns that. A probe
 * that rejects counts as "not ready yet" (a process that is still starting refuses connections).
 *
 * @example
 * const res = await waitForValue(async () => {
 *   const r = await request(base).get('/health');
 *   return r.status === 200 ? r : undefined;
 * }, { timeoutMs: 30_000, everyMs: 250 });
 */
export async function waitForValue<T>(probe: () => Promise<T | undefined>, options: WaitOptions = {}): Promise<T> {
  const value = await waitFor(
    () => probe().catch(() => undefined),
    (v) => v !== undefined,
    { what: 'ready', ...options },
  );
  return value as T;
}
