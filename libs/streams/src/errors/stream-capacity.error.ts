import { StreamsError } from './streams.error.js';

/**
 * The stream cannot be created or grown: its `max_bytes × num_replicas` does not fit in the
 * storage the account or the servers have left. Lower `max_bytes` or `num_replicas`, or give the
 * servers (`max_file_store` / `max_memory_store`) or the account more storage.
 */
export class StreamCapacityError extends StreamsError {
  constructor(
    readonly stream: string,
    /** Bytes the stream would reserve (max_bytes × replicas), when known. */
    readonly requiredBytes: number | undefined,
    /** Bytes still available, when known. */
    readonly availableBytes: number | undefined,
    detail: string,
    options: { cause?: unknown; errCode?: number } = {},
  ) {
    super(
      `Stream "${stream}" does not fit: ${detail}. Lower max_bytes or num_replicas, or give the servers or account more storage`,
      options,
    );
  }
}
