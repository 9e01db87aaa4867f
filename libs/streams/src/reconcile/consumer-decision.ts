import type { DesiredConsumer } from '../declaration/consumer-config.js';
import type { ConsumerDiff } from '../declaration/consumer-diff.js';
import type { ServerConsumerInfo } from '../server/server-consumer.js';
import type { StreamMode } from '../declaration/stream-declaration.js';
import { ConsumerConfigConflictError } from '../errors/consumer-config-conflict.error.js';
import { ConsumerDriftError } from '../errors/consumer-drift.error.js';
import type { ConsumerPlanAction } from './stream-results.js';

/** A declared consumer next to what the server holds. */
export interface ConsumerComparison {
  /** The stream it belongs to. */
  stream: string;
  desired: DesiredConsumer;
  /** The consumer's info, or null when it does not exist. */
  current: ServerConsumerInfo | null;
  /** Desired vs current, field by field (empty when it does not exist). */
  diff: ConsumerDiff;
}

/** What reconciling a consumer calls for; an `error` is what `ensure` rejects with. */
export interface ConsumerDecision {
  action: ConsumerPlanAction;
  error?: Error;
}

/**
 * Decides what a consumer comparison calls for, without any I/O, within the stream's `mode`:
 * create a missing consumer, leave a matching one, update one whose differing fields can all change
 * in place, and refuse one the server cannot change in place with a typed conflict. `'create'`
 * mode creates missing consumers and only reports drifted ones; `'verify'` mode refuses both.
 */
export function decideConsumer({ stream, desired, current, diff }: ConsumerComparison, mode: StreamMode): ConsumerDecision {
  if (!current) {
    if (mode !== 'verify') return { action: 'create' };
    return { action: 'missing', error: new ConsumerDriftError(stream, desired.name, [], true) };
  }
  if (diff.changes.length === 0) return { action: 'unchanged' };
  if (mode === 'verify') return { action: 'drifted', error: new ConsumerDriftError(stream, desired.name, diff.changes, false) };
  if (mode === 'create') return { action: 'drifted' };
  if (diff.conflicts.length > 0)
    return { action: 'conflict', error: new ConsumerConfigConflictError(stream, desired.name, diff.conflicts) };
  return { action: 'update' };
}
