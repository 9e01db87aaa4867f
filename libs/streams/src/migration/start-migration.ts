import { randomBytes } from 'node:crypto';
import { ErrCode } from '../errors/err-codes.js';
import { errCodeOf } from '../errors/to-streams-error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { consumersOf } from './consumer-copier.js';
import { createSourcing, requestOf } from './fill-config.js';
import { checkMigration } from './migration-checks.js';
import { encodeMarker, holdSubject, type MigrationMarker } from './migration-marker.js';
import type { MigrationRecord } from './migration-record.js';
import { SupersededError, type MigrationRun } from './migration-run.js';

/**
 * Begins a migration of `stream`: refuses what cannot be done ({@link checkMigration}), records
 * the migration (the complete target and original configs, this run as owner) unless a record
 * exists already, then creates the temporary copy sourcing the original, with the marker in its
 * description. Nothing of the original changes here. Returns the ephemeral consumers, which cannot
 * survive. When another instance recorded a migration first, the run goes back to deciding (and
 * waits for it).
 * @throws StreamMigrationError when the migration cannot be done; nothing was changed
 */
export async function startMigration(run: MigrationRun, stream: ServerStreamInfo): Promise<string[]> {
  const { durable, ephemeral } = await consumersOf(run, run.name);
  await checkMigration(run.api, run.spec, stream, durable, run.caller);
  const id = randomBytes(4).toString('hex');
  const marker: MigrationMarker = { stream: run.name, id, hold: holdSubject(run.name, id), subjects: stream.config.subjects ?? [] };
  const record: MigrationRecord = {
    ...marker,
    owner: run.me,
    phase: 'copying',
    target: run.spec.target,
    targetHash: run.targetHash,
    original: requestOf(stream.config),
    direction: 'forward',
  };
  const ephemeralNames = ephemeral.map((c) => c.name);
  run.log(
    `starting: ${stream.state.messages} messages, durable consumers kept: ${names(durable.map((c) => c.name))}, ephemeral consumers dropped: ${names(ephemeralNames)}`,
  );
  await run.createRecord(record);
  const { target } = run.spec;
  try {
    await createSourcing(run, {
      name: run.copyName,
      subjects: [],
      sources: [{ name: run.name }],
      storage: target.storage,
      num_replicas: target.num_replicas,
      ...(target.placement ? { placement: target.placement } : {}),
      description: encodeMarker(marker),
    });
  } catch (err) {
    // The name is taken (a stream that is not this migration's): give the record up; deciding
    // again names that stream.
    if (errCodeOf(err) === ErrCode.StreamNameInUse) {
      await run.clearRecord();
      throw new SupersededError(run.name);
    }
    throw err;
  }
  return ephemeralNames;
}

function names(list: string[]): string {
  return list.length ? list.join(', ') : 'none';
}
