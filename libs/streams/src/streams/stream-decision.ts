import { StreamConfigConflictError } from '../errors/stream-config-conflict.error.js';
import type { ServerStreamInfo } from '../jetstream/api-types.js';
import type { DesiredStream } from './stream-config.js';
import type { StreamDiff } from './stream-diff.js';
import type { PlanAction } from './stream-results.js';

/** A declared stream next to what the server holds. */
export interface Comparison {
  desired: DesiredStream;
  /** The stream's info, or null when it does not exist. */
  current: ServerStreamInfo | null;
  /** Desired vs current, field by field (empty when the stream does not exist). */
  diff: StreamDiff;
}

/** What reconciling a comparison calls for; `ensure*` carries it out, `plan*` reports it. */
export type Decision =
  | { action: 'create' | 'unchanged' | 'update' | 'migrate' | 'recreate' }
  | { action: 'conflict'; error: Error };

/**
 * Decides what a comparison calls for, without any I/O: create a missing stream, leave a matching
 * one, update one whose differing fields can all change in place, and for fields the server cannot
 * change, follow the declaration's `onConflict` (a typed conflict unless it says otherwise).
 */
export function decide({ desired, current, diff }: Comparison): Decision {
  if (!current) return { action: 'create' };
  if (diff.changes.length === 0) return { action: 'unchanged' };
  if (diff.conflicts.length === 0) return { action: 'update' };
  const { onConflict } = desired.policy;
  if (onConflict === 'fail') return { action: 'conflict', error: new StreamConfigConflictError(desired.name, diff.conflicts) };
  return { action: onConflict };
}

/** The plan action of a decision. */
export function planAction(decision: Decision): PlanAction {
  return decision.action;
}
