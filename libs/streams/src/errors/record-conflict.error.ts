import { StreamsError } from './streams.error.js';

/**
 * A conditional write of a coordination record lost: the record was created, changed or removed by
 * someone else since it was read (the server refused the write: "wrong last sequence"). Whoever
 * gets it reads the record again and decides anew.
 */
export class RecordConflictError extends StreamsError {
  constructor(
    /** The key-value bucket. */
    readonly bucket: string,
    /** The record's key. */
    readonly key: string,
    /** The revision the write expected (0: none). */
    readonly expectedRevision: number,
    options: { cause?: unknown; errCode?: number } = {},
  ) {
    super(`Record "${key}" of bucket "${bucket}" changed since revision ${expectedRevision}: the write was refused`, options);
  }
}
