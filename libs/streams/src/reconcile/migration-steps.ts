import type { Logger } from '@nestjs/common';
import type { DataLossEstimate } from '../errors/stream-data-loss.error.js';
import { StreamMigrationError } from '../errors/stream-migration.error.js';
import type { ApiCaller } from '../jetstream/jetstream-api.js';
import { migrationStreamName } from '../migration/migration-marker.js';
import type { MigrationOutcome, StreamMigrator } from '../migration/stream-migrator.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { removed } from './loss-guard.js';
import type { Comparison } from './stream-decision.js';
import type { EnsureResult } from './stream-results.js';

/**
 * Migrations one ensure goes through at most: another instance's (finished or rolled back), then
 * its own; a stream that still calls for one after that is an error, never a loop.
 */
export const MAX_MIGRATIONS = 2;

/**
 * Carries out an ensure's `migrate` decision: runs the stream's migration (begins it when `begin`,
 * else finishes or waits for the one in progress). `migrations`: how many this ensure went
 * through already.
 * @throws StreamMigrationError when it was rolled back, or one ensure would go through too many
 */
export async function runMigration(
  migrator: Pick<StreamMigrator, 'run'>,
  { desired, diff }: Comparison,
  begin: boolean,
  migrations: number,
): Promise<MigrationOutcome> {
  if (migrations >= MAX_MIGRATIONS) {
    throw new StreamMigrationError(
      desired.name,
      desired.name,
      `it still calls for a migration after ${migrations} (${diff.changes.map((c) => c.field).join(', ')}); ensure it again`,
    );
  }
  const outcome = await migrator.run(desired, { operation: 'migrateStream', stream: desired.name }, begin);
  if (outcome.rolledBack) {
    throw new StreamMigrationError(
      desired.name,
      desired.name,
      `${outcome.rolledBack}; it was rolled back: the stream was built again from its copy with its previous config, and holds every message`,
    );
  }
  return outcome;
}

/** What a migration this ensure ran to its end reports: `migrated`, the consumers it kept and dropped, what it removed. */
export function migratedResult(
  { desired, diff, current }: Comparison,
  { info, kept, dropped }: MigrationOutcome,
  loss: DataLossEstimate | undefined,
): EnsureResult {
  const after = info as ServerStreamInfo;
  return {
    name: desired.name,
    action: 'migrated',
    changes: diff.changes,
    info: after,
    keptConsumers: kept,
    droppedConsumers: dropped,
    ...(loss ? { dataLoss: loss, removed: removed(current as ServerStreamInfo, after) } : {}),
  };
}

/**
 * Carries out a `migrating` decision, what a `create` or `verify` stream reports while a
 * migration is in progress: `migrating`, with what the migration's record says; nothing is
 * written. Reads the copy when the stream itself is absent (it then holds every message).
 */
export async function reportMigrating(
  {
    migrator,
    read,
    logger,
  }: { migrator: Pick<StreamMigrator, 'inProgress'>; read: (name: string) => Promise<ServerStreamInfo | null>; logger: Logger },
  { desired, diff, current }: Comparison,
  caller: ApiCaller,
): Promise<EnsureResult> {
  const copy = current ? null : await read(migrationStreamName(desired.name));
  const progress = await migrator.inProgress(desired.name, caller).catch(() => undefined);
  const holdingStream = current ? desired.name : migrationStreamName(desired.name);
  logger.warn(
    `Stream "${desired.name}" is being migrated${progress ? ` (${progress.phase}, instance ${progress.owner})` : ''}: ` +
      `its mode '${desired.policy.mode}' never takes part in a migration, so nothing was written; every message is in "${holdingStream}"`,
  );
  return {
    name: desired.name,
    action: 'migrating',
    changes: diff.changes,
    info: (current ?? copy) as ServerStreamInfo,
    migration: { ...(progress ?? {}), holdingStream },
  };
}
