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
  ])('names %s', (_label, change, expected) => {
    // Act
    const problem = crossFieldProblem({ ...valid, ...change }, change.subjects);

    // Assert
    expect(problem).toEqual(expected);
  });
});
