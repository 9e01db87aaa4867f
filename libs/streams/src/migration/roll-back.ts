import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import { isHeld, sourcesCopy } from './migration-marker.js';
import type { MigrationRecord } from './migration-record.js';
import { SupersededError, type MigrationRun } from './migration-run.js';

/**
 * Undoes a migration whose original is intact: gives the original its subjects back, deletes the
 * copy (the original still holds every message and its own consumers), and removes the record.
 * Each write is preceded by a fresh check that this run still owns the migration.
 */
export async function rollBack(run: MigrationRun, record: MigrationRecord): Promise<void> {
  const stream = await run.info(run.name);
  if (!stream || sourcesCopy(stream.config)) throw new SupersededError(run.name);
  if (isHeld(stream.config)) {
    run.log(`rolling back: giving the original its subjects back (${record.subjects.join(', ')})`);
    await run.ownRecord();
    await run.api.updateStream({ ...stream.config, subjects: record.subjects }, run.caller);
  }
  if (await run.info(run.copyName)) {
    run.log(`rolling back: deleting "${run.copyName}" (the original holds every message)`);
    await run.ownRecord();
    await run.api.deleteStream(run.copyName, run.caller).catch((err: unknown) => {
      if (!(err instanceof StreamNotFoundError)) throw err;
    });
  }
  await run.clearRecord();
}
