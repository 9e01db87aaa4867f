import { StreamsError } from './streams.error.js';

/** One field that the server cannot change in place. */
export interface FieldConflict {
  /** The config field, e.g. `storage`. */
  field: string;
  /** The value the stream has on the server. */
  current: unknown;
  /** The value the declaration asks for. */
  desired: unknown;
  /** Why it cannot be changed in place. */
  reason: string;
}

/**
 * The declared config differs from the stream on the server in fields the server cannot change in
 * place. Nothing was written: the stream keeps its messages and config. Use
 * `onConflict: 'migrate'` (keeps every message) or `'recreate'` with `allowDataLoss: true`.
 */
export class StreamConfigConflictError extends StreamsError {
  constructor(
    readonly stream: string,
    /** Each field that cannot be changed, with both values and the reason. */
    readonly conflicts: FieldConflict[],
  ) {
    super(
      `Stream "${stream}" cannot be updated in place: ` +
        conflicts.map((c) => `${c.field} ${fmt(c.current)} -> ${fmt(c.desired)} (${c.reason})`).join('; ') +
        `. The stream was left as it was. Declare onConflict: 'migrate' to move its messages to a new stream with the new config.`,
    );
  }
}

function fmt(value: unknown): string {
  return value === undefined ? 'unset' : JSON.stringify(value);
}
