import { normalizeStreamConfig } from './stream-config.js';
import { crossFieldProblem } from './stream-rules.js';

describe('crossFieldProblem', () => {
  const valid = normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'] }).config;

  it('finds nothing wrong with a valid config', () => {
    // Act
    const problem = crossFieldProblem(valid, ['orders.>']);

    // Assert
    expect(problem).toBeUndefined();
  });

  it.each<[string, Partial<typeof valid>, [string, string]]>([
    ['no subjects', { subjects: [] }, ['subjects', 'must list at least one subject (only mirrors and streams with sources may have none)']],
    [
      'a mirror with sources',
      { subjects: [], mirror: { name: 'a' }, sources: [{ name: 'b' }] },
      ['mirror', 'cannot be combined with sources'],
    ],
    [
      'a per-subject discard without a per-subject limit',
      { discard: 'new', discard_new_per_subject: true, max_msgs_per_subject: -1 },
      ['discard_new_per_subject', 'requires max_msgs_per_subject > 0, but it is unlimited'],
    ],
    [
      'delete markers with both flags off',
      { subject_delete_marker_ttl: 1e9, allow_msg_ttl: false, allow_rollup_hdrs: false },
      ['subject_delete_marker_ttl', 'needs message TTLs and roll-ups, but allow_msg_ttl and allow_rollup_hdrs is declared false'],
    ],
    [
      'roll-ups with purges denied',
      { allow_rollup_hdrs: true, deny_purge: true },
      ['allow_rollup_hdrs', 'is on, and roll-ups need purges, but deny_purge is true'],
    ],
    [
      'schedules with roll-ups declared off',
      { allow_msg_schedules: true, allow_rollup_hdrs: false },
      ['allow_msg_schedules', 'needs roll-ups, but allow_rollup_hdrs is declared false; leave it out or set it true'],
    ],
    [
      'schedules with discard new',
      { allow_msg_schedules: true, allow_rollup_hdrs: true, discard: 'new' },
      ['allow_msg_schedules', "cannot be combined with discard: 'new'"],
    ],
    [
      'schedules with purges denied',
      { allow_msg_schedules: true, allow_rollup_hdrs: true, deny_purge: true },
      ['allow_rollup_hdrs', 'is on (message schedules need it), and roll-ups need purges, but deny_purge is true'],
    ],
    [
      'a counter on a work queue',
      { allow_msg_counter: true, retention: 'workqueue' },
      ['allow_msg_counter', "needs retention 'limits', but it is 'workqueue'"],
    ],
    [
      'a counter with discard new',
      { allow_msg_counter: true, discard: 'new' },
      ['allow_msg_counter', "cannot be combined with discard: 'new'"],
    ],
    [
      'a counter with message TTLs',
      { allow_msg_counter: true, allow_msg_ttl: true },
      ['allow_msg_counter', 'cannot be combined with message TTLs (allow_msg_ttl, subject_delete_marker_ttl)'],
    ],
    [
      'a counter with schedules',
      { allow_msg_counter: true, allow_msg_schedules: true, allow_rollup_hdrs: true },
      ['allow_msg_counter', 'cannot be combined with allow_msg_schedules'],
    ],
    [
      'async persistence in memory',
      { persist_mode: 'async', storage: 'memory' },
      ['persist_mode', "'async' needs file storage, but storage is 'memory'"],
    ],
    [
      'async persistence on 3 replicas',
      { persist_mode: 'async', num_replicas: 3 },
      ['persist_mode', "'async' needs one replica, but num_replicas is 3"],
    ],
    [
      'async persistence with atomic batches',
      { persist_mode: 'async', allow_atomic: true },
      ['persist_mode', "'async' cannot be combined with allow_atomic"],
    ],
  ])('names %s', (_label, change, expected) => {
    // Act
    const problem = crossFieldProblem({ ...valid, ...change }, change.subjects);

    // Assert
    expect(problem).toEqual(expected);
  });
});
