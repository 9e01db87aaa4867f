/** One JetStream API request, as `JetStreamApi.calls$` reports it. */
export interface ApiCallEvent {
  /** The library operation that made it, e.g. `ensureStream`. */
  operation: string;
  /** The API subject without prefix and names, e.g. `STREAM.INFO`. */
  kind: string;
  /** What the subject names after the kind: the stream (and consumer), e.g. `orders`. */
  target?: string;
  durationMs: number;
  /** The server's err_code or the client's error code, when it failed. */
  error?: string;
}

/** `STREAM.INFO.orders` -> `STREAM.INFO` about `orders`; `INFO` -> `INFO`. */
export function callOf(subject: string): { kind: string; target?: string } {
  const [a, b, ...rest] = subject.split('.');
  if (b === undefined) return { kind: a };
  return rest.length ? { kind: `${a}.${b}`, target: rest.join('.') } : { kind: `${a}.${b}` };
}
