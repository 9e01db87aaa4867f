/** The parts of a `nats` client error (or a server answer shaped like one) that decide a retry. */
interface ClientErrorShape {
  code?: string;
  api_error?: { code?: number; err_code?: number; description?: string };
}

/** Server `err_code`s that clear by themselves once a leader is elected. */
const TRANSIENT_ERR_CODES: ReadonlySet<number> = new Set([
  10008, // JetStream system temporarily unavailable: no meta or stream leader (yet)
  10009, // JetStream cluster can not handle request: this server stopped being the meta leader
  10226, // stream reconfiguration already in progress (2.11+): the previous update is still applied
]);

/**
 * Client error codes that clear by themselves: a request nobody answered in time (no leader while
 * a node restarts), no responder yet, or a connection that is reconnecting. `CONNECTION_CLOSED` is
 * not among them: a closed connection never comes back.
 */
const TRANSIENT_CLIENT_CODES: ReadonlySet<string> = new Set(['TIMEOUT', '503', 'DISCONNECT']);

/**
 * Whether a failed JetStream API request is worth retrying: no JetStream meta leader or stream
 * leader yet (10008 "JetStream system temporarily unavailable", 10009), a request that timed out or
 * found no responder while a node restarts, or a connection being re-established. Permanent answers
 * ("no suitable peers for placement", "insufficient storage", a bad config) are not.
 */
export function isTransient(err: unknown): boolean {
  if (err === null || typeof err !== 'object') return false;
  const { code, api_error: api } = err as ClientErrorShape;
  const errCode = api?.err_code;
  if (errCode !== undefined) {
    return TRANSIENT_ERR_CODES.has(errCode) || /temporarily unavailable|no leader|leader not|not current/i.test(api?.description ?? '');
  }
  return code !== undefined && TRANSIENT_CLIENT_CODES.has(String(code));
}

/**
 * Whether a transient failure certainly left the server unchanged: the server said so (10008,
 * 10009, 10226) or no JetStream API responder got the request (503). A timeout or a lost
 * connection may hide a request the server did apply, so a write that is not idempotent (delete,
 * purge) is only retried after these.
 */
export function isTransientUnapplied(err: unknown): boolean {
  return isTransient(err) && !['TIMEOUT', 'DISCONNECT'].includes(String((err as ClientErrorShape).code));
}

/** How long an operation kept retrying before it gave up. */
export interface RetryExhaustion {
  /** Attempts made, the failed last one included. */
  attempts: number;
  /** Milliseconds from the first attempt to giving up. */
  elapsedMs: number;
  /** The operation's deadline, in ms. */
  deadlineMs: number;
}

/** Errors thrown by {@link retryTransient} after transient failures, with how long it tried. */
const exhaustions = new WeakMap<object, RetryExhaustion>();

/**
 * How long {@link retryTransient} retried before throwing `err`; undefined when `err` did not come
 * from a retry that ran out of time (a permanent error, or one thrown at the first attempt).
 */
export function retryExhaustionOf(err: unknown): RetryExhaustion | undefined {
  return err !== null && typeof err === 'object' ? exhaustions.get(err) : undefined;
}

/**
 * Runs `fn`, retrying transient failures (`retryable`, by default {@link isTransient}) with exponential backoff (100 ms
 * doubling to 2 s, with jitter, counted from each attempt's start) within `deadlineMs` from the first attempt. Permanent failures are
 * thrown at once. At the deadline it throws the last transient error (or, if the first attempt is
 * still waiting, an error with code `TIMEOUT`); {@link retryExhaustionOf} then tells how long it tried.
 *
 * The deadline bounds the whole operation, not just the pauses: an attempt still waiting for its
 * answer at the deadline is abandoned (its late answer is ignored), so a request timeout longer than
 * the deadline cannot stretch the operation.
 *
 * @example
 * const info = await retryTransient(() => jsm.streams.info('orders'), 15_000);
 */
export async function retryTransient<T>(
  fn: () => Promise<T>,
  deadlineMs: number,
  retryable: (err: unknown) => boolean = isTransient,
): Promise<T> {
  const started = Date.now();
  const deadline = started + deadlineMs;
  let attempts = 0;
  let last: unknown;
  const giveUp = (err: unknown): unknown => {
    const error = err ?? deadlineError(deadlineMs);
    if (typeof error === 'object' && error !== null) {
      exhaustions.set(error, { attempts, elapsedMs: Date.now() - started, deadlineMs });
    }
    return error;
  };
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    attempts += 1;
    const attemptStarted = Date.now();
    const outcome = await withinDeadline(fn, deadline);
    if (outcome.ok) return outcome.value;
    if (outcome.expired) throw giveUp(last);
    const err = outcome.error;
    if (!retryable(err)) throw err;
    last = err;
    // The pause counts from the attempt's start: a request that already waited out its timeout
    // (no leader to answer) is asked again at once, so a new leader is found within one timeout.
    const wait = Math.max(0, delay / 2 + Math.random() * (delay / 2) - (Date.now() - attemptStarted));
    if (Date.now() + wait >= deadline) throw giveUp(err);
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

function deadlineError(deadlineMs: number): Error {
  // Shaped like the client's own timeout, so callers treat it the same way.
  return Object.assign(new Error(`no answer within the operation deadline of ${deadlineMs} ms`), { code: 'TIMEOUT' });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
