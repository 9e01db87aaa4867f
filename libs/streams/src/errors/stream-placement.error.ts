import { StreamsError } from './streams.error.js';

/**
 * The cluster cannot place the stream's replicas: not enough servers are up (or match the
 * placement's cluster and tags) for `num_replicas`. Lower `num_replicas`, fix `placement`, or
 * bring servers back.
 */
export class StreamPlacementError extends StreamsError {
  constructor(
    readonly stream: string,
    /** The server's description. */
    readonly description: string,
    options: { cause?: unknown; errCode?: number } = {},
  ) {
    super(
      `Stream "${stream}" cannot be placed: ${description}. Lower num_replicas, fix placement (cluster, tags), or bring more servers up`,
      options,
    );
  }
}
