import { StreamsError } from './streams.error.js';

/** The outcome of one item of a batch; failed items carry their error. */
export interface BatchItemResult {
  name: string;
  action: string;
  error?: Error;
}

/**
 * One or more items of a batch operation failed. The other items were still applied; `results`
 * holds every item's outcome, in input order.
 */
export class StreamBatchError<R extends BatchItemResult = BatchItemResult> extends StreamsError {
  constructor(
    /** The operation, e.g. `ensureStreams`. */
    readonly operation: string,
    /** Every item's result, failed or not. */
    readonly results: R[],
  ) {
    const failed = results.filter((r) => r.error);
    super(`${operation}: ${failed.length} of ${results.length} failed: ` + failed.map((r) => `${r.name}: ${r.error?.message}`).join('; '));
  }

  /** Only the failed items. */
  get failures(): R[] {
    return this.results.filter((r) => r.error);
  }
}
