/** Why repairs of a stream were stopped. */
export interface FlappingRecord {
  /** Repairs within the window when the next one was refused. */
  repairs: number;
  /** The window they fell in, in ms. */
  windowMs: number;
  /** When repairs stopped (ISO 8601). */
  since: string;
}

/**
 * Keeps two apps that declare one stream differently from repairing it back and forth forever:
 * a stream may be repaired `maxRepairs` times within `windowMs`; the next repair it needs is
 * refused and the stream is marked flapping, for good (until the app restarts).
 */
export class RepairGuard {
  private readonly repairs = new Map<string, number[]>();
  private readonly flapping = new Map<string, FlappingRecord>();

  constructor(
    private readonly maxRepairs: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Asks to repair `stream` now. False when it is flapping: it already was, or it was repaired
   * `maxRepairs` times within the window (it is then marked, and {@link flappingOf} says since when).
   */
  admit(stream: string): boolean {
    if (this.flapping.has(stream)) return false;
    const recent = this.recent(stream);
    if (recent.length < this.maxRepairs) return true;
    this.flapping.set(stream, { repairs: recent.length, windowMs: this.windowMs, since: new Date(this.now()).toISOString() });
    this.repairs.delete(stream);
    return false;
  }

  /** Counts one repair of `stream` that changed something on the server. */
  record(stream: string): void {
    const recent = this.recent(stream);
    recent.push(this.now());
    this.repairs.set(stream, recent);
  }

  /** Why repairs of `stream` stopped, or undefined while they go on. */
  flappingOf(stream: string): FlappingRecord | undefined {
    return this.flapping.get(stream);
  }

  private recent(stream: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.repairs.get(stream) ?? []).filter((at) => at > since);
  }
}
