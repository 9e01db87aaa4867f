import type { FieldConflict } from '../errors/stream-config-conflict.error.js';
import type { DataLossEstimate } from '../errors/stream-data-loss.error.js';
import type { ServerStreamInfo as StreamInfo } from '../server/server-stream.js';
import type { FieldChange } from '../declaration/stream-diff.js';

/**
 * What `ensureStream` did. `drifted`: the stream differs from its declaration but its `mode`
 * (`'create'`) forbids updates, so it was left as it was (the changes say how it differs).
 * `migrating`: a migration of the stream is in progress (or was left unfinished) and the stream's
 * `mode` (`'create'` or `'verify'`) forbids taking part in it: nothing was written.
 */
export type EnsureAction = 'created' | 'updated' | 'unchanged' | 'migrated' | 'recreated' | 'drifted' | 'migrating';

/** Messages and bytes a write removed (before minus after; publishes in between blur it). */
export interface RemovedMessages {
  messages: number;
  bytes: number;
}

/** The outcome of ensuring one stream. */
export interface EnsureResult {
  name: string;
  action: EnsureAction;
  /** Each field that differed, with the server's old value and the declared one. */
  changes: FieldChange[];
  /** The stream's info as the server answered after the operation. */
  info: StreamInfo;
  /** With `allowDataLoss`: what the declaration was expected to delete, field by field. */
  dataLoss?: DataLossEstimate;
  /** With `allowDataLoss`: what the write removed. */
  removed?: RemovedMessages;
  /** `migrated`: the durable consumers recreated on the new stream at their position. */
  keptConsumers?: string[];
  /** `migrated`: the ephemeral consumers, which cannot survive; `recreated`: every consumer. */
  droppedConsumers?: string[];
  /** Each declared consumer, in declaration order (only when the declaration lists `consumers`). */
  consumers?: ConsumerEnsureResult[];
  /**
   * `migrating`: the migration in progress, as its record says (phase, owning instance; absent
   * when the record cannot be read), and the stream that holds every message now.
   */
  migration?: { phase?: string; owner?: string; holdingStream: string };
}

/**
 * What ensuring did to one declared consumer. `drifted`: it differs from its declaration but the
 * stream's `mode` (`'create'`) forbids updates, so it was left as it was.
 */
export type ConsumerEnsureAction = 'created' | 'updated' | 'unchanged' | 'drifted';

/** The outcome of ensuring one declared consumer. */
export interface ConsumerEnsureResult {
  /** The durable name. */
  name: string;
  action: ConsumerEnsureAction;
  /** Each field that differed, with the server's old value and the declared one (empty for `created`). */
  changes: FieldChange[];
}

/**
 * What ensuring would do to one declared consumer: `conflict` (a field the server cannot change),
 * `data-loss` (an update the server would answer by deleting messages, e.g. a narrower filter on an
 * interest stream, without `allowDataLoss`), `drifted` (differs, but the stream's mode forbids changing it), `missing` (a `verify` stream's
 * consumer that does not exist).
 */
export type ConsumerPlanAction = 'create' | 'update' | 'unchanged' | 'conflict' | 'data-loss' | 'drifted' | 'missing';

/** A dry-run result for one declared consumer: nothing was written. */
export interface ConsumerPlan {
  /** The durable name. */
  name: string;
  action: ConsumerPlanAction;
  /** Every differing field, conflicting ones included. */
  changes: FieldChange[];
  /** The differing fields the server cannot change in place. */
  conflicts: FieldConflict[];
  /** For `conflict`, `missing` and a `verify` stream's `drifted`: the error `ensure*` would raise. */
  error?: Error;
}

/** One item of `ensureStreams`: an {@link EnsureResult}, or `failed` with its error. */
export type EnsureBatchResult =
  | (EnsureResult & { error?: undefined })
  | { name: string; action: 'failed'; changes: FieldChange[]; error: Error; info?: undefined; consumers?: undefined };

/**
 * What `ensure*` would do for one stream, as reported by `planStream(s)`: `data-loss` (refused:
 * it would delete messages and the declaration does not allow it), `drifted` (differs, but its mode
 * forbids changing it), `missing` (a `verify` stream that does not exist), `migrating` (a
 * migration is in progress and the stream's mode, `'create'` or `'verify'`, forbids taking part),
 * `offline` (the server holds the stream but has it offline, 2.12+: never created again nor
 * changed; `error` is the `StreamOfflineError` that `ensure*` raises).
 */
export type PlanAction =
  | 'create'
  | 'update'
  | 'unchanged'
  | 'migrate'
  | 'recreate'
  | 'conflict'
  | 'invalid'
  | 'data-loss'
  | 'drifted'
  | 'missing'
  | 'migrating'
  | 'offline';

/** A dry-run result: nothing was written. */
export interface StreamPlan {
  name: string;
  action: PlanAction;
  /** Every differing field, conflicting ones included. */
  changes: FieldChange[];
  /** The differing fields the server cannot change in place. */
  conflicts: FieldConflict[];
  /** For `invalid`, `conflict`, `data-loss`, `missing`, `offline` and a `verify` stream's `drifted`: the error `ensure*` would raise. */
  error?: Error;
  /** What the change would delete: for `data-loss`, and for an update, migration or recreate that `allowDataLoss` permits. */
  dataLoss?: DataLossEstimate;
  /** `migrate`: the durable consumers that would be recreated on the new stream at their position. */
  keptConsumers?: string[];
  /** `migrate`: the ephemeral consumers, which cannot survive; `recreate`: every consumer. */
  droppedConsumers?: string[];
  /** `migrate` / `recreate`: what happens to the consumers, or the migration found in progress. */
  notes?: string[];
  /**
   * Each declared consumer, in declaration order (only when the declaration lists `consumers`).
   * When the stream itself would be applied but a consumer would fail, the plan's `action` and
   * `error` are that consumer's.
   */
  consumers?: ConsumerPlan[];
}

/** The outcome of deleting one stream in `deleteStreams`. */
export interface DeleteBatchResult {
  name: string;
  action: 'deleted' | 'not-found' | 'failed';
  error?: Error;
}

/** Which messages `purgeStream` removes. Without options it removes every message. */
export interface PurgeOptions {
  /** Only messages on this subject (wildcards allowed). */
  filter?: string;
  /** Remove messages below this sequence (not with `keep`). */
  seq?: number;
  /** Keep the newest N messages (of `filter`, when given). */
  keep?: number;
}
