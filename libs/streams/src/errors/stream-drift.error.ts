import { StreamsError } from './streams.error.js';

/** One field whose value on the server differs from the declaration. */
export interface DriftedField {
  field: string;
  current: unknown;
  desired: unknown;
}

/**
 * A stream declared with `mode: 'verify'` differs from its declaration. The library never changes
 * such a stream: change the stream (or the declaration) by hand.
 */
export class StreamDriftError extends StreamsError {
  constructor(
    readonly stream: string,
    /** Each differing field, with the server's value and the declared one. */
    readonly changes: DriftedField[],
  ) {
    super(
      `Stream "${stream}" differs from its declaration (mode 'verify', so it was not changed): ` +
        changes.map((c) => `${c.field} ${JSON.stringify(c.current)} (declared ${JSON.stringify(c.desired)})`).join('; '),
    );
  }
}
