import { StreamConfigConflictError } from '../errors/stream-config-conflict.error.js';
import { StreamDataLossError, type DataLossEstimate } from '../errors/stream-data-loss.error.js';
import { StreamDriftError } from '../errors/stream-drift.error.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import type { StreamDiff } from '../declaration/stream-diff.js';
import type { ConsumerPlanAction } from './stream-results.js';

/**
 * What the differing fields alone call for, within the declaration's `mode` and `onConflict`:
 * the comparison's part of a decision, which also tells what else must be read before deciding.
 */
export type Wanted = 'create' | 'unchanged' | 'update' | 'migrate' | 'recreate' | 'conflict' | 'drifted' | 'missing';

/** A declared stream next to what the server holds. */
export interface Comparison {
  desired: DesiredStream;
  /** The stream's info, or null when it does not exist. */
  current: ServerStreamInfo | null;
  /** Desired vs current, field by field (empty when the stream does not exist). */
  diff: StreamDiff;
  /** What the differing fields call for (see {@link wanted}). */
  wants: Wanted;
}

/** The first refusal among the declared consumers' decisions (a conflict, a `verify` drift, a loss). */
export interface ConsumerRefusal {
  action: ConsumerPlanAction;
  error: Error;
}

/**
 * Everything one decision is made on, read once per attempt: the comparison, then only what it
 * calls for (the migration state, the loss estimate, the declared consumers).
 */
export interface Facts {
  comparison: Comparison;
  /** A migration of the stream is in progress or was left unfinished. */
  migrating: boolean;
  /** What the write the comparison calls for would delete (a recreate: everything it holds); undefined: nothing. */
  loss?: DataLossEstimate;
  /** The first declared consumer that refuses, if any (read on the stream as it is, before any write). */
  consumerRefusal?: ConsumerRefusal;
}

/**
 * What reconciling calls for; `ensure*` carries it out, `plan*` reports it. An `error` is what
 * `ensure` rejects with (a `drifted` stream in `create` mode has none: it is reported, not
 * refused). `migrate` begins the declared migration (`begin`), or finishes or waits for the one in
 * progress; `migrating` reports one in progress that the stream's mode never takes part in.
 */
export type Decision =
  | { action: 'create' | 'unchanged' | 'update' | 'recreate' | 'migrating'; error?: undefined }
  | { action: 'migrate'; begin: boolean; error?: undefined }
  | { action: 'drifted'; error?: StreamDriftError }
  | { action: 'missing' | 'conflict' | 'data-loss' | ConsumerPlanAction; error: Error };

/** What a comparison's differing fields call for (no I/O); see {@link Wanted}. */
export function wanted(desired: DesiredStream, current: ServerStreamInfo | null, diff: StreamDiff): Wanted {
  const { mode, onConflict } = desired.policy;
  if (!current) return mode === 'verify' ? 'missing' : 'create';
  if (diff.changes.length === 0) return 'unchanged';
  if (mode !== 'manage') return 'drifted';
  if (diff.conflicts.length === 0) return 'update';
  return onConflict === 'fail' ? 'conflict' : onConflict;
}

/**
 * Decides, once per attempt and without any I/O, from everything read: a migration in progress
 * comes first (a `manage` stream finishes or waits for it; other modes report it and write
 * nothing), then a declared consumer's refusal (read on the stream as it is), then what the fields
 * call for, refused when it is a `verify` miss or drift, a conflict, or a loss the declaration
 * does not allow.
 */
export function decide({ comparison, migrating, loss, consumerRefusal }: Facts): Decision {
  const { desired, diff, wants } = comparison;
  const { mode, allowDataLoss } = desired.policy;
  if (migrating) return mode === 'manage' ? { action: 'migrate', begin: false } : { action: 'migrating' };
  if (consumerRefusal) return consumerRefusal;
  switch (wants) {
    case 'missing':
      return {
        action: 'missing',
        error: new StreamNotFoundError(desired.name, { detail: "it is declared with mode 'verify', so the library does not create it" }),
      };
    case 'drifted':
      return mode === 'verify' ? { action: 'drifted', error: new StreamDriftError(desired.name, diff.changes) } : { action: 'drifted' };
    case 'conflict':
      return { action: 'conflict', error: new StreamConfigConflictError(desired.name, diff.conflicts) };
    case 'migrate':
    case 'update':
      // A recreate needs allowDataLoss to be declared at all: its loss is never a refusal.
      if (loss && !allowDataLoss) return { action: 'data-loss', error: new StreamDataLossError(desired.name, loss) };
      return wants === 'migrate' ? { action: 'migrate', begin: true } : { action: 'update' };
    default:
      return { action: wants };
  }
}
