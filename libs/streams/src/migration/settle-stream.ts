import type { ServerStreamInfo } from '../server/server-stream.js';
import { isHeld, sourcesCopy } from './migration-marker.js';
import { buildConfig, type MigrationRecord } from './migration-record.js';
import type { MigrationRun } from './migration-run.js';

/**
 * Finishes a stream that still looks mid-migration once the copy is gone: it takes its subjects
 * (when it captures only its hold subject: the new stream's from the config it was built with, an
 * original's its own) and its own sources instead of the copy; then the record is removed. Without
 * a record (it was removed by hand), the declaration of this instance stands in for it.
 */
export async function settleStream(run: MigrationRun, record: MigrationRecord | undefined): Promise<ServerStreamInfo> {
  const config = record ? buildConfig(record) : run.spec.target;
  const stream = await run.mustInfo(run.name);
  let info = stream;
  if (isHeld(stream.config) || sourcesCopy(stream.config)) {
    const own = config.sources ?? [];
    const kept = (stream.config.sources ?? []).filter((s) => s.name !== run.copyName);
    const sources = [...kept, ...own.filter((s) => !kept.some((k) => k.name === s.name))];
    const built = sourcesCopy(stream.config) || !record;
    const subjects = isHeld(stream.config) ? (built ? config.subjects : record.subjects) : stream.config.subjects;
    if (record) await run.ownRecord();
    info = await run.api.updateStream({ ...stream.config, subjects, sources }, run.caller);
  }
  if (record) await run.clearRecord();
  run.log(`done: ${info.state.messages} messages`);
  return info;
}
