import { StreamMigrationError } from '../errors/stream-migration.error.js';
import type { ServerStreamConfig, ServerStreamInfo } from '../declaration/server-stream.js';
import type { CreatedStreamInfo } from '../jetstream/api-types.js';
import type { ApiCaller, JetStreamApi } from '../jetstream/jetstream-api.js';
import { sleep } from '../timers.js';

/** The JetStream API calls a migration makes. */
export type MigrationApi = Pick<JetStreamApi, 'streamInfo' | 'createStream' | 'updateStream' | 'deleteStream'>;

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
  api: MigrationApi,
  current: ServerStreamInfo,
  target: ServerStreamConfig,
  options: { caller: ApiCaller; timeoutMs: number },
): Promise<ServerStreamInfo> {
  const { caller } = options;
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
  await api.updateStream({ ...current.config, subjects: [hold] }, caller);
  try {
    const copy: CreatedStreamInfo = await api.createStream(
      {
        name: temp,
        subjects: [],
        sources: [{ name }],
        storage: target.storage,
        num_replicas: target.num_replicas,
        ...(target.placement ? { placement: target.placement } : {}),
      },
      caller,
    );
    if (copy.did_create === false) {
      throw new Error(`stream "${temp}" already exists: another migration is running or an earlier one stopped; inspect it first`);
    }
    await waitFor(api, caller, temp, name, deadline, (copyInfo, origin) => copyInfo.state.messages >= origin.state.messages);
  } catch (err) {
    await api.deleteStream(temp, caller).catch(() => undefined);
    await api.updateStream(current.config, caller).catch(() => undefined);
    throw new StreamMigrationError(name, name, (err as Error).message, { cause: err });
  }

  try {
    // The copy stops sourcing the original first: the new stream will source the copy, and the
    // server refuses a sourcing cycle.
    const copied = await api.streamInfo(temp, caller);
    await api.updateStream({ ...copied.config, sources: [] }, caller);
    await api.deleteStream(name, caller);
    // The new stream takes its subjects only once it holds every copied message, so that direct
    // publishes cannot be mistaken for copied ones while it catches up.
    const ownSources = target.sources ?? [];
    await api.createStream({ ...target, subjects: [hold], sources: [...ownSources, { name: temp }] }, caller);
    await waitFor(api, caller, name, temp, deadline, (created, copy) => created.state.last_seq - firstSeqOffset(created) >= copy.state.messages);
    const info = await api.updateStream({ ...target, sources: ownSources }, caller);
    await api.deleteStream(temp, caller);
    return info;
  } catch (err) {
    throw new StreamMigrationError(name, temp, (err as Error).message, { cause: err });
  }
}

/** Waits until `stream` has no lag on its source `source` and `done` holds. */
async function waitFor(
  api: MigrationApi,
  caller: ApiCaller,
  stream: string,
  source: string,
  deadline: number,
  done: (stream: ServerStreamInfo, source: ServerStreamInfo) => boolean,
): Promise<void> {
  for (;;) {
    const [info, origin] = await Promise.all([api.streamInfo(stream, caller), api.streamInfo(source, caller)]);
    const link = info.sources?.find((s) => s.name === source);
    if (link && link.lag === 0 && done(info, origin)) return;
    if (Date.now() > deadline) {
      throw new Error(`"${stream}" did not catch up with "${source}" in time (${info.state.messages} of ${origin.state.messages} messages)`);
    }
    await sleep(100);
  }
}

/** Sequences used before the first sourced message (a new stream's first_seq). */
function firstSeqOffset(info: ServerStreamInfo): number {
  return Math.max(0, (info.config.first_seq ?? 1) - 1);
}

/** The stream whose migration `name` is the temporary copy of, or undefined for any other stream. */
export function migratingCopyOf(name: string): string | undefined {
  const suffix = '__migrating';
  return name.endsWith(suffix) && name.length > suffix.length ? name.slice(0, -suffix.length) : undefined;
}
