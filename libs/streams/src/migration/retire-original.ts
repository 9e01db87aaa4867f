import { StreamMigrationError } from '../errors/stream-migration.error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { consumersOf, probeReset, recordConsumers, recordsOn } from './consumer-copier.js';
import { findDownstream } from './migration-checks.js';
import { isHeld, sourcesCopy } from './migration-marker.js';
import type { MigrationRecord } from './migration-record.js';
import { SupersededError, type MigrationRun } from './migration-run.js';

/** The first version whose streams take a `first_seq` (numbering the copies). */
const FIRST_SEQ_FROM = '2.10.0';

/**
 * Moves everything of the intact original into the copy, then deletes the original. Each step
 * checks the server first and is skipped when done, so any instance can run it again after a crash:
 * 1. hold: the original captures only the hold subject (publishes fail visibly from now on);
 * 2. copy: wait until the copy holds every message of the original;
 * 3. record: every durable consumer is recorded on the copy, at its position mapped into the copy,
 *    and (once per migration) the server is asked whether it can move consumers;
 * 4. downstream: wait until every stream that sources or mirrors the original has read all of it;
 * 5. the record notes the new stream's `first_seq` (its copies end at the original's last
 *    sequence, 2.10+), the copy stops sourcing the original;
 * 6. on a fresh read that confirms 1 to 5, and that this run still owns the migration, the
 *    original is deleted.
 */
export async function retireOriginal(run: MigrationRun, record: MigrationRecord): Promise<void> {
  const stream = await run.mustInfo(run.name);
  if (!isHeld(stream.config)) {
    run.log(`holding: it captures "${record.hold}" only (publishes are refused until the new stream has its subjects)`);
    await run.ownRecord();
    await run.api.updateStream({ ...stream.config, subjects: [record.hold] }, run.caller);
  }
  await run.waitUntil(`copying into "${run.copyName}"`, run.name, async () => {
    const copy = await run.mustInfo(run.copyName);
    const original = await run.mustInfo(run.name);
    const link = copy.sources?.find((s) => s.name === run.name);
    const complete = copy.state.messages >= original.state.messages;
    if (!link && !complete) await run.api.updateStream({ ...copy.config, sources: [{ name: run.name }] }, run.caller);
    return {
      done: complete && (!link || link.lag === 0),
      progress: `${copy.state.messages} of ${original.state.messages} messages copied`,
    };
  });
  checkRoom(run, await run.mustInfo(run.copyName));
  run.log('copied; recording the consumers');
  const records = await recordConsumers(run, await run.mustInfo(run.copyName));
  const reset = record.reset ?? (records.length ? await probeReset(run, records[0]) : undefined);
  checkPlaceable(run, reset, records.length);
  await waitForDownstream(run);
  const original = await run.mustInfo(run.name);
  const firstSeq = run.spec.version.atLeast(FIRST_SEQ_FROM) ? original.state.last_seq + 1 - original.state.messages : undefined;
  await run.updateRecord({ phase: 'swapping', ...(reset === undefined ? {} : { reset }), ...(firstSeq === undefined ? {} : { firstSeq }) });
  const copy = await run.mustInfo(run.copyName);
  if (copy.config.sources?.length) await run.api.updateStream({ ...copy.config, sources: [] }, run.caller);
  await deleteOriginal(run);
}

/**
 * Refuses, while the original is intact, a target whose `max_bytes` cannot hold every copied
 * message: each carries a source header naming the copy in the new stream (a few bytes longer
 * than the copy's own, which names the original), so the server would delete the oldest.
 */
function checkRoom(run: MigrationRun, copy: ServerStreamInfo): void {
  const max = run.spec.target.max_bytes ?? -1;
  if (run.spec.allowLoss || max <= 0) return;
  const needed = copy.state.bytes + copy.state.messages * (run.copyName.length - run.name.length);
  if (needed <= max) return;
  throw new StreamMigrationError(
    run.name,
    run.name,
    `the new stream would hold about ${needed} bytes (each copied message carries a Nats-Stream-Source header) and its max_bytes is ${max}: ` +
      'the server would delete the oldest messages. Raise max_bytes, or set allowDataLoss: true on the stream. Nothing was lost: it was rolled back',
  );
}

/** Refuses a work-queue target whose consumers the server cannot move (it refuses them by_start_sequence). */
function checkPlaceable(run: MigrationRun, reset: boolean | undefined, consumers: number): void {
  if (run.spec.target.retention !== 'workqueue' || consumers === 0 || reset) return;
  throw new StreamMigrationError(
    run.name,
    run.name,
    'the server has no CONSUMER.RESET to move the durable consumers to their position on a work-queue stream (it refuses them with deliver_policy by_start_sequence). Nothing was lost: it was rolled back',
  );
}

/**
 * Waits until every stream of this JetStream that sources or mirrors the held original has read
 * all of it (`lag` 0): the new stream numbers its copies to end at the original's last sequence,
 * so they resume after it with what is published next.
 */
async function waitForDownstream(run: MigrationRun): Promise<void> {
  if (!run.spec.resumeDownstream) return;
  const downstream = await findDownstream(run.api, run.name, run.caller).catch(() => []);
  for (const { name, how } of downstream) {
    await run.waitUntil(`waiting for "${name}", which ${how} it, to read all of it`, run.name, async () => {
      const info = await run.info(name);
      const link = how === 'mirrors' ? info?.mirror : info?.sources?.find((s) => s.name === run.name);
      return { done: !info || !link || link.lag === 0, progress: `lag ${link?.lag}` };
    });
  }
}

/**
 * Deletes the original once a fresh read shows it held, copied, every durable consumer recorded
 * and the copy detached, and this run still owns the migration.
 */
async function deleteOriginal(run: MigrationRun): Promise<void> {
  const original = await run.mustInfo(run.name);
  const copy = await run.mustInfo(run.copyName);
  if (!isHeld(original.config) || sourcesCopy(original.config)) throw new SupersededError(run.name);
  if (copy.state.messages < original.state.messages || copy.config.sources?.length) throw new SupersededError(run.name);
  const recorded = new Set((await recordsOn(run)).map((r) => r.name));
  const { durable } = await consumersOf(run, run.name);
  // A durable consumer created meanwhile is recorded on the next pass.
  if (durable.some((c) => !recorded.has(c.name))) throw new SupersededError(run.name);
  await run.ownRecord();
  run.log(`deleting the original (its ${original.state.messages} messages and ${recorded.size} consumers are in "${run.copyName}")`);
  await run.api.deleteStream(run.name, run.caller);
}
