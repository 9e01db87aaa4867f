import { ErrCode } from '../errors/err-codes.js';
import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { StreamCapacityError } from '../errors/stream-capacity.error.js';
import { StreamMigrationError } from '../errors/stream-migration.error.js';
import { StreamPlacementError } from '../errors/stream-placement.error.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import { errCodeOf } from '../errors/to-streams-error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import type { StreamRequestConfig } from '../jetstream/api-types.js';
import { sleep } from '../timers.js';
import { allPlaced, placeConsumers } from './consumer-copier.js';
import { createSourcing, fillConfig, openConfig } from './fill-config.js';
import { isHeld } from './migration-marker.js';
import type { MigrationRecord } from './migration-record.js';
import { SupersededError, type MigrationRun } from './migration-run.js';
import { settleStream } from './settle-stream.js';
import { sourceOf } from './source-header.js';

/** Pause after deleting a new stream that came back with old messages, before creating it again. */
const RECREATE_PAUSE_MS = 250;

/** What {@link rebuildStream} built. */
export interface RebuildOutcome {
  info: ServerStreamInfo;
  /** The consumers placed on it. */
  placed: string[];
  /** Set when the stream was built again with its previous config: why the target could not hold it. */
  rolledBack?: string;
}

/**
 * Builds the stream from the copy, once the original is gone: with the recorded target, or, going
 * back, with the original's config. Each step checks the server first and is skipped when done,
 * so any instance can run it again after a crash:
 * 1. create: the stream capturing only the hold subject, sourcing only the copy, with what could
 *    drop a copy left out until it is filled ({@link fillConfig}), numbered after the original;
 * 2. fill: wait until its last message is the copy of the copy's last one, holding as many;
 *    if it holds fewer (its config dropped some) or stalls, it is deleted (it holds only copies)
 *    and the migration goes back: the same steps with the original's config;
 * 3. open: it takes its subjects and its full config (publishes succeed again), still sourcing the copy;
 * 4. place: every recorded consumer is created on it at its position;
 * 5. on a fresh read that confirms every consumer placed, the copy is deleted;
 * 6. settle: it stops sourcing the copy and takes its own sources; the record is removed.
 */
export async function rebuildStream(run: MigrationRun, record: MigrationRecord): Promise<RebuildOutcome> {
  const config = await buildWith(run, record);
  let stream = await run.info(run.name);
  if (!stream) {
    record = await run.updateRecord({ phase: 'filling' });
    // Detaching again is a no-op unless the run that deleted the original stopped before it.
    const copy = await run.mustInfo(run.copyName);
    if (copy.config.sources?.length) await run.api.updateStream({ ...copy.config, sources: [] }, run.caller);
    run.log(
      record.direction === 'back'
        ? `building it again with its previous config (${record.reason}); it fills from "${run.copyName}"`
        : `creating the new stream; it fills from "${run.copyName}"`,
    );
    const firstSeq = record.direction === 'back' ? record.firstSeq : (config.first_seq ?? record.firstSeq);
    try {
      stream = await createSourcing(run, fillConfig(config, record.hold, run.copyName, firstSeq));
    } catch (err) {
      if (errCodeOf(err) === ErrCode.StreamNameInUse) throw new SupersededError(run.name);
      // The servers cannot hold the target (capacity, placement, a config they refuse): back to the original's.
      const refused = err instanceof StreamCapacityError || err instanceof StreamPlacementError || err instanceof InvalidStreamConfigError;
      if (!refused || record.direction === 'back') throw err;
      const reason = `the new stream could not be created (${(err as Error).message})`;
      run.log(`${reason}: going back to the previous config`);
      await run.updateRecord({ direction: 'back', reason });
      throw new SupersededError(run.name);
    }
  }
  if (isHeld(stream.config)) {
    await fill(run, record);
    await run.updateRecord({ phase: 'placing' });
    run.log('filled; it takes its subjects back (publishes succeed again)');
    const held = await run.mustInfo(run.name);
    await run.api.updateStream(openConfig(held.config, config), run.caller);
  }
  const placed = await placeConsumers(run, await run.mustInfo(run.name), record.reset === true);
  if (!(await allPlaced(run))) throw new SupersededError(run.name);
  record = await run.updateRecord({ phase: 'finishing' });
  run.log(`deleting "${run.copyName}" (the stream holds every message and consumer)`);
  await run.api.deleteStream(run.copyName, run.caller).catch((err: unknown) => {
    if (!(err instanceof StreamNotFoundError)) throw err;
  });
  const info = await settleStream(run, record);
  return { info, placed, ...(record.direction === 'back' ? { rolledBack: record.reason } : {}) };
}

/**
 * The config to build with. Going back, the original's, with room for every copy: each carries a
 * source header, so a `max_bytes` the original's messages filled is raised to hold them all.
 */
async function buildWith(run: MigrationRun, record: MigrationRecord): Promise<StreamRequestConfig> {
  if (record.direction === 'forward') return record.target;
  const max = record.original.max_bytes ?? -1;
  if (max <= 0) return record.original;
  const copy = await run.mustInfo(run.copyName);
  const needed = copy.state.bytes + copy.state.messages * (run.copyName.length - run.name.length + 1);
  return needed <= max ? record.original : { ...record.original, max_bytes: needed };
}

/**
 * Waits until the new stream (still holding) has every message of the copy. When it cannot (its
 * config drops some, or it stalls) and the declaration does not allow the loss, it is deleted (it
 * holds only copies) and the migration goes back to the original's config; when that fails too,
 * the copy keeps every message and the error says so.
 */
async function fill(run: MigrationRun, record: MigrationRecord): Promise<void> {
  try {
    await waitForCopies(run, record.direction === 'forward' && run.spec.allowLoss);
  } catch (err) {
    if (!(err instanceof StreamMigrationError)) throw err;
    await run.ownRecord();
    const stream = await run.info(run.name);
    if (stream && isHeld(stream.config)) await run.api.deleteStream(run.name, run.caller);
    if (record.direction === 'back') {
      throw new StreamMigrationError(
        run.name,
        run.copyName,
        `the stream could be built neither with its declared config (${record.reason}) nor with its previous one (${err.reason}); ensure it again`,
        { cause: err },
      );
    }
    run.log(`the new stream cannot hold every message (${err.reason}): going back to the previous config`);
    await run.updateRecord({ direction: 'back', reason: err.reason });
    throw new SupersededError(run.name);
  }
}

/**
 * Waits until the new stream's last message is the copy of the copy's last, holding as many. More
 * messages than the copy means the server brought back messages of the deleted original (seen on
 * nats-server 2.15.1 when a stream is created right after its deletion): nothing but copies is in
 * it yet, so it is deleted and created again. Fewer once the last is reached: its config dropped
 * some (unless `allowLoss`).
 */
function waitForCopies(run: MigrationRun, allowLoss: boolean): Promise<void> {
  return run.waitUntil(`filling from "${run.copyName}"`, run.copyName, async () => {
    const copy = await run.mustInfo(run.copyName);
    const stream = await run.mustInfo(run.name);
    if (stream.state.messages > copy.state.messages) {
      run.log(`the new stream holds ${stream.state.messages - copy.state.messages} messages that are no copies: creating it again`);
      await run.ownRecord();
      await run.api.deleteStream(run.name, run.caller);
      await sleep(RECREATE_PAUSE_MS);
      throw new SupersededError(run.name);
    }
    const link = stream.sources?.find((s) => s.name === run.copyName);
    const progress = `${stream.state.messages} of ${copy.state.messages} messages`;
    if (copy.state.messages === 0) return { done: link?.lag === 0, progress };
    if (stream.state.messages === 0) return { done: false, progress };
    const last = await run.api.getMessage(run.name, { seq: stream.state.last_seq }, run.caller);
    const reached = sourceOf(last.hdrs)?.seq === copy.state.last_seq;
    if (reached && stream.state.messages < copy.state.messages && !allowLoss) {
      throw new StreamMigrationError(
        run.name,
        run.copyName,
        `the new stream kept ${progress} copied from "${run.copyName}": its config drops some (a limit)`,
      );
    }
    return { done: reached, progress };
  });
}
