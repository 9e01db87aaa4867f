import { apiLevelOf } from '../server/api-level.js';
import { consumerApiLevel, streamApiLevel } from './required-api-level.js';

describe('required API level', () => {
  it.each([
    ['2.9.10', 0],
    ['2.10.27', 0],
    ['2.11.0', 1],
    ['2.11.9', 1],
    ['2.12.3', 2],
    ['2.14.0', 4],
    ['2.15.1', 5],
  ])('a nats-server %s has API level %d', (version, level) => {
    expect(apiLevelOf(version)).toBe(level);
  });

  it.each<[string, Record<string, unknown>, { level: number; field: string; since: string } | undefined]>([
    ['fields of 2.10 and before', { max_age: 5e9, compression: 's2', metadata: { a: 'b' }, first_seq: 5 }, undefined],
    ['a 2.12 flag at the value the server holds without it', { allow_atomic: false, allow_msg_counter: false }, undefined],
    ['message TTLs', { allow_msg_ttl: true }, { level: 1, field: 'allow_msg_ttl', since: '2.11.0' }],
    ['delete markers', { subject_delete_marker_ttl: 5e9 }, { level: 1, field: 'subject_delete_marker_ttl', since: '2.11.0' }],
    ['atomic batches', { allow_atomic: true }, { level: 2, field: 'allow_atomic', since: '2.12.0' }],
    ['async persistence', { persist_mode: 'async' }, { level: 2, field: 'persist_mode', since: '2.12.0' }],
    ['fast batches with TTLs', { allow_msg_ttl: true, allow_batched: true }, { level: 4, field: 'allow_batched', since: '2.14.0' }],
    [
      'a durable source',
      { sources: [{ name: 'a' }, { name: 'b', consumer: { name: 'c', deliver_subject: 'd' } }] },
      { level: 4, field: 'sources', since: '2.14.0' },
    ],
    ['a plain source', { sources: [{ name: 'a' }] }, undefined],
  ])('a stream config with %s', (_what, config, need) => {
    expect(streamApiLevel({ name: 's', ...config })).toEqual(need);
  });

  it.each<[string, Record<string, unknown>, { level: number; field: string; since: string } | undefined]>([
    ['no newer field', { ack_policy: 'explicit', metadata: { a: 'b' } }, undefined],
    ['a pause to come', { pause_until: '2999-01-01T00:00:00Z' }, { level: 1, field: 'pause_until', since: '2.11.0' }],
    ['a pause already past', { pause_until: '2001-01-01T00:00:00Z' }, undefined],
    [
      'an overflow priority group',
      { priority_groups: ['g'], priority_policy: 'overflow' },
      { level: 1, field: 'priority_groups', since: '2.11.0' },
    ],
    [
      'a prioritized priority group',
      { priority_groups: ['g'], priority_policy: 'prioritized' },
      { level: 2, field: 'priority_policy', since: '2.12.0' },
    ],
  ])('a consumer config with %s', (_what, config, need) => {
    expect(consumerApiLevel({ durable_name: 'c', ...config })).toEqual(need);
  });
});
