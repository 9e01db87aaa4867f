/** The stream writes whose advisory the server sends (a purge sends none). */
const ANNOUNCED: ReadonlySet<string> = new Set(['STREAM.CREATE', 'STREAM.UPDATE', 'STREAM.DELETE']);

/** How long an advisory and a write wait to be matched before they are forgotten, in ms. */
const MATCH_WINDOW_MS = 5_000;
/** Streams with unmatched advisories remembered at most (a flood of made-up names stops here). */
const MAX_UNCLAIMED = 10_000;

/**
 * Tells this connection's own stream writes from changes made elsewhere, so that the advisory of
 * a write does not drop the fresh info the write just cached. Each write the server announces is
 * matched with one advisory of its stream, whichever comes first: an advisory that comes first is
 * remembered with its arrival time and claimed by a write that was in flight then; a write that
 * completes first leaves an expectation that its advisory consumes. A change made elsewhere in the
 * same moment may be taken for ours, but then our own advisory is not, so the entry is dropped
 * all the same. What is not matched within a few seconds is forgotten.
 */
export class OwnWrites {
  private readonly expected = new Map<string, number[]>();
  private readonly unclaimed = new Map<string, number[]>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A write of this connection completed: `kind` of the API (e.g. `STREAM.UPDATE`), started `durationMs` ago. */
  written(kind: string, stream: string | undefined, durationMs: number): void {
    if (!stream || !ANNOUNCED.has(kind)) return;
    const now = this.now();
    const startedAt = now - durationMs;
    const arrivals = fresh(this.unclaimed.get(stream), now);
    const claimed = arrivals.findIndex((at) => at >= startedAt);
    if (claimed >= 0) {
      arrivals.splice(claimed, 1);
      this.unclaimed.set(stream, arrivals);
      return;
    }
    this.expected.set(stream, [...fresh(this.expected.get(stream), now), now]);
  }

  /** An advisory of `stream` arrived: whether it announces a write of this connection. */
  isOwn(stream: string): boolean {
    const now = this.now();
    const expected = fresh(this.expected.get(stream), now);
    if (expected.length) {
      expected.shift();
      this.expected.set(stream, expected);
      return true;
    }
    const arrivals = [...fresh(this.unclaimed.get(stream), now), now];
    this.unclaimed.delete(stream);
    this.unclaimed.set(stream, arrivals);
    // The oldest arrivals go first (a Map keeps insertion order, refreshed just above).
    for (const name of this.unclaimed.keys()) {
      if (this.unclaimed.size <= MAX_UNCLAIMED) break;
      this.unclaimed.delete(name);
    }
    return false;
  }
}

function fresh(times: number[] | undefined, now: number): number[] {
  return (times ?? []).filter((at) => now - at < MATCH_WINDOW_MS);
}
