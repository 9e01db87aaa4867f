import { formatDuration } from './duration.js';
import { show } from '../checks/values.js';
import type { DesiredStreamConfig } from './stream-fields.js';

/**
 * The rules between fields of a stream config that the server enforces, checked on a complete
 * desired config: the first one broken, as `[field, reason]`, or undefined when all hold.
 *
 * @param declaredSubjects the subjects as declared (unsorted), named in the error
 */
export function crossFieldProblem(c: DesiredStreamConfig, declaredSubjects: unknown): [string, string] | undefined {
  if (c.discard_new_per_subject && c.discard !== 'new') {
    return ['discard_new_per_subject', `requires discard: 'new', but discard is '${c.discard}'`];
  }
  if (c.discard_new_per_subject && c.max_msgs_per_subject <= 0) {
    return ['discard_new_per_subject', 'requires max_msgs_per_subject > 0, but it is unlimited'];
  }
  if (c.max_age !== 0 && c.duplicate_window > c.max_age) {
    const reason = `is ${formatDuration(c.duplicate_window)}, longer than max_age (${formatDuration(c.max_age)}); the server rejects that`;
    return ['duplicate_window', reason];
  }
  if (c.mirror && c.subjects.length > 0) {
    return ['subjects', `must be empty for a mirror of '${c.mirror.name}', got ${show(declaredSubjects)}`];
  }
  if (c.mirror && c.sources?.length) return ['mirror', 'cannot be combined with sources'];
  if (c.mirror && c.first_seq !== undefined) return ['first_seq', 'cannot be set on a mirror'];
  if (!c.mirror && !c.sources?.length && c.subjects.length === 0) {
    return ['subjects', 'must list at least one subject (only mirrors and streams with sources may have none)'];
  }
  const markers = (c.subject_delete_marker_ttl ?? 0) > 0;
  if (markers && c.mirror) return ['subject_delete_marker_ttl', 'cannot be set on a mirror'];
  if (markers && (c.allow_msg_ttl === false || !c.allow_rollup_hdrs)) {
    const off = (['allow_msg_ttl', 'allow_rollup_hdrs'] as const).filter((flag) => c[flag] === false);
    return ['subject_delete_marker_ttl', `needs message TTLs and roll-ups, but ${off.join(' and ')} is declared false`];
  }
  if (c.deny_purge && c.allow_rollup_hdrs) {
    const why = markers ? ' (delete markers need it)' : '';
    return ['allow_rollup_hdrs', `is on${why}, and roll-ups need purges, but deny_purge is true`];
  }
  return undefined;
}
