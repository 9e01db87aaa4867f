import type { JetStreamAccountStats } from 'nats';
import { StreamCapacityError } from '../errors/stream-capacity.error.js';
import type { DesiredStream } from './stream-config.js';

/**
 * Whether `extraBytes` more reservation for the stream fits in the account's storage limit of
 * its storage type. Undefined when it fits or the account has no limit.
 */
export function capacityProblem(
  desired: DesiredStream,
  extraBytes: number,
  account: JetStreamAccountStats,
): StreamCapacityError | undefined {
  const memory = desired.config.storage === 'memory';
  const limit = memory ? account.limits.max_memory : account.limits.max_storage;
  if (limit === undefined || limit < 0) return undefined;
  const used = memory ? account.memory : account.storage;
  // Reservations are in the server's answer (2.10+) but not in the client's types.
  const extra = account as JetStreamAccountStats & { reserved_memory?: number; reserved_storage?: number };
  const reserved = (memory ? extra.reserved_memory : extra.reserved_storage) ?? 0;
  const available = Math.max(0, limit - Math.max(used, reserved));
  if (extraBytes <= available) return undefined;
  return new StreamCapacityError(
    desired.name,
    extraBytes,
    available,
    `max_bytes ${desired.config.max_bytes} × ${desired.config.num_replicas} replica(s) needs ${extraBytes} more bytes of ${memory ? 'memory' : 'file'} storage, the account has ${available} left`,
  );
}
