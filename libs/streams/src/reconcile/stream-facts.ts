import type { ServerStreamInfo } from '../server/server-stream.js';
import type { ApiCaller } from '../jetstream/jetstream-api.js';
import type { StreamMigrator } from '../migration/stream-migrator.js';
import type { ConsumerReconciler, ConsumerWork } from './consumer-reconciler.js';
import type { LossGuard } from './loss-guard.js';
import type { Comparison, Facts } from './stream-decision.js';

/** What one attempt read: the facts its decision is made on, and the declared consumers' decisions it carries out. */
export interface Reading {
  facts: Facts;
  /** Undefined when the declaration lists no consumers; none read where the write replaces them or a migration is in progress. */
  consumers?: ConsumerWork;
}

/** The services an attempt reads with (each reads only, never writes). */
export interface FactSources {
  migrator: StreamMigrator;
  guard: LossGuard;
  consumers: ConsumerReconciler;
}

/**
 * Reads what the comparison calls for, and nothing else:
 * - whether a migration of the stream is in progress: the stream's own info tells when it is held
 *   or sources its copy; the copy `<name>__migrating` is read (unless `listed`, every stream of a
 *   list call, holds the answer) only before a create, an update or a recreate, or a `create` or
 *   `verify` stream's report of a missing or drifted stream: an absent stream is what a migration
 *   looks like between deleting the original and creating the new one, and an original whose
 *   migration has begun looks ordinary until it is held. A migration the declaration calls for
 *   is not looked for here: its run finishes or waits for one in progress first;
 * - what the write would delete (see `LossGuard.estimate`), unless a migration is in progress;
 * - the declared consumers of a stream that the write keeps, unless a migration is in progress.
 */
export async function readFacts(
  { migrator, guard, consumers }: FactSources,
  comparison: Comparison,
  caller: ApiCaller,
  listed?: ReadonlyMap<string, ServerStreamInfo>,
): Promise<Reading> {
  const { desired, current, wants } = comparison;
  const writes = wants === 'create' || wants === 'update' || wants === 'recreate';
  const readCopy = desired.policy.mode === 'manage' ? writes : wants !== 'unchanged';
  const migrating = wants !== 'migrate' && (await migrator.pending(desired.name, current, caller, readCopy, listed));
  const loss = migrating ? undefined : await guard.estimate(comparison, caller);
  const work = await consumers.check(desired, migrating || wants === 'recreate' ? null : current, caller);
  return { facts: { comparison, migrating, loss, consumerRefusal: consumers.refusal(work) }, consumers: work };
}
