import type { ServerStreamInfo } from '../server/server-stream.js';
import type { ApiCaller } from '../jetstream/jetstream-api.js';
import type { StreamPlan } from './stream-results.js';
import type { StreamMigrator } from '../migration/stream-migrator.js';

/**
 * Adds to a plan what a migration or a recreate does to the stream's consumers, and a migration
 * found in progress (which `ensure` finishes or waits for, so it plans `migrate`). Costs one
 * CONSUMER.LIST for a `migrate` or `recreate` plan, one STREAM.INFO of the copy for a stream found
 * mid-migration or planned to be written (unless `listed` is given), nothing otherwise.
 */
export async function describeMigration(
  migrator: StreamMigrator,
  plan: StreamPlan,
  current: ServerStreamInfo | null,
  caller: ApiCaller,
  listed?: ReadonlyMap<string, unknown>,
): Promise<StreamPlan> {
  const writes = plan.action === 'create' || plan.action === 'update' || plan.action === 'recreate';
  if (plan.action !== 'invalid' && (await migrator.pending(plan.name, current, caller, writes, listed))) {
    const marker = await migrator.inProgress(plan.name, caller);
    const note = marker
      ? `a migration of this stream is in progress (${marker.phase}, instance ${marker.owner}): ensuring it waits for that instance, or finishes the migration if the instance is gone`
      : 'the stream was left mid-migration (it captures only its hold subject or sources its temporary copy): ensuring it gives it its subjects back';
    return { ...plan, action: 'migrate', notes: [note] };
  }
  if (!current || (plan.action !== 'migrate' && plan.action !== 'recreate')) return plan;
  const { durable, ephemeral } = await migrator.consumers(plan.name, caller);
  if (plan.action === 'recreate') {
    const dropped = [...durable, ...ephemeral];
    return {
      ...plan,
      droppedConsumers: dropped,
      notes: dropped.length ? [`recreating deletes every consumer: ${dropped.join(', ')}`] : [],
    };
  }
  const notes = ['durable consumers are recreated on the new stream at their position (unacknowledged messages are delivered again)'];
  if (ephemeral.length) notes.push(`ephemeral consumers cannot survive a migration and are dropped: ${ephemeral.join(', ')}`);
  return { ...plan, keptConsumers: durable, droppedConsumers: ephemeral, notes };
}
