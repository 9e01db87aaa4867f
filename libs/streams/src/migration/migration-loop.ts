import { MigrationPermissionError } from '../errors/migration-permission.error.js';
import { StreamMigrationError } from '../errors/stream-migration.error.js';
import { sleep } from '../timers.js';
import { decodeMarker, sourcesCopy } from './migration-marker.js';
import { MigrationRun, OwnerLostError, SupersededError, type MigrationTiming } from './migration-run.js';
import { nextStage, type MigrationView } from './migration-stage.js';
import { OwnerWatch, presenceSubject, type PresenceTiming } from './owner-presence.js';
import { rebuildStream } from './rebuild-stream.js';
import { retireOriginal } from './retire-original.js';
import { rollBack } from './roll-back.js';
import { settleStream } from './settle-stream.js';
import { startMigration } from './start-migration.js';
import type { MigrationOutcome } from './stream-migrator.js';

/** What a waiting run has seen move, and since when. */
interface Waited {
  progress: string;
  since: number;
  logged: boolean;
}

/**
 * One run: answers its presence, then reads the server, decides the next stage and carries it
 * out, until the migration is done, rolled back, or not this run's to go on with. Every pass
 * that writes nothing pauses `pollMs`; a wait without progress ends after `stallMs`.
 * @throws OwnerLostError as soon as the run's connection is closed (nothing more is sent)
 * @throws MigrationPermissionError when the user may not do what a migration needs
 */
export async function runMigration(
  run: MigrationRun,
  wanted: boolean,
  timing: MigrationTiming & { presence: PresenceTiming },
): Promise<MigrationOutcome> {
  const watch = new OwnerWatch((subject, timeoutMs) => run.connection.ping(subject, timeoutMs), timing.presence);
  const wantedAtFirst = wanted;
  const waited: Waited = { progress: '', since: Date.now(), logged: false };
  let dropped: string[] = [];
  let started = false;
  let seen = false;
  let holding = run.name;
  try {
    // Before anything else: the presence answered over the connection that carries every request.
    await run.connection.answer(presenceSubject(run.me));
    for (;;) {
      try {
        const { view, revision } = await observe(run, wanted, watch);
        holding = view.stream && !sourcesCopy(view.stream.config) ? run.name : view.copy ? run.copyName : run.name;
        const stage = nextStage(view);
        // Once a migration is seen, this call only follows it: after it ends, the stream is compared again.
        if (view.record) {
          seen = true;
          wanted = false;
        }
        switch (stage) {
          case 'idle':
            return { migrated: seen, started, info: view.stream, kept: [], dropped };
          case 'foreign':
            throw new StreamMigrationError(
              run.name,
              view.stream ? run.name : run.copyName,
              `stream "${run.copyName}" exists but is not this migration's (it holds no migration marker of this library, or another one); it was left untouched. Inspect it, move its messages back if it holds them, and delete it`,
            );
          case 'orphan':
            throw new StreamMigrationError(
              run.name,
              run.copyName,
              `stream "${run.copyName}" is the copy of a migration whose record "${run.key}" in bucket "${run.store.bucket}" is gone (removed by hand?): nobody can tell whether an instance still works on it, so it was left untouched. Finish it by hand, or restore the record`,
            );
          case 'wait':
            await waitFor(run, view, waited, watch, timing);
            break;
          case 'claim':
            run.log(`taking over from instance ${view.record?.owner}, whose connection the server has closed`);
            await run.claim(view.record!, revision!);
            // What the server read from the old owner but has not applied yet lands before our first write.
            await sleep(timing.settleMs);
            break;
          case 'clear':
            await run.clearRecord();
            break;
          case 'start':
            dropped = await guard(run, 'start', () => startMigration(run, view.stream!));
            started = true;
            break;
          case 'retire':
            await guard(run, 'retire', () => retireOriginal(run, view.record!));
            break;
          case 'rollback':
            await rollBack(run, view.record!);
            seen = false;
            wanted = wantedAtFirst;
            break;
          case 'rebuild': {
            const { info, placed, rolledBack } = await guard(run, 'rebuild', () => rebuildStream(run, view.record!));
            return { migrated: true, started, info, kept: placed, dropped, ...(rolledBack ? { rolledBack } : {}) };
          }
          case 'settle': {
            const info = await settleStream(run, view.record);
            const rolledBack = view.record?.direction === 'back' ? view.record.reason : undefined;
            return { migrated: true, started, info, kept: [], dropped, ...(rolledBack ? { rolledBack } : {}) };
          }
        }
      } catch (err) {
        if (!run.connection.isConnected()) throw new OwnerLostError(run.name, { cause: err });
        if (!(err instanceof SupersededError)) throw err;
        // Never back to the server without a pause.
        await sleep(timing.pollMs);
      }
    }
  } catch (err) {
    if (err instanceof OwnerLostError || err instanceof MigrationPermissionError) throw err;
    if (!run.connection.isConnected()) throw new OwnerLostError(run.name, { cause: err });
    const refused = permissionRefusal(err);
    if (refused) throw new MigrationPermissionError(run.name, holding, refused, { cause: err });
    throw err;
  }
}

/** The server's view of the migration: the record first, then the copy, then the stream (in the order they outlive each other). */
async function observe(run: MigrationRun, wanted: boolean, watch: OwnerWatch): Promise<{ view: MigrationView; revision?: number }> {
  const read = await run.readRecord();
  const copy = await run.info(run.copyName);
  const stream = await run.info(run.name);
  const marker = copy ? decodeMarker(copy.config.description) : undefined;
  const record = read?.record;
  const owner = !record || record.owner === run.me ? 'me' : await watch.check(record.owner);
  const view: MigrationView = {
    record,
    stream,
    copy,
    marker: marker?.stream === run.name ? marker : undefined,
    owner,
    target: run.targetHash,
    wanted,
  };
  return { view, revision: read?.revision };
}

/** Waits one poll for another instance's migration; fails when nothing moved for `stallMs`, saying why. */
async function waitFor(run: MigrationRun, view: MigrationView, waited: Waited, watch: OwnerWatch, timing: MigrationTiming): Promise<void> {
  const record = view.record!;
  if (!waited.logged) {
    run.log(`waiting for instance ${record.owner}, which is migrating it (${record.phase})`);
    waited.logged = true;
  }
  const progress = [
    record.owner,
    record.phase,
    record.direction,
    view.stream?.state.messages,
    view.stream?.state.last_seq,
    view.copy?.state.messages,
  ].join('|');
  if (progress !== waited.progress) {
    waited.progress = progress;
    waited.since = Date.now();
  } else if (Date.now() - waited.since > timing.stallMs) {
    throw new StreamMigrationError(
      run.name,
      view.stream && !sourcesCopy(view.stream.config) ? run.name : run.copyName,
      `${watch.describe(record.owner)} for ${timing.stallMs} ms (${record.phase})`,
    );
  }
  await sleep(timing.pollMs);
}

/**
 * Runs a stage of this run's own migration. A failure while the original is intact (start,
 * retire) rolls the migration back (the original gets its subjects again); after it, the migration
 * is left for the next ensure (of any instance) to finish, and the error names the stream holding
 * the messages. Nothing is attempted once the run's connection is closed.
 */
async function guard<T>(run: MigrationRun, stage: 'start' | 'retire' | 'rebuild', act: () => Promise<T>): Promise<T> {
  try {
    return await act();
  } catch (err) {
    if (err instanceof SupersededError || !run.connection.isConnected() || permissionRefusal(err)) throw err;
    const reason = err instanceof StreamMigrationError ? err.reason : (err as Error).message;
    if (stage === 'rebuild') {
      if (err instanceof StreamMigrationError && err.holdingStream === run.copyName) throw err;
      const copy = await run.info(run.copyName).catch(() => null);
      throw new StreamMigrationError(
        run.name,
        copy ? run.copyName : run.name,
        `${reason}; ensure the stream again to finish the migration`,
        {
          cause: err,
        },
      );
    }
    try {
      const read = await run.readRecord();
      if (read?.record.owner === run.me) await rollBack(run, read.record);
    } catch (rollbackError) {
      // The original is gone (its delete was applied after all) or another instance took over: go on from there.
      if (rollbackError instanceof SupersededError || !run.connection.isConnected()) throw rollbackError;
      throw new StreamMigrationError(run.name, run.name, `${reason}; rolling back failed too (${(rollbackError as Error).message})`, {
        cause: err,
      });
    }
    throw err instanceof StreamMigrationError
      ? err
      : new StreamMigrationError(run.name, run.name, `${reason}. Nothing was lost: it was rolled back`, { cause: err });
  }
}

/** What the server refused for want of a permission (the client's `PERMISSIONS_VIOLATION`), found along the cause chain. */
function permissionRefusal(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === 'PERMISSIONS_VIOLATION') return (e as Error).message;
  }
  return undefined;
}
