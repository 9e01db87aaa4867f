import { normalizeConsumers } from '../declaration/consumer-config.js';
import type { ServerConsumerInfo } from '../server/server-consumer.js';
import { ConsumerConfigConflictError } from '../errors/consumer-config-conflict.error.js';
import { ConsumerDriftError } from '../errors/consumer-drift.error.js';
import { decideConsumer, type ConsumerComparison } from './consumer-decision.js';

const consumer = normalizeConsumers('S', [{ durable_name: 'c' }], [])[0];
const current = { name: 'c', config: consumer.config } as ServerConsumerInfo;
const change = { field: 'max_deliver', current: -1, desired: 3 };
const conflict = { field: 'ack_policy', current: 'explicit', desired: 'none', reason: 'fixed' };

const missing: ConsumerComparison = { stream: 'S', desired: consumer, current: null, diff: { changes: [], conflicts: [] } };
const same: ConsumerComparison = { ...missing, current };
const drifted: ConsumerComparison = { ...same, diff: { changes: [change], conflicts: [] } };
const conflicting: ConsumerComparison = { ...same, diff: { changes: [change, conflict], conflicts: [conflict] } };

describe('decideConsumer', () => {
  it('manage: creates, leaves, updates, and refuses a conflict with a typed error', () => {
    expect(decideConsumer(missing, 'manage')).toEqual({ action: 'create' });
    expect(decideConsumer(same, 'manage')).toEqual({ action: 'unchanged' });
    expect(decideConsumer(drifted, 'manage')).toEqual({ action: 'update' });
    const refused = decideConsumer(conflicting, 'manage');
    expect(refused.action).toBe('conflict');
    expect(refused.error).toBeInstanceOf(ConsumerConfigConflictError);
    expect(refused.error).toMatchObject({ stream: 'S', consumer: 'c', conflicts: [conflict] });
  });

  it('create: creates a missing consumer, only reports a drifted or conflicting one', () => {
    expect(decideConsumer(missing, 'create')).toEqual({ action: 'create' });
    expect(decideConsumer(drifted, 'create')).toEqual({ action: 'drifted' });
    expect(decideConsumer(conflicting, 'create')).toEqual({ action: 'drifted' });
  });

  it('verify: refuses a missing or drifted consumer, never writes', () => {
    expect(decideConsumer(same, 'verify')).toEqual({ action: 'unchanged' });
    const absent = decideConsumer(missing, 'verify');
    expect(absent).toMatchObject({ action: 'missing', error: expect.any(ConsumerDriftError) });
    expect(absent.error).toMatchObject({ missing: true, changes: [] });
    expect(decideConsumer(drifted, 'verify').error).toMatchObject({ missing: false, changes: [change] });
  });
});
