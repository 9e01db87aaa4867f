import { ErrCode } from '../errors/err-codes.js';
import { StreamMigrationError } from '../errors/stream-migration.error.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import { errCodeOf } from '../errors/to-streams-error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { sleep } from '../timers.js';
import { allPlaced, placeConsumers } from './consumer-copier.js';
import { isHeld, type MigrationMarker } from './migration-marker.js';
import { SupersededError, type MigrationRun } from './migration-run.js';
import { sourceOf } from './source-header.js';

/** Pause after deleting a new stream that came back with old messages, before creating it again. */
const RECREATE_PAUSE_MS = 250;

/**
 * Builds the new stream from the copy, once the original is gone. Each step checks the server
 * first and is skipped when done, so any instance can run it again after a crash:
 * 1. create: the new stream with the target config, capturing only the hold subject, sourcing
 *    only the copy;
 * 2. fill: wait until its last message is the copy of the copy's last one;
 * 3. open: it takes its subjects (publishes succeed again), still sourcing the copy;
 * 4. place: every recorded consumer is created on it at its position;
 * 5. on a fresh read that confirms every consumer placed, the copy is deleted;
 * 6. settle: it stops sourcing the copy and takes the target's own sources.
 * Returns the final info and the consumers placed.
 */
export async function rebuildStream(run: MigrationRun, marker: MigrationMarker): Promise<{ info: ServerStreamInfo; placed: string[] }> {
  let stream = await run.info(run.name);
  if (!stream) {
    // Detaching again is a no-op unless the run that deleted the original stopped before it.
    await run.writeMarker({ phase: 'filling' }, (c) => ({ ...c, sources: [] }));
    run.log(`creating the new stream; it fills from "${run.copyName}"`);
    try {
      stream = await run.api.createStream({ ...run.target, subjects: [marker.hold], sources: [{ name: run.copyName }] }, run.caller);
    } catch (err) {
      if (errCodeOf(err) === ErrCode.StreamNameInUse) throw new SupersededError(run.name);
      throw err;
    }
  }
  if (isHeld(stream.config)) {
    await fill(run);
    await run.writeMarker({ phase: 'placing' });
    run.log('filled; it takes its subjects back (publishes succeed again)');
    const held = await run.mustInfo(run.name);
    await run.api.updateStream({ ...held.config, subjects: run.target.subjects }, run.caller);
  }
  const placed = await placeConsumers(run, await run.mustInfo(run.name), marker.reset === true);
  if (!(await allPlaced(run))) throw new SupersededError(run.name);
  await run.writeMarker({ phase: 'finishing' });
  run.log(`deleting "${run.copyName}" (the new stream holds every message and consumer)`);
  await run.api.deleteStream(run.copyName, run.caller).catch((err: unknown) => {
    if (!(err instanceof StreamNotFoundError)) throw err;
  });
  return { info: await settleStream(run), placed };
}

/**
 * Finishes a stream that still looks mid-migration once the copy is gone: it takes its subjects
 * (when it captures only its hold subject) and stops sourcing the copy.
 */
export async function settleStream(run: MigrationRun): Promise<ServerStreamInfo> {
  const stream = await run.mustInfo(run.name);
  const own = run.target.sources ?? [];
  const kept = (stream.config.sources ?? []).filter((s) => s.name !== run.copyName);
  const sources = [...kept, ...own.filter((s) => !kept.some((k) => k.name === s.name))];
  const subjects = isHeld(stream.config) ? run.target.subjects : stream.config.subjects;
  const info = await run.api.updateStream({ ...stream.config, subjects, sources }, run.caller);
  run.log(`done: ${info.state.messages} messages`);
  return info;
}

/**
 * Waits until the new stream (still holding) has every message of the copy: its last message is
 * the copy of the copy's last, and it holds as many messages. More messages than the copy means
 * the server brought back messages of the deleted original (seen on nats-server 2.15.1 when a
 * stream is created right after its deletion): nothing but copies is in it yet, so it is deleted
 * and created again. Fewer (its config dropped some: a duplicate window, a message size, a limit)
 * or no progress: it is deleted too and the copy kept, so that a changed declaration can build it
 * again, unless the declaration allows the loss.
 */
async function fill(run: MigrationRun): Promise<void> {
  try {
    await waitForCopies(run);
  } catch (err) {
    if (!(err instanceof StreamMigrationError)) throw err;
    await run.ownMarker();
    const stream = await run.info(run.name);
    if (stream && isHeld(stream.config)) await run.api.deleteStream(run.name, run.caller);
    throw new StreamMigrationError(
      run.name,
      run.copyName,
      `${err.reason}; the new stream was deleted again, every message is in "${run.copyName}": change the declaration`,
      {
        cause: err,
      },
    );
  }
}

function waitForCopies(run: MigrationRun): Promise<void> {
  return run.waitUntil(`filling from "${run.copyName}"`, run.copyName, async () => {
    const copy = await run.mustInfo(run.copyName);
    const stream = await run.mustInfo(run.name);
    if (stream.state.messages > copy.state.messages) {
      run.log(`the new stream holds ${stream.state.messages - copy.state.messages} messages that are no copies: creating it again`);
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
    if (reached && stream.state.messages < copy.state.messages && !run.allowLoss) {
      throw new StreamMigrationError(
        run.name,
        run.copyName,
        `the new stream kept ${progress} copied from "${run.copyName}": its config drops some (a duplicate_window that takes messages sharing a Nats-Msg-Id for duplicates, a max_msg_size below a message with its source header, or a limit)`,
      );
    }
    return { done: reached, progress };
  });
}
