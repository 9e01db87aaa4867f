import type { NatsConnection, Subscription } from 'nats';
import type { MigrationMarker } from './migration-marker.js';
import type { OwnerState } from './migration-stage.js';

/** How long a ping of an owner may take before its answer is taken as unknown. */
const PING_TIMEOUT_MS = 1_000;

/** The subject an owner answers on while it runs a migration. */
export function presenceSubject(owner: string): string {
  return `_migrating.owner.${owner}`;
}

/**
 * Tells whether the owner of a migration is alive, two ways:
 * - presence: while it migrates, an owner answers requests on {@link presenceSubject}. "No
 *   responders" means its connection is gone (a crashed or killed process): it is taken over at once;
 * - lease: an owner rewrites its marker's `beat` every few seconds; a marker that did not change for
 *   `leaseMs` (measured on this instance's clock, so clocks need not agree) belongs to an owner that
 *   is stuck or cut off, even if something still answers for it.
 * A ping that cannot be sent (permissions) or times out decides nothing: the lease does.
 */
export class OwnerPresence {
  private readonly seen = new Map<string, { owner: string; beat: number; since: number }>();

  constructor(
    private readonly connection: () => NatsConnection,
    private readonly leaseMs: number,
  ) {}

  /** Starts answering for `owner`; the returned function stops it. Resolves once the server has the subscription. */
  async announce(owner: string): Promise<() => void> {
    const nc = this.connection();
    const sub: Subscription = nc.subscribe(presenceSubject(owner), { callback: (_err, msg) => msg.respond() });
    await nc.flush();
    return () => sub.unsubscribe();
  }

  /** The state of the owner of `marker` on stream `stream`, from this instance `me`. */
  async ownerState(stream: string, marker: MigrationMarker, me: string): Promise<OwnerState> {
    if (marker.owner === me) return 'me';
    const now = Date.now();
    const last = this.seen.get(stream);
    if (!last || last.owner !== marker.owner || last.beat !== marker.beat) {
      this.seen.set(stream, { owner: marker.owner, beat: marker.beat, since: now });
    } else if (now - last.since >= this.leaseMs) {
      return 'gone';
    }
    return (await this.ping(marker.owner)) === 'gone' ? 'gone' : 'alive';
  }

  /** Forgets what was seen of a stream's migration (it ended). */
  forget(stream: string): void {
    this.seen.delete(stream);
  }

  private async ping(owner: string): Promise<'alive' | 'gone' | 'unknown'> {
    try {
      await this.connection().request(presenceSubject(owner), new Uint8Array(0), { timeout: PING_TIMEOUT_MS });
      return 'alive';
    } catch (err) {
      // "No responders": nothing subscribes to the owner's subject any more.
      return String((err as { code?: unknown }).code) === '503' ? 'gone' : 'unknown';
    }
  }
}
