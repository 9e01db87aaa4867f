import type { PingResult } from '../connection/owner-connection.js';
import { sleep } from '../timers.js';

/** The subject a run answers on, over its own connection, while it takes part in a migration. */
export function presenceSubject(run: string): string {
  return `_migrating.owner.${run}`;
}

/** What a waiter knows of a migration's owner: it answers, it does not (yet), or its connection is gone. */
export type OwnerPresence = 'alive' | 'unresponsive' | 'gone';

/** How an {@link OwnerWatch} pings. */
export interface PresenceTiming {
  /** How long one ping waits for its answer, in ms. */
  pingTimeoutMs: number;
  /** After "no responders", the pause before the ping that confirms it, in ms (route interest settles). */
  confirmMs: number;
  /** Pause before pinging again an owner that answered, in ms. */
  answeredEveryMs: number;
  /** Pause before pinging again an owner that did not answer, doubled at each silence up to `maxBackoffMs`. */
  firstBackoffMs: number;
  maxBackoffMs: number;
}

/** The pings of a waiter: about once a second while the owner answers, backing off while it does not. */
export const PRESENCE_TIMING: PresenceTiming = {
  pingTimeoutMs: 1_000,
  confirmMs: 1_000,
  answeredEveryMs: 1_000,
  firstBackoffMs: 1_000,
  maxBackoffMs: 60_000,
};

/**
 * Follows the owner of a migration through its presence subject, answered over the connection
 * that carries every request of its run. Only "no responders", twice, `confirmMs` apart, means
 * gone: the server has no subscription of that connection left, so it has closed the connection,
 * has read everything sent on it before (TCP keeps order), and reads nothing more from it. A ping
 * that times out (a frozen process, a network that holds the bytes) or is answered never does.
 *
 * Pings back off while the owner is silent: nats-server 2.9 counts a message delivered to a
 * connection as activity and skips its own stale-connection PINGs, so pinging a frozen owner more
 * often than the server's `ping_interval` would keep its connection open for ever.
 */
export class OwnerWatch {
  private owner?: string;
  private presence: Exclude<OwnerPresence, 'gone'> = 'alive';
  private nextPingAt = 0;
  private backoffMs: number;
  private silentSince?: number;

  constructor(
    private readonly ping: (subject: string, timeoutMs: number) => Promise<PingResult>,
    private readonly timing: PresenceTiming = PRESENCE_TIMING,
  ) {
    this.backoffMs = timing.firstBackoffMs;
  }

  /** The presence of `owner`, pinging it when a ping is due (else what the last one said). */
  async check(owner: string): Promise<OwnerPresence> {
    if (owner !== this.owner) {
      this.owner = owner;
      this.presence = 'alive';
      this.nextPingAt = 0;
      this.backoffMs = this.timing.firstBackoffMs;
      this.silentSince = undefined;
    }
    if (Date.now() < this.nextPingAt) return this.presence;
    let result = await this.ping(presenceSubject(owner), this.timing.pingTimeoutMs);
    if (result === 'no-responders') {
      await sleep(this.timing.confirmMs);
      result = await this.ping(presenceSubject(owner), this.timing.pingTimeoutMs);
      if (result === 'no-responders') return 'gone';
    }
    if (result === 'answered') {
      this.presence = 'alive';
      this.silentSince = undefined;
      this.backoffMs = this.timing.firstBackoffMs;
      this.nextPingAt = Date.now() + this.timing.answeredEveryMs;
    } else {
      this.presence = 'unresponsive';
      this.silentSince ??= Date.now();
      this.nextPingAt = Date.now() + this.backoffMs;
      this.backoffMs = Math.min(2 * this.backoffMs, this.timing.maxBackoffMs);
    }
    return this.presence;
  }

  /** Why the owner is still waited for, for an error that gives up on it. */
  describe(owner: string): string {
    if (this.presence === 'alive' || this.silentSince === undefined) {
      return `instance ${owner} answers its presence pings but made no progress`;
    }
    return (
      `instance ${owner} has not answered its presence pings for ${Date.now() - this.silentSince} ms (a frozen process, or a network ` +
      'that holds its traffic); it is taken over only once the server has closed its connection, after ping_interval × ping_max ' +
      '(2 min × 2 by default): ensure the stream again then'
    );
  }
}
