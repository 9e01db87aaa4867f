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
  if (c.allow_msg_schedules && c.allow_rollup_hdrs === false) {
    return ['allow_msg_schedules', 'needs roll-ups, but allow_rollup_hdrs is declared false; leave it out or set it true'];
  }
  if (c.allow_msg_schedules && c.discard === 'new') return ['allow_msg_schedules', "cannot be combined with discard: 'new'"];
  if (c.deny_purge && c.allow_rollup_hdrs) {
    const why = markers ? ' (delete markers need it)' : c.allow_msg_schedules ? ' (message schedules need it)' : '';
    return ['allow_rollup_hdrs', `is on${why}, and roll-ups need purges, but deny_purge is true`];
  }
  return counterProblem(c) ?? persistProblem(c);
}

/** What the server refuses on a counter stream (`allow_msg_counter`). */
function counterProblem(c: DesiredStreamConfig): [string, string] | undefined {
  if (!c.allow_msg_counter) return undefined;
  if (c.retention !== 'limits') return ['allow_msg_counter', `needs retention 'limits', but it is '${c.retention}'`];
  if (c.discard === 'new') return ['allow_msg_counter', "cannot be combined with discard: 'new'"];
  if (c.allow_msg_ttl || (c.subject_delete_marker_ttl ?? 0) > 0) {
    return ['allow_msg_counter', 'cannot be combined with message TTLs (allow_msg_ttl, subject_delete_marker_ttl)'];
  }
  if (c.allow_msg_schedules) return ['allow_msg_counter', 'cannot be combined with allow_msg_schedules'];
  return undefined;
}

/** What the server refuses with `persist_mode: 'async'`. */
function persistProblem(c: DesiredStreamConfig): [string, string] | undefined {
  if (c.persist_mode !== 'async') return undefined;
  if (c.storage !== 'file') return ['persist_mode', `'async' needs file storage, but storage is '${c.storage}'`];
  if (c.num_replicas > 1) return ['persist_mode', `'async' needs one replica, but num_replicas is ${c.num_replicas}`];
  if (c.allow_atomic) return ['persist_mode', "'async' cannot be combined with allow_atomic"];
  return undefined;
}
