import { StreamsError } from './streams.error.js';

/** The outcome of one item of a batch; failed items carry their error. */
export interface BatchItemResult {
  name: string;
  action: string;
  error?: Error;
}

/** Failed items named in the message beyond the first, whose error it quotes. */
const NAMED = 5;

/**
 * One or more items of a batch operation failed. The other items were still applied; `results`
 * holds every item's outcome, in input order. The message quotes the first failure and names a
 * few more; `results` and `failures` hold the rest (they are not printed with the error, so a
 * failed start-up of 500 streams prints a few lines, not thousands).
 */
export class StreamBatchError<R extends BatchItemResult = BatchItemResult> extends StreamsError {
  /** Every item's result, failed or not. */
  declare readonly results: R[];

  constructor(
    /** The operation, e.g. `ensureStreams`. */
    readonly operation: string,
    results: R[],
  ) {
    super(batchMessage(operation, results));
    Object.defineProperty(this, 'results', { value: results, enumerable: false });
  }

  /** Only the failed items. */
  get failures(): R[] {
    return this.results.filter((r) => r.error);
  }
}

function batchMessage(operation: string, results: readonly BatchItemResult[]): string {
  const failed = results.filter((r) => r.error);
  const [first, ...others] = failed;
  const head = `${operation}: ${failed.length} of ${results.length} failed: ${first ? `${first.name}: ${first.error?.message}` : ''}`;
  if (others.length === 0) return head;
  const named = others.slice(0, NAMED).map((r) => r.name);
  return `${head}; and ${others.length} more (${named.join(', ')}${others.length > NAMED ? ', ...' : ''}): see the error's failures`;
}
