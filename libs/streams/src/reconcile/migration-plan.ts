import { StreamMigrationError } from '../errors/stream-migration.error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import type { ApiCaller } from '../jetstream/jetstream-api.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import type { Decision } from './stream-decision.js';
import type { StreamPlan } from './stream-results.js';
import type { StreamMigrator } from '../migration/stream-migrator.js';

/**
 * Adds to a plan what a migration or a recreate does to the stream's consumers, what would refuse
 * a migration before it starts (the error `ensure` would raise), and a migration found in
 * progress (which `ensure` finishes or waits for, so it plans `migrate`; a `create` or `verify`
 * stream plans `migrating`: it never takes part). Costs one read of the migration's record for a
 * migration in progress, one CONSUMER.LIST for a `migrate` or `recreate` plan (and one STREAM.LIST
 * for a `migrate` one, to find the streams that source or mirror it), nothing otherwise. Writes
 * nothing.
 */
export async function describeMigration(
  migrator: StreamMigrator,
  plan: StreamPlan,
  decision: Decision,
  desired: DesiredStream,
  current: ServerStreamInfo | null,
  caller: ApiCaller,
): Promise<StreamPlan> {
  if (decision.action === 'migrating' || (decision.action === 'migrate' && !decision.begin)) {
    const marker = await migrator.inProgress(plan.name, caller).catch(() => undefined);
    const found = marker
      ? `a migration of this stream is in progress (${marker.phase}, instance ${marker.owner})`
      : 'the stream was left mid-migration';
    const mode = desired.policy.mode;
    const note =
      mode === 'manage'
        ? `${found}: ensuring it waits for the instance that owns it, or takes it over once the server has closed that instance's connection`
        : `${found}: its mode '${mode}' never takes part, so ensuring it writes nothing and reports it as migrating`;
    return { ...plan, notes: [note] };
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
  notes.push('streams of other accounts or JetStream domains that source or mirror it cannot be seen from here');
  const refusal = await migrator.refusal(desired, current, caller);
  const refused = refusal instanceof StreamMigrationError ? { error: refusal } : {};
  return { ...plan, ...refused, keptConsumers: durable, droppedConsumers: ephemeral, notes };
}
