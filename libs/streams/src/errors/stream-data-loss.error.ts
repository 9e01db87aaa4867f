import { StreamsError } from './streams.error.js';

/**
 * Why a field loses messages:
 * - `limit`: a lower `max_msgs`, `max_bytes`, `max_msgs_per_subject` or `max_age` (the default);
 * - `retention`: `retention` limits -> interest, which keeps only what a consumer still needs;
 * - `consumer-filter`: a consumer of an interest stream stops following subjects nobody else follows;
 * - `consumer-expiry`: an `inactive_threshold` lets the server delete a consumer of an interest
 *   stream, and with it every message only that consumer needed;
 * - `starved`: a new subject mapping (`subject_transform`, a source's transforms) stores new
 *   messages under subjects a consumer (or `republish`) no longer matches.
 */
export type DataLossKind = 'limit' | 'retention' | 'consumer-filter' | 'consumer-expiry' | 'starved';

/** One field whose declared value would make the server delete messages (see `DataLossEstimate`). */
export interface DataLossField {
  /** The config field, as the server names it (`max_msgs_per_subject`, `consumers.billing.inactive_threshold`). */
  field: string;
  current: unknown;
  desired: unknown;
  /** What the stream holds that the new value does not allow, in words. */
  held: string;
  /** Messages it deletes at once (or, for a change that only lets the server delete later, that it would delete then). */
  messages: number;
  bytes: number;
  /** Set when the value came from the module's `streamDefaults` or the library's defaults, not the declaration. */
  from?: 'streamDefaults' | 'library';
  /** Why it loses messages; absent for a limit. */
  kind?: DataLossKind;
  /** The consumer concerned (`consumer-*` and `starved`; `republish` for the stream's republish). */
  consumer?: string;
  /** The field as the declaration names it, where that differs: a bucket's `history` for `max_msgs_per_subject`. */
  declaredAs?: string;
}

/** A field that only a default set and that would change the stream (whether or not it loses messages). */
export interface DefaultedChange {
  field: string;
  current: unknown;
  desired: unknown;
  from: 'streamDefaults' | 'library';
}

/** What applying a declaration would delete. */
export interface DataLossEstimate {
  messages: number;
  bytes: number;
  /** False when the figures are estimates. */
  exact: boolean;
  fields: DataLossField[];
  /** The bucket the stream holds, when the declaration is a bucket's: its words are used. */
  bucket?: string;
  /**
   * On an existing stream, when a default lowers one of its limits: every field that only a
   * default set and that would change it, and `keep`, the declaration fields that keep the
   * stream's current values of all of them (spread it into the declaration).
   */
  defaults?: { changes: DefaultedChange[]; keep: Record<string, unknown> };
}

/**
 * Applying the declaration would make the server delete messages, now (a limit below what the
 * stream holds, a shorter max_age, limits -> interest, a consumer of an interest stream that stops
 * following subjects) or later (a limit a default lowers, an `inactive_threshold` on a consumer of
 * an interest stream, a subject mapping that a consumer no longer matches), and the declaration
 * does not allow it. Nothing was written. The message says what to declare to keep the messages;
 * `allowDataLoss: true` on that stream (or bucket) accepts the loss.
 */
export class StreamDataLossError extends StreamsError {
  constructor(
    readonly stream: string,
    /** Each field, its values, and what it would delete. */
    readonly loss: DataLossEstimate,
  ) {
    super(
      `${subjectOf(stream, loss)} was left as it was: applying its declaration would ${lossSummary(loss)}. ${lossAdvice(stream, loss)}`,
    );
  }
}

/** "Stream "orders"", or for a bucket "Bucket "sessions" (stream KV_sessions)". */
function subjectOf(stream: string, loss: DataLossEstimate): string {
  return loss.bucket === undefined ? `Stream "${stream}"` : `Bucket "${loss.bucket}" (stream ${stream})`;
}

/** The total and each field: `delete 30 messages (2.6 KiB): max_msgs -1 -> 10 deletes 30 of 40 messages`. */
function lossSummary(loss: DataLossEstimate): string {
  return `${lossHeadline(loss)}: ${loss.fields.map(describeLossField).join('; ')}`;
}

/**
 * What applying the declaration would do, after "would": `delete about 30 messages (2.6 KiB)`; for
 * a change that deletes nothing at once, `let the server delete messages it would otherwise keep`;
 * for a subject mapping alone, `stop consumers receiving new messages`.
 */
export function lossHeadline(loss: DataLossEstimate): string {
  if (loss.messages > 0) {
    const count = `${loss.exact ? '' : 'about '}${loss.messages} message${loss.messages === 1 ? '' : 's'}`;
    return `delete ${count} (${formatBytes(loss.bytes)})`;
  }
  if (loss.fields.every((f) => f.kind === 'starved')) return 'stop consumers receiving new messages';
  return 'let the server delete messages it would otherwise keep';
}

/** One field in words: `max_age 0 -> 3600000000000 (the library's default) deletes 20 of 20 messages, which ...`. */
export function describeLossField(f: DataLossField): string {
  const name = f.declaredAs ?? f.field;
  const origin = f.from === 'library' ? " (the library's default)" : f.from === 'streamDefaults' ? " (the module's streamDefaults)" : '';
  const change = `${name} ${show(f.current)} -> ${show(f.desired)}${origin}`;
  if (f.kind === 'starved') return `${change} ${f.held}`;
  return `${change} deletes ${f.messages === 0 ? 'none' : f.messages} of ${f.held}`;
}

/**
 * How to keep the messages, and how to accept the loss: what to declare to keep the current values
 * of every default that would change the stream, what keeps the messages each other field loses,
 * and `allowDataLoss: true` on the stream or bucket.
 */
export function lossAdvice(stream: string, loss: DataLossEstimate): string {
  const target = loss.bucket === undefined ? `stream "${stream}"` : `bucket "${loss.bucket}"`;
  const sentences: string[] = [];
  if (loss.defaults) {
    const changes = loss.defaults.changes.map((c) => `${c.field} ${show(c.current)} -> ${show(c.desired)}`).join(', ');
    sentences.push(
      `Defaults nobody declared on ${target} would change ${changes}: to keep its current values, declare ${declaration(loss.defaults.keep)} ` +
        'on it; to apply the defaults, declare them on it.',
    );
  }
  const ways: string[] = [];
  const kinds = new Set(loss.fields.filter((f) => !f.from).map((f) => f.kind ?? 'limit'));
  if (kinds.has('limit')) ways.push('raise the limit in the declaration');
  if (kinds.has('retention')) ways.push("keep retention 'limits' (or consume the messages first)");
  if (kinds.has('consumer-filter')) {
    ways.push(
      'keep the consumer following those subjects until it has acknowledged their messages, or declare another consumer that follows them',
    );
  }
  if (kinds.has('consumer-expiry'))
    ways.push("leave inactive_threshold out of a consumer the app declares (and out of an interest stream's consumer_limits)");
  if (kinds.has('starved')) {
    ways.push(
      'first ensure the consumers with filters that also match the new subjects (and republish.src with them), then change the mapping',
    );
  }
  const accept = `to accept the loss, set allowDataLoss: true on ${target}`;
  sentences.push(ways.length > 0 ? `To keep them, ${ways.join('; ')}; ${accept}` : `${accept.charAt(0).toUpperCase()}${accept.slice(1)}`);
  return sentences.join(' ');
}

/** The declaration fields of `keep` as they would be written: `{ max_age: '30d', max_msgs: -1 }`. */
function declaration(keep: Record<string, unknown>): string {
  const entries = Object.entries(keep).map(
    ([field, value]) => `${field}: ${typeof value === 'string' ? `'${value}'` : JSON.stringify(value)}`,
  );
  return `{ ${entries.join(', ')} }`;
}

/** A value in a message: unset as `unset`, the rest as JSON (durations in nanoseconds, as in `changes`). */
function show(value: unknown): string {
  return value === undefined ? 'unset' : JSON.stringify(value);
}

/** Bytes as people read them: `512 B`, `4.1 KiB`, `60.6 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
