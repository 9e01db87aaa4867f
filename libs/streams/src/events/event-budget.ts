/**
 * A token bucket: at most `perSecond` takes a second, in bursts of up to `perSecond`. What
 * {@link StreamEvents} spends on events of streams the app does not declare, so that a flood of
 * fake advisories cannot flood `events$`.
 */
export class EventBudget {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = perSecond;
    this.refilledAt = now();
  }

  /** Whether one more event fits; spends it if so. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.refilledAt) * this.perSecond) / 1_000);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
