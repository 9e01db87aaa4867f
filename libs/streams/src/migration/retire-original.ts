import { randomBytes } from 'node:crypto';
import { ErrCode } from '../errors/err-codes.js';
import { StreamMigrationError } from '../errors/stream-migration.error.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import { errCodeOf } from '../errors/to-streams-error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { checkRecordable, consumersOf, probeReset, recordConsumers, recordsOn } from './consumer-copier.js';
import { encodeMarker, holdSubject, isHeld, sourcesCopy, type MigrationMarker } from './migration-marker.js';
import { SupersededError, type MigrationRun } from './migration-run.js';

/**
 * Begins a migration of `stream`: checks what would make it fail (an interest target, a mirror, an
 * original that sources other streams, a marker or a consumer config too large to record), then creates the temporary copy, sourcing the
 * original, with the marker in its description. Nothing of the original changes here. Returns the
 * ephemeral consumers, which cannot survive. When another instance created the copy first, the run
 * goes back to deciding (and waits for it).
 * @throws StreamMigrationError when the migration cannot be done; nothing was changed
 */
export async function startMigration(run: MigrationRun, stream: ServerStreamInfo): Promise<string[]> {
  const { target } = run;
  if (target.retention === 'interest') {
    throw new StreamMigrationError(
      run.name,
      run.name,
      'an interest stream keeps messages only while a consumer needs them, and the new stream has no consumers while it fills: messages would be dropped. Nothing was changed',
    );
  }
  if (stream.config.mirror || target.mirror) {
    throw new StreamMigrationError(run.name, run.name, 'a mirror cannot be migrated through a sourced copy. Nothing was changed');
  }
  if (stream.config.sources?.length) {
    // Its sources would keep adding messages to the held original, and the new stream would copy
    // them all again (a copy of a copy loses the first header, so the server cannot resume).
    throw new StreamMigrationError(
      run.name,
      run.name,
      `it sources other streams (${stream.config.sources.map((s) => s.name).join(', ')}), whose messages the new stream would copy again. Nothing was changed`,
    );
  }
  const { durable, ephemeral } = await consumersOf(run, run.name);
  checkRecordable(run, durable);
  const marker: MigrationMarker = {
    stream: run.name,
    owner: run.me,
    beat: Date.now(),
    phase: 'copying',
    hold: holdSubject(run.name, randomBytes(4).toString('hex')),
    subjects: stream.config.subjects ?? [],
    target: run.targetHash,
  };
  const description = encodeMarker(marker);
  if (!description) {
    throw new StreamMigrationError(
      run.name,
      run.name,
      'its subjects are too many to record in the migration marker (4096 bytes). Nothing was changed',
    );
  }
  const ephemeralNames = ephemeral.map((c) => c.name);
  run.log(
    `starting: ${stream.state.messages} messages, durable consumers kept: ${names(durable.map((c) => c.name))}, ephemeral consumers dropped: ${names(ephemeralNames)}`,
  );
  try {
    await run.api.createStream(
      {
        name: run.copyName,
        subjects: [],
        sources: [{ name: run.name }],
        storage: target.storage,
        num_replicas: target.num_replicas,
        ...(target.placement ? { placement: target.placement } : {}),
        description,
      },
      run.caller,
    );
  } catch (err) {
    if (errCodeOf(err) === ErrCode.StreamNameInUse) throw new SupersededError(run.name);
    throw err;
  }
  return ephemeralNames;
}

/**
 * Moves everything of the intact original into the copy, then deletes the original. Each step
 * checks the server first and is skipped when done, so any instance can run it again after a crash:
 * 1. hold: the original captures only the hold subject (publishes fail visibly from now on);
 * 2. copy: wait until the copy holds every message of the original;
 * 3. record: every durable consumer is recorded on the copy, at its position mapped into the copy,
 *    and (once per migration) the server is asked whether it can move consumers;
 * 4. the copy stops sourcing the original (the new stream will source the copy; a cycle is refused);
 * 5. on a fresh read that confirms 1 to 4, the original is deleted.
 */
export async function retireOriginal(run: MigrationRun, marker: MigrationMarker): Promise<void> {
  const stream = await run.mustInfo(run.name);
  if (!isHeld(stream.config)) {
    run.log(`holding: it captures "${marker.hold}" only (publishes are refused until the new stream has its subjects)`);
    await run.api.updateStream({ ...stream.config, subjects: [marker.hold] }, run.caller);
  }
  await run.waitUntil(`copying into "${run.copyName}"`, run.name, async () => {
    const copy = await run.mustInfo(run.copyName);
    const original = await run.mustInfo(run.name);
    const link = copy.sources?.find((s) => s.name === run.name);
    const complete = copy.state.messages >= original.state.messages;
    if (!link && !complete) await run.writeMarker({}, (c) => ({ ...c, sources: [{ name: run.name }] }));
    return {
      done: complete && (!link || link.lag === 0),
      progress: `${copy.state.messages} of ${original.state.messages} messages copied`,
    };
  });
  checkRoom(run, await run.mustInfo(run.copyName));
  run.log('copied; recording the consumers');
  const records = await recordConsumers(run, await run.mustInfo(run.copyName));
  const { marker: current } = await run.ownMarker();
  const reset = current.reset ?? (records.length ? await probeReset(run, records[0]) : undefined);
  await run.writeMarker({ phase: 'swapping', ...(reset === undefined ? {} : { reset }) }, (c) => ({ ...c, sources: [] }));
  await deleteOriginal(run);
}

/**
 * Refuses, while the original is intact, a target whose `max_bytes` cannot hold every copied
 * message: each carries a source header naming the copy in the new stream (a few bytes longer
 * than the copy's own, which names the original), so the server would delete the oldest.
 */
function checkRoom(run: MigrationRun, copy: ServerStreamInfo): void {
  const max = run.target.max_bytes ?? -1;
  if (run.allowLoss || max <= 0) return;
  const needed = copy.state.bytes + copy.state.messages * (run.copyName.length - run.name.length);
  if (needed <= max) return;
  throw new StreamMigrationError(
    run.name,
    run.name,
    `the new stream would hold about ${needed} bytes (each copied message carries a Nats-Stream-Source header) and its max_bytes is ${max}: ` +
      'the server would delete the oldest messages. Raise max_bytes, or set allowDataLoss: true on the stream. Nothing was lost: it was rolled back',
  );
}

/** Deletes the original once a fresh read shows it held, copied and every durable consumer recorded. */
async function deleteOriginal(run: MigrationRun): Promise<void> {
  const original = await run.mustInfo(run.name);
  const copy = await run.mustInfo(run.copyName);
  if (!isHeld(original.config) || sourcesCopy(original.config)) throw new SupersededError(run.name);
  if (copy.state.messages < original.state.messages) throw new SupersededError(run.name);
  const recorded = new Set((await recordsOn(run)).map((r) => r.name));
  const { durable } = await consumersOf(run, run.name);
  // A durable consumer created meanwhile is recorded on the next pass.
  if (durable.some((c) => !recorded.has(c.name))) throw new SupersededError(run.name);
  run.log(`deleting the original (its ${original.state.messages} messages and ${recorded.size} consumers are in "${run.copyName}")`);
  await run.api.deleteStream(run.name, run.caller);
}

/**
 * Undoes a migration whose original is intact: gives the original its subjects back, then deletes
 * the copy (the original still holds every message and its own consumers).
 */
export async function rollBack(run: MigrationRun, marker: MigrationMarker): Promise<void> {
  const stream = await run.info(run.name);
  if (!stream || sourcesCopy(stream.config)) throw new SupersededError(run.name);
  if (isHeld(stream.config)) {
    run.log(`rolling back: giving the original its subjects back (${marker.subjects.join(', ')})`);
    await run.api.updateStream({ ...stream.config, subjects: marker.subjects }, run.caller);
  }
  run.log(`rolling back: deleting "${run.copyName}" (the original holds every message)`);
  await run.api.deleteStream(run.copyName, run.caller).catch((err: unknown) => {
    if (!(err instanceof StreamNotFoundError)) throw err;
  });
}

function names(list: string[]): string {
  return list.length ? list.join(', ') : 'none';
}
