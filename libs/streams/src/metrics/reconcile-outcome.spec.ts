import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { StreamConfigConflictError } from '../errors/stream-config-conflict.error.js';
import { StreamDataLossError } from '../errors/stream-data-loss.error.js';
import type { ServerStreamInfo as StreamInfo } from '../server/server-stream.js';
import type { EnsureBatchResult } from '../reconcile/stream-results.js';
import { reconcileOutcome } from './reconcile-outcome.js';

const failed = (error: Error): EnsureBatchResult => ({ name: 'orders', action: 'failed', changes: [], error });

describe('reconcileOutcome', () => {
  it.each(['created', 'updated', 'unchanged', 'migrated', 'recreated', 'drifted'] as const)(
    'is the action %s for a result that succeeded',
    (action) => {
      expect(reconcileOutcome({ name: 'orders', action, changes: [], info: {} as StreamInfo })).toBe(action);
    },
  );

  it('names conflicts, invalid declarations and data-loss refusals, and other failures failed', () => {
    const conflict = new StreamConfigConflictError('orders', [
      { field: 'storage', current: 'file', desired: 'memory', reason: 'immutable' },
    ]);
    const dataLoss = new StreamDataLossError('orders', { messages: 30, bytes: 3_000, exact: true, fields: [] });

    expect(reconcileOutcome(failed(conflict))).toBe('conflict');
    expect(reconcileOutcome(failed(new InvalidStreamConfigError('orders', 'max_age', 'is negative')))).toBe('invalid');
    expect(reconcileOutcome(failed(dataLoss))).toBe('data-loss');
    expect(reconcileOutcome(failed(new Error('timeout')))).toBe('failed');
  });
});
