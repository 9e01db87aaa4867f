import type { NatsError } from 'nats';

/**
 * Server answers that clear by themselves within seconds: no JetStream meta leader or stream
 * leader yet (10008 "JetStream system temporarily unavailable"), a request that timed out or found
 * no responder while a node restarts, or a connection between servers.
 */
export function isTransient(err: unknown): boolean {
  const e = err as NatsError | undefined;
  if (!e) return false;
  const errCode = e.api_error?.err_code;
  if (errCode === 10008) return true;
  if (errCode !== undefined) return /temporarily unavailable|leader|not current/i.test(e.api_error?.description ?? '');
  return ['TIMEOUT', '503', 'DISCONNECT', 'CONNECTION_CLOSED'].includes(String(e.code));
}

/**
 * Runs `fn`, retrying transient failures with exponential backoff (100 ms doubling to 2 s, with
 * jitter) until `deadlineMs` has passed since the first attempt; then throws the last error.
 * Permanent failures are thrown at once.
 */
export async function retryTransient<T>(fn: () => Promise<T>, deadlineMs: number): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      return await fn();
    } catch (err) {
      const wait = delay / 2 + Math.random() * (delay / 2);
      if (!isTransient(err) || Date.now() + wait >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
