import type { FieldConflict } from './stream-config-conflict.error.js';
import { StreamsError } from './streams.error.js';

/**
 * A declared consumer differs from the consumer on the server in fields the server cannot change
 * in place (deliver policy and start, ack policy, replay policy, max_waiting, push <-> pull, flow
 * control, heartbeats, and on 2.10+ mem_storage). Nothing was written: neither the consumer nor its
 * stream. Declare the consumer as it is, or give the new config a new durable name (and delete the
 * old consumer yourself when nothing reads it any more: its position and pending acks go with it).
 */
export class ConsumerConfigConflictError extends StreamsError {
  constructor(
    readonly stream: string,
    /** The durable name of the consumer. */
    readonly consumer: string,
    /** Each field that cannot be changed, with both values and the reason. */
    readonly conflicts: FieldConflict[],
  ) {
    super(
      `Consumer "${consumer}" of stream "${stream}" cannot be updated in place: ` +
        conflicts.map((c) => `${c.field} ${fmt(c.current)} -> ${fmt(c.desired)} (${c.reason})`).join('; ') +
        '. Nothing was written. Declare the consumer as it is, or declare the new config under a new durable name.',
    );
  }
}

function fmt(value: unknown): string {
  return value === undefined ? 'unset' : JSON.stringify(value);
}
