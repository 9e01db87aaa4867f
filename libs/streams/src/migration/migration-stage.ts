import type { ServerStreamInfo } from '../server/server-stream.js';
import { isHeld, sourcesCopy, type MigrationMarker } from './migration-marker.js';
import type { MigrationRecord } from './migration-record.js';

/**
 * Who owns a migration, from one run's point of view: this run, another run that answers its
 * presence pings, one that does not answer (frozen, or cut off: never taken over), or one whose
 * connection the server has closed.
 */
export type OwnerState = 'me' | 'alive' | 'unresponsive' | 'gone';

/** What the server holds of a stream and its migration, as one run sees it. */
export interface MigrationView {
  /** The migration's record, or undefined when none is in progress. */
  record: MigrationRecord | undefined;
  /** The stream (the original, or the new one being built), or null when it does not exist. */
  stream: ServerStreamInfo | null;
  /** The temporary copy `<name>__migrating`, or null. */
  copy: ServerStreamInfo | null;
  /** The copy's marker; undefined when there is no copy or it holds none. */
  marker: MigrationMarker | undefined;
  /** Who owns the record's migration (meaningless without a record). */
  owner: OwnerState;
  /** Hash of this instance's target config. */
  target: string;
  /** Whether this instance wants the stream migrated (its declaration calls for it). */
  wanted: boolean;
}

/**
 * The next stage of a migration:
 * - `idle`: nothing in progress, nothing to do; the stream is reconciled as usual;
 * - `start`: record a migration, then create the copy with its marker;
 * - `wait`: another run owns the migration and its connection is open (it answers, or does not
 *   answer yet): never write, wait for it;
 * - `claim`: the owner's connection is closed: take the record over (compare-and-set);
 * - `foreign`: a stream named like the copy that is not this migration's (no marker of this
 *   library, or another migration's) while a migration needs the name: never touched, an error;
 * - `orphan`: the copy carries this library's marker but no record exists (the bucket or the
 *   record was removed by hand): nobody can tell who owns it, an error;
 * - `clear`: the record of a migration that has nothing left on the server (it never created its
 *   copy, or it finished): remove the record;
 * - `rollback`: the original is intact but the migration in progress has another target: give
 *   the original its subjects back, delete the copy;
 * - `retire`: the original is intact: hold it, copy it, record its consumers, delete it;
 * - `rebuild`: the original is gone or is already the new stream: create it from the copy (with
 *   the recorded target, or going back with the original's config), fill it, give it its
 *   subjects, place the consumers, delete the copy;
 * - `settle`: the copy is gone but the stream still looks mid-migration (it captures only its hold
 *   subject, or sources the copy): give it its subjects, drop that source, remove the record.
 */
export type MigrationStage =
  'idle' | 'start' | 'wait' | 'claim' | 'foreign' | 'orphan' | 'clear' | 'rollback' | 'retire' | 'rebuild' | 'settle';

/** Decides the next stage from what the server holds (no I/O). Every stage is safe to repeat. */
export function nextStage(view: MigrationView): MigrationStage {
  const { record, stream, copy, marker } = view;
  const midway = !!stream && (isHeld(stream.config) || sourcesCopy(stream.config));
  if (copy && (!marker || (record && marker.id !== record.id))) {
    // Someone else's stream that happens to have the copy's name: none of our business unless a
    // migration needs the name, or the stream looks mid-migration.
    return view.wanted || midway || record ? 'foreign' : 'idle';
  }
  if (!record) {
    if (copy) return 'orphan';
    if (midway) return 'settle';
    return view.wanted && stream ? 'start' : 'idle';
  }
  if (view.owner === 'alive' || view.owner === 'unresponsive') return 'wait';
  if (view.owner === 'gone') return 'claim';
  if (!copy) return midway ? 'settle' : 'clear';
  if (stream && !sourcesCopy(stream.config)) return record.targetHash === view.target ? 'retire' : 'rollback';
  return 'rebuild';
}
