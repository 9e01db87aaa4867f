import { StreamMigrationError } from '../errors/stream-migration.error.js';
import { errCodeOf } from '../errors/to-streams-error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { isPlacing, PLACING_UNTIL } from '../declaration/moved-consumer.js';
import type { ServerConsumerConfig, ServerConsumerInfo } from '../jetstream/api-types.js';
import { doneUpTo, isDurable, movedConfig, portableConfig, readRecord, recordConfig, type ConsumerRecord } from './consumer-records.js';
import type { MigrationRun } from './migration-run.js';
import { firstCopyAfter } from './sequence-map.js';

/** The server's refusal of a reset for the consumer's deliver policy or start (`10204 invalid reset`). */
const RESET_REFUSED = 10204;

/** The first version that may have `CONSUMER.RESET` (2.10.27 has not; 2.15.1 has). */
const RESET_ASKED_FROM = '2.11.0';

/** The durable consumers of a stream and the ephemeral ones (which cannot survive a migration). */
export async function consumersOf(
  run: MigrationRun,
  stream: string,
): Promise<{ durable: ServerConsumerInfo[]; ephemeral: ServerConsumerInfo[] }> {
  const all = await run.api.listConsumers(stream, run.caller);
  return { durable: all.filter(isDurable), ephemeral: all.filter((c) => !isDurable(c)) };
}

/**
 * Checks before anything is written that every durable consumer can be recorded on the copy (its
 * config fits in a consumer description).
 * @throws StreamMigrationError naming the consumer
 */
export function checkRecordable(stream: string, durable: ServerConsumerInfo[]): void {
  for (const info of durable) {
    const record = { name: info.name, config: portableConfig(info.config), startSeq: 1 };
    if (!recordConfig(record)) {
      throw new StreamMigrationError(
        stream,
        stream,
        `the config of consumer "${info.name}" is over 4096 bytes as JSON and cannot be kept during the migration; nothing was changed`,
      );
    }
  }
}

/**
 * Records every durable consumer of the original on the copy, once the copy holds every message:
 * its config, and where it resumes in the copy (its ack floor mapped through the copies'
 * `Nats-Stream-Source` headers). Consumers already recorded are left as they are. Returns the
 * records on the copy.
 */
export async function recordConsumers(run: MigrationRun, copy: ServerStreamInfo): Promise<ConsumerRecord[]> {
  const recorded = await recordsOn(run);
  const names = new Set(recorded.map((r) => r.name));
  const { durable } = await consumersOf(run, run.name);
  const read = run.copyReader(run.copyName, run.name);
  for (const info of durable.filter((c) => !names.has(c.name))) {
    const startSeq = await firstCopyAfter(read, copy.state.first_seq, copy.state.last_seq, doneUpTo(info));
    const record: ConsumerRecord = { name: info.name, config: portableConfig(info.config), startSeq };
    await run.api.createConsumer(run.copyName, recordConfig(record) as ServerConsumerConfig, run.caller, 'create');
    recorded.push(record);
    run.log(`consumer "${info.name}" recorded (resumes after sequence ${doneUpTo(info)} of the original)`);
  }
  return recorded;
}

/** The consumer records on the copy. */
export async function recordsOn(run: MigrationRun): Promise<ConsumerRecord[]> {
  const consumers = await run.api.listConsumers(run.copyName, run.caller);
  return consumers.map(readRecord).filter((r): r is ConsumerRecord => r !== undefined);
}

/**
 * Whether the server can move a consumer (`CONSUMER.RESET`), found by asking it once on a record
 * (which nobody reads): any answer means yes, no answer within the request timeout means no.
 * Servers before 2.11 are not asked (2.9 and 2.10 do not have it; the missing answer costs a
 * request timeout).
 */
export async function probeReset(run: MigrationRun, record: ConsumerRecord): Promise<boolean> {
  if (!run.spec.version.atLeast(RESET_ASKED_FROM)) return false;
  try {
    return (await run.api.resetConsumer(run.copyName, record.name, record.startSeq, run.caller)) !== undefined;
  } catch (err) {
    // A refusal (a server answer with an err_code) is an answer: the API exists.
    if (errCodeOf(err) !== undefined) return true;
    throw err;
  }
}

/**
 * Creates every recorded consumer on the new stream (which has its subjects back), positioned where
 * its record says (mapped through the new stream's headers): with `reset`, with its own config,
 * created paused, moved with `CONSUMER.RESET` and resumed, so its config is unchanged; where the
 * server has no reset or refuses it (deliver policy `new`/`last`, a start above the position), as
 * `by_start_sequence` at that position, its declared start kept in metadata. Consumers already
 * placed are left as they are. Returns the names placed.
 */
export async function placeConsumers(run: MigrationRun, stream: ServerStreamInfo, reset: boolean): Promise<string[]> {
  const records = await recordsOn(run);
  const existing = new Map((await run.api.listConsumers(run.name, run.caller)).map((c) => [c.name, c]));
  const read = run.copyReader(run.name, run.copyName);
  for (const record of records) {
    const present = existing.get(record.name);
    if (present && !isPlacing(present.config)) continue;
    const startSeq = await firstCopyAfter(read, stream.state.first_seq, stream.state.last_seq, record.startSeq - 1);
    if (reset) {
      await placeWithReset(run, record, startSeq, present);
    } else {
      await run.api.createConsumer(run.name, movedConfig(record.config, startSeq), run.caller, 'create');
    }
    run.log(`consumer "${record.name}" placed at sequence ${startSeq}`);
  }
  return records.map((r) => r.name);
}

/** Whether every record has its consumer placed on the new stream. */
export async function allPlaced(run: MigrationRun): Promise<boolean> {
  const records = await recordsOn(run);
  const existing = new Map((await run.api.listConsumers(run.name, run.caller)).map((c) => [c.name, c]));
  return records.every((r) => {
    const placed = existing.get(r.name);
    return placed !== undefined && !isPlacing(placed.config);
  });
}

async function placeWithReset(
  run: MigrationRun,
  record: ConsumerRecord,
  startSeq: number,
  present: ServerConsumerInfo | undefined,
): Promise<void> {
  // Created paused, so nothing is delivered from the wrong position before the reset.
  const ownPause = record.config.pause_until;
  if (!present) {
    await run.api.createConsumer(run.name, { ...record.config, pause_until: ownPause ?? PLACING_UNTIL }, run.caller, 'create');
  }
  try {
    const answer = await run.api.resetConsumer(run.name, record.name, startSeq, run.caller);
    if (!answer)
      throw new StreamMigrationError(run.name, run.name, `consumer "${record.name}" could not be moved: no answer to CONSUMER.RESET`);
  } catch (err) {
    if (err instanceof StreamMigrationError || errCodeOf(err) !== RESET_REFUSED) throw err;
    // The deliver policy does not allow a reset to a sequence: start it there instead.
    await run.api.deleteConsumer(run.name, record.name, run.caller);
    await run.api.createConsumer(run.name, movedConfig(record.config, startSeq), run.caller, 'create');
    return;
  }
  if (!ownPause) await run.api.resumeConsumer(run.name, record.name, run.caller);
}
