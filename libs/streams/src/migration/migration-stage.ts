import type { ServerStreamInfo } from '../server/server-stream.js';
import { isHeld, migratingCopyOf, sourcesCopy, type MigrationMarker } from './migration-marker.js';

/** Whether the instance that owns a migration is this one, another live one, or gone. */
export type OwnerState = 'me' | 'alive' | 'gone';

/** What the server holds of a stream and its migration, as one instance sees it. */
export interface MigrationView {
  /** The stream (the original, or the new one being built), or null when it does not exist. */
  stream: ServerStreamInfo | null;
  /** The temporary copy `<name>__migrating`, or null. */
  copy: ServerStreamInfo | null;
  /** The copy's marker; undefined when there is no copy or it holds none. */
  marker: MigrationMarker | undefined;
  /** Who owns the marker's migration (meaningless without a marker). */
  owner: OwnerState;
  /** Hash of this instance's target config. */
  target: string;
  /** Whether this instance wants the stream migrated (its declaration calls for it). */
  wanted: boolean;
}

/**
 * The next stage of a migration:
 * - `idle`: nothing in progress, nothing to do; the stream is reconciled as usual;
 * - `start`: begin a migration (create the copy with its marker);
 * - `wait`: another live instance is migrating the stream: never write, wait for it;
 * - `claim`: the owner is gone: take the marker over;
 * - `foreign`: a stream named like the copy exists without a marker while a migration needs the
 *   name or the stream looks mid-migration: not ours, never touched (an error says so);
 * - `rollback`: the original is intact but the migration in progress has another target: give
 *   the original its subjects back and delete the copy;
 * - `retire`: the original is intact: hold it, copy it, record its consumers, delete it;
 * - `rebuild`: the original is gone or is already the new stream: create it, fill it from the
 *   copy, give it its subjects, place the consumers, delete the copy;
 * - `settle`: the copy is gone but the stream still looks mid-migration (it captures only its hold
 *   subject, or sources the copy): give it its subjects and drop that source.
 */
export type MigrationStage = 'idle' | 'start' | 'wait' | 'claim' | 'foreign' | 'rollback' | 'retire' | 'rebuild' | 'settle';

/** Decides the next stage from what the server holds (no I/O). Every stage is safe to repeat. */
export function nextStage(view: MigrationView): MigrationStage {
  const { stream, copy, marker } = view;
  if (!copy) {
    if (stream && (isHeld(stream.config) || sourcesCopy(stream.config))) return 'settle';
    return view.wanted && stream ? 'start' : 'idle';
  }
  if (!marker || marker.stream !== migratingCopyOf(copy.config.name)) {
    // Someone else's stream that happens to have the copy's name: none of our business unless a
    // migration needs the name, or the stream looks mid-migration.
    const midway = stream && (isHeld(stream.config) || sourcesCopy(stream.config));
    return view.wanted || midway ? 'foreign' : 'idle';
  }
  if (view.owner === 'alive') return 'wait';
  if (view.owner === 'gone') return 'claim';
  if (stream && !sourcesCopy(stream.config)) return marker.target === view.target ? 'retire' : 'rollback';
  return 'rebuild';
}
