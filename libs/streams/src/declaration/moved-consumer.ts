import type { ServerConsumerConfig } from '../server/server-consumer.js';
import type { ServerVersion } from '../server/server-version.js';

/**
 * The metadata key a migration (`onConflict: 'migrate'`) leaves on a durable consumer it had to
 * recreate at a position (nats-server 2.10 to 2.13, which have no `CONSUMER.RESET`): JSON of the
 * start the consumer was declared with, `{ deliver_policy, opt_start_seq?, opt_start_time?,
 * start_seq }`, the consumer itself now starting `by_start_sequence` at `start_seq`. The consumer
 * diff reads it so that a moved consumer still matches its declaration, and ignores it when
 * comparing metadata.
 */
export const MOVED_CONSUMER_METADATA_KEY = 'nestjs-jetstream-streams.migrated';

/**
 * The pause date of a consumer a migration is placing (created paused, moved by `CONSUMER.RESET`,
 * then resumed): no consumer is declared with it, and the consumer diff never reads it as a pause
 * to undo, so no ensure resumes a consumer before it is at its position.
 */
export const PLACING_UNTIL = '2999-12-31T23:59:59Z';

/** Whether the consumer is paused by a migration that is placing it (see {@link PLACING_UNTIL}). */
export function isPlacing(config: ServerConsumerConfig): boolean {
  return typeof config.pause_until === 'string' && Date.parse(config.pause_until) === Date.parse(PLACING_UNTIL);
}

/** The start a moved consumer was declared with. */
export interface MovedStart {
  deliver_policy: string;
  opt_start_seq?: number;
  opt_start_time?: string;
}

/**
 * The start fields to compare a consumer with its declaration by, when a migration moved it:
 * - nats-server 2.10+: the start recorded under {@link MOVED_CONSUMER_METADATA_KEY}, when the
 *   consumer still starts `by_start_sequence` at the recorded sequence;
 * - nats-server 2.9, which drops metadata: a `by_start_sequence` consumer whose declaration asks
 *   for another start is taken as moved (2.9 cannot say whether a migration or a person set it).
 *
 * Undefined for a consumer that was not moved.
 */
export function movedStart(actual: ServerConsumerConfig, declared: ServerConsumerConfig, version: ServerVersion): MovedStart | undefined {
  if (actual.deliver_policy !== 'by_start_sequence') return undefined;
  if (!version.atLeast('2.10.0')) {
    const policy = declared.deliver_policy ?? 'all';
    if (policy === 'by_start_sequence') return undefined;
    return { deliver_policy: policy, ...(declared.opt_start_time !== undefined ? { opt_start_time: declared.opt_start_time } : {}) };
  }
  const raw = actual.metadata?.[MOVED_CONSUMER_METADATA_KEY];
  if (typeof raw !== 'string') return undefined;
  try {
    const record = JSON.parse(raw) as Record<string, unknown>;
    if (typeof record.deliver_policy !== 'string' || record.start_seq !== actual.opt_start_seq) return undefined;
    return {
      deliver_policy: record.deliver_policy,
      ...(typeof record.opt_start_seq === 'number' ? { opt_start_seq: record.opt_start_seq } : {}),
      ...(typeof record.opt_start_time === 'string' ? { opt_start_time: record.opt_start_time } : {}),
    };
  } catch {
    return undefined;
  }
}
