import type { JetStreamManager, StreamConfig, StreamInfo } from 'nats';
import { StreamMigrationError } from '../errors/stream-migration.error.js';

/** Name of the temporary stream that holds the messages during a migration. */
export const migrationStreamName = (name: string): string => `${name}__migrating`;

/**
 * Moves every message of `current` into a stream of the same name with the `target` config, for
 * changes the server cannot make in place (storage, retention, ...):
 * 1. a temporary stream with the new config and no subjects sources the old one, until it holds
 *    every message;
 * 2. the old stream is deleted and the new one created; it sources the temporary stream until
 *    it holds every message; the source is then removed and the temporary stream deleted.
 * Nothing is deleted before its copy is complete. Messages keep subjects, headers and order, not
 * sequence numbers or timestamps; consumers are not carried over. Publishes in the moment between
 * the delete and the create find no stream and fail (publishers see the error).
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
  if (await exists(jsm, temp)) {
    throw new StreamMigrationError(name, name, `stream "${temp}" exists from an earlier migration; inspect and delete it first`);
  }
  const { sealed: _sealed, first_seq: _first, ...copyConfig } = target;
  await jsm.streams.add({ ...copyConfig, name: temp, subjects: [], sources: [{ name }] });
  try {
    await caughtUp(jsm, temp, name, deadline);
  } catch (err) {
    await jsm.streams.delete(temp).catch(() => undefined);
    throw new StreamMigrationError(name, name, (err as Error).message, { cause: err });
  }

  try {
    // The copy stops sourcing the original first: the new stream will source the copy, and the
    // server refuses a sourcing cycle.
    await jsm.streams.update(temp, { sources: [] } as never);
    await jsm.streams.delete(name);
    const ownSources = target.sources ?? [];
    await jsm.streams.add({ ...target, sources: [...ownSources, { name: temp }] });
    await caughtUp(jsm, name, temp, deadline);
    const info = await jsm.streams.update(name, { ...target, sources: ownSources } as never);
    await jsm.streams.delete(temp);
    return info;
  } catch (err) {
    throw new StreamMigrationError(name, temp, (err as Error).message, { cause: err });
  }
}

/** Waits until `stream` has sourced everything `source` holds. */
async function caughtUp(jsm: JetStreamManager, stream: string, source: string, deadline: number): Promise<void> {
  for (;;) {
    const [copy, origin] = await Promise.all([jsm.streams.info(stream), jsm.streams.info(source)]);
    const link = copy.sources?.find((s) => s.name === source);
    if (link && link.lag === 0 && copy.state.last_seq - firstSeqOffset(copy) >= origin.state.messages) return;
    if (Date.now() > deadline) {
      throw new Error(`"${stream}" did not catch up with "${source}" in time (${copy.state.messages} of ${origin.state.messages} messages)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Sequences used before the first sourced message (a new stream's first_seq). */
function firstSeqOffset(info: StreamInfo): number {
  return Math.max(0, (info.config.first_seq ?? 1) - 1);
}

async function exists(jsm: JetStreamManager, name: string): Promise<boolean> {
  try {
    await jsm.streams.info(name);
    return true;
  } catch (err) {
    if ((err as { api_error?: { err_code?: number } }).api_error?.err_code === 10059) return false;
    throw err;
  }
}
