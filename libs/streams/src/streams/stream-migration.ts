import type { JetStreamManager, StreamConfig, StreamInfo } from 'nats';
import { StreamMigrationError } from '../errors/stream-migration.error.js';

/** Name of the temporary stream that holds the messages during a migration. */
export const migrationStreamName = (name: string): string => `${name}__migrating`;

/**
 * Moves every message of `current` into a stream of the same name with the `target` config, for
 * changes the server cannot make in place (storage, retention, ...):
 * 1. the original stops capturing its subjects, so a publish during the migration fails visibly
 *    instead of being acknowledged into a stream about to be deleted;
 * 2. a temporary `limits` stream without limits sources the original until it holds every message;
 * 3. the original is deleted and the new one created, still without its subjects; it sources the
 *    temporary stream until it has received every message; then it takes its subjects, drops the
 *    source, and the temporary stream is deleted.
 * Nothing is deleted before its copy is complete; if step 2 fails, the original gets its subjects
 * back. Messages keep subjects, headers and order, not sequence numbers or timestamps; consumers
 * are not carried over. Publishes fail while it runs (publishers see "no responders").
 * Refused for an `interest` target: without consumers it would drop every message.
 */
export async function migrateStream(
  jsm: JetStreamManager,
  current: StreamInfo,
  target: StreamConfig,
  options: { timeoutMs: number },
): Promise<StreamInfo> {
  const name = current.config.name;
  const temp = migrationStreamName(name);
  const deadline = Date.now() + options.timeoutMs;
  if (target.retention === 'interest') {
    throw new StreamMigrationError(
      name,
      name,
      'an interest stream keeps messages only for its consumers, and a migration does not carry consumers over: every message would be dropped. Nothing was changed',
    );
  }

  // A subject nobody publishes to: the stream stops capturing, publishers get an error.
  const hold = `_migrating.${name}.${Date.now()}`;
  await jsm.streams.update(name, { subjects: [hold] } as never);
  try {
    const copy = await jsm.streams.add({
      name: temp,
      subjects: [],
      sources: [{ name }],
      storage: target.storage,
      num_replicas: target.num_replicas,
      ...(target.placement ? { placement: target.placement } : {}),
    });
    if ((copy as StreamInfo & { did_create?: boolean }).did_create === false) {
      throw new Error(`stream "${temp}" already exists: another migration is running or an earlier one stopped; inspect it first`);
    }
    await waitFor(jsm, temp, name, deadline, (copyInfo, origin) => copyInfo.state.messages >= origin.state.messages);
  } catch (err) {
    await jsm.streams.delete(temp).catch(() => undefined);
    await jsm.streams.update(name, { subjects: current.config.subjects } as never).catch(() => undefined);
    throw new StreamMigrationError(name, name, (err as Error).message, { cause: err });
  }

  try {
    // The copy stops sourcing the original first: the new stream will source the copy, and the
    // server refuses a sourcing cycle.
    await jsm.streams.update(temp, { sources: [] } as never);
    await jsm.streams.delete(name);
    // The new stream takes its subjects only once it holds every copied message, so that direct
    // publishes cannot be mistaken for copied ones while it catches up.
    const ownSources = target.sources ?? [];
    await jsm.streams.add({ ...target, subjects: [hold], sources: [...ownSources, { name: temp }] });
    await waitFor(jsm, name, temp, deadline, (created, copy) => created.state.last_seq - firstSeqOffset(created) >= copy.state.messages);
    const info = await jsm.streams.update(name, { ...target, sources: ownSources } as never);
    await jsm.streams.delete(temp);
    return info;
  } catch (err) {
    throw new StreamMigrationError(name, temp, (err as Error).message, { cause: err });
  }
}

/** Waits until `stream` has no lag on its source `source` and `done` holds. */
async function waitFor(
  jsm: JetStreamManager,
  stream: string,
  source: string,
  deadline: number,
  done: (stream: StreamInfo, source: StreamInfo) => boolean,
): Promise<void> {
  for (;;) {
    const [info, origin] = await Promise.all([jsm.streams.info(stream), jsm.streams.info(source)]);
    const link = info.sources?.find((s) => s.name === source);
    if (link && link.lag === 0 && done(info, origin)) return;
    if (Date.now() > deadline) {
      throw new Error(`"${stream}" did not catch up with "${source}" in time (${info.state.messages} of ${origin.state.messages} messages)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Sequences used before the first sourced message (a new stream's first_seq). */
function firstSeqOffset(info: StreamInfo): number {
  return Math.max(0, (info.config.first_seq ?? 1) - 1);
}
