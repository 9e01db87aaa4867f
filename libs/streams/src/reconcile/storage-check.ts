import type { AccountInfo as JetStreamAccountStats } from '../jetstream/api-types.js';
import { StreamCapacityError } from '../errors/stream-capacity.error.js';
import type { DesiredStream } from '../declaration/stream-config.js';

/**
 * Whether `extraBytes` more reservation for the stream fits in the account's limits of its storage
 * type: the largest `max_bytes` one stream may have, and the storage left. Undefined when it fits or
 * the account has no limit. Servers' own `max_file_store` / `max_memory_store` are not visible to a
 * client: a stream larger than every server is refused by the server at create (`StreamCapacityError`).
 */
export function capacityProblem(
  desired: DesiredStream,
  extraBytes: number,
  account: JetStreamAccountStats,
): StreamCapacityError | undefined {
  const memory = desired.config.storage === 'memory';
  const kind = memory ? 'memory' : 'file';
  const perStream = memory ? account.limits.memory_max_stream_bytes : account.limits.storage_max_stream_bytes;
  if (perStream !== undefined && perStream > 0 && desired.config.max_bytes > perStream) {
    return new StreamCapacityError(
      desired.name,
      extraBytes,
      perStream,
      `max_bytes ${desired.config.max_bytes} is over the account's largest ${kind} stream (${perStream} bytes)`,
    );
  }
  const limit = memory ? account.limits.max_memory : account.limits.max_storage;
  if (limit === undefined || limit < 0) return undefined;
  const used = memory ? account.memory : account.storage;
  // Reservations are in the server's answer from 2.10 on.
  const reserved = (memory ? account.reserved_memory : account.reserved_storage) ?? 0;
  const available = Math.max(0, limit - Math.max(used, reserved));
  if (extraBytes <= available) return undefined;
  return new StreamCapacityError(
    desired.name,
    extraBytes,
    available,
    `max_bytes ${desired.config.max_bytes} × ${desired.config.num_replicas} replica(s) needs ${extraBytes} more bytes of ${kind} storage, the account has ${available} left`,
  );
}
