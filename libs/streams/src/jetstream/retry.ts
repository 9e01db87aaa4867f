import { RetryExhaustedError } from '../errors/retry-exhausted.error.js';

/** Backoff of {@link retryTransient}: the first pause and the longest, in ms. */
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 2_000;

/**
 * Runs `fn`, retrying the failures `retryable` accepts with exponential backoff (100 ms doubling to
 * 2 s, with jitter, counted from each attempt's start) within `deadlineMs` from the first attempt.
 * Other failures are thrown at once. When the deadline passes it throws a
 * {@link RetryExhaustedError} whose `cause` is the last transient failure.
 *
 * The deadline bounds the whole operation, not just the pauses: an attempt still waiting for its
 * answer at the deadline is abandoned (its late answer is ignored), so a request timeout longer than
 * the deadline cannot stretch the operation. `attemptLimitMs` says how long one attempt can take
 * at most by itself (a request's own timeout): while the deadline is further away than that, an
 * attempt needs no deadline timer of its own, which keeps the common single attempt cheap.
 *
 * @example
 * const info = await retryTransient(() => api.request('STREAM.INFO.orders'), 15_000, (e) => classifyFailure(e).transient);
 */
export async function retryTransient<T>(
  fn: () => Promise<T>,
  deadlineMs: number,
  retryable: (err: unknown) => boolean,
  attemptLimitMs?: number,
): Promise<T> {
  const started = Date.now();
  const deadline = started + deadlineMs;
  let attempts = 0;
  let last: unknown;
  for (let delay = FIRST_DELAY_MS; ; delay = Math.min(delay * 2, MAX_DELAY_MS)) {
    attempts += 1;
    const attemptStarted = Date.now();
    let outcome: Outcome<T>;
    if (attemptLimitMs !== undefined && attemptStarted + attemptLimitMs <= deadline) {
      // Ends by itself before the deadline: awaited as it is, no timer nor race (the usual case).
      try {
        return await fn();
      } catch (error) {
        outcome = { ok: false, expired: false, error };
      }
    } else {
      outcome = await withinDeadline(fn, deadline);
      if (outcome.ok) return outcome.value;
    }
    if (outcome.expired) throw new RetryExhaustedError(last, attempts, Date.now() - started, deadlineMs);
    if (!retryable(outcome.error)) throw outcome.error;
    last = outcome.error;
    // The pause counts from the attempt's start: a request that already waited out its timeout
    // (no leader to answer) is asked again at once, so a new leader is found within one timeout.
    const wait = Math.max(0, delay / 2 + Math.random() * (delay / 2) - (Date.now() - attemptStarted));
    if (Date.now() + wait >= deadline) throw new RetryExhaustedError(last, attempts, Date.now() - started, deadlineMs);
    await sleep(wait);
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; expired: false; error: unknown } | { ok: false; expired: true };

/** Runs one attempt, abandoning it when the deadline passes first. */
async function withinDeadline<T>(fn: () => Promise<T>, deadline: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const attempt = Promise.resolve()
    .then(fn)
    .then(
      (value): Outcome<T> => ({ ok: true, value }),
      (error: unknown): Outcome<T> => ({ ok: false, expired: false, error }),
    );
  const expiry = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, expired: true }), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([attempt, expiry]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
