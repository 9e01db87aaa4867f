import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { StreamConfigConflictError } from '../errors/stream-config-conflict.error.js';
import { StreamDataLossError } from '../errors/stream-data-loss.error.js';
import type { EnsureBatchResult } from '../reconcile/stream-results.js';

/**
 * What one reconciliation did, as the `outcome` attribute of the reconciliations counter: the
 * result's action (`created`, `updated`, `unchanged`, `migrated`, `recreated`, ...), or why it
 * failed: `conflict` (a field the server cannot change), `data-loss` (a change that would delete
 * messages, refused), `invalid` (the declaration), `failed` (anything else).
 */
export function reconcileOutcome(result: EnsureBatchResult): string {
  if (result.action !== 'failed') return result.action;
  const { error } = result;
  if (error instanceof StreamConfigConflictError) return 'conflict';
  if (error instanceof InvalidStreamConfigError) return 'invalid';
  if (error instanceof StreamDataLossError) return 'data-loss';
  return 'failed';
}
