import { StreamConfigConflictError } from '../errors/stream-config-conflict.error.js';
import { StreamDriftError } from '../errors/stream-drift.error.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import type { StreamDiff } from '../declaration/stream-diff.js';

/** A declared stream next to what the server holds. */
export interface Comparison {
  desired: DesiredStream;
  /** The stream's info, or null when it does not exist. */
  current: ServerStreamInfo | null;
  /** Desired vs current, field by field (empty when the stream does not exist). */
  diff: StreamDiff;
}

/**
 * What reconciling a comparison calls for; `ensure*` carries it out, `plan*` reports it. An
 * `error` is what `ensure` rejects with (a `drifted` stream in `create` mode has none: it is
 * reported, not refused).
 */
export interface Decision {
  action: 'create' | 'unchanged' | 'update' | 'migrate' | 'recreate' | 'conflict' | 'drifted' | 'missing';
  error?: Error;
}

/**
 * Decides what a comparison calls for, without any I/O: within the declaration's `mode`, create a
 * missing stream, leave a matching one, update one whose differing fields can all change in place,
 * and for fields the server cannot change follow `onConflict` (a typed conflict unless it says
 * otherwise). Whether an update would delete messages is decided after this, on the stream's state.
 */
export function decide({ desired, current, diff }: Comparison): Decision {
  const { mode, onConflict } = desired.policy;
  if (!current) {
    if (mode !== 'verify') return { action: 'create' };
    return {
      action: 'missing',
      error: new StreamNotFoundError(desired.name, { detail: "it is declared with mode 'verify', so the library does not create it" }),
    };
  }
  if (diff.changes.length === 0) return { action: 'unchanged' };
  if (mode === 'verify') return { action: 'drifted', error: new StreamDriftError(desired.name, diff.changes) };
  if (mode === 'create') return { action: 'drifted' };
  if (diff.conflicts.length === 0) return { action: 'update' };
  if (onConflict === 'fail') return { action: 'conflict', error: new StreamConfigConflictError(desired.name, diff.conflicts) };
  return { action: onConflict };
}
