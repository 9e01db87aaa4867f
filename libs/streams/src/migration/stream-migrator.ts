import type { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { StreamMigrationError } from '../errors/stream-migration.error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import type { StreamRequestConfig } from '../jetstream/api-types.js';
import type { ApiCaller } from '../jetstream/jetstream-api.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { sleep } from '../timers.js';
import { isDurable } from './consumer-records.js';
import { decodeMarker, isHeld, migrationStreamName, sourcesCopy, targetHash } from './migration-marker.js';
import { MigrationRun, readStream, SupersededError, type MigrationApi, type MigrationTiming } from './migration-run.js';
import { nextStage, type MigrationView } from './migration-stage.js';
import { OwnerPresence } from './owner-presence.js';
import { rebuildStream, settleStream } from './rebuild-stream.js';
import { retireOriginal, rollBack, startMigration } from './retire-original.js';

/** What a call of {@link StreamMigrator.run} did. */
export interface MigrationOutcome {
  /**
   * A migration ran to its end (begun here, or finished or waited for on behalf of another
   * instance). False when none was in progress or the one in progress was rolled back: the
   * stream is then reconciled as usual.
   */
  migrated: boolean;
  /** This call began the migration (its own target is what the stream now has). */
  started: boolean;
  /** The stream's info at the end, or null when it does not exist. */
  info: ServerStreamInfo | null;
  /** Durable consumers placed on the new stream (when this instance placed them). */
  kept: string[];
  /** Ephemeral consumers that did not survive (when this instance began the migration). */
  dropped: string[];
}

/** Settings of a {@link StreamMigrator}. */
export interface MigratorSettings extends MigrationTiming {
  /** An owner whose marker did not change for this long is taken over, in ms. */
  leaseMs: number;
}

/**
 * The timing of migrations from the module options: a wait fails after `operationTimeoutMs`
 * (at least a minute) without progress; an owner is taken over after twice that (at least 30 s)
 * without a beat, or at once when its connection is gone.
 */
export function migratorSettings(options: Pick<ResolvedStreamsOptions, 'operationTimeoutMs'>): MigratorSettings {
  return {
    stallMs: Math.max(options.operationTimeoutMs, 60_000),
    leaseMs: Math.max(2 * options.operationTimeoutMs, 30_000),
    beatMs: 5_000,
    pollMs: 200,
  };
}

/**
 * Runs migrations (`onConflict: 'migrate'`) so that they survive crashes and a second instance.
 * The progress is recorded on the server, in the marker of the temporary copy; each call reads the
 * server, decides the next stage ({@link nextStage}) and carries it out, until the migration is
 * done. An instance that finds another live instance migrating waits for it and never writes;
 * one that finds the owner gone takes over and finishes (or rolls back an intact original whose
 * migration has another target). Concurrent calls for one stream in one process share one run.
 */
export class StreamMigrator {
  private readonly me = randomBytes(6).toString('hex');
  private readonly presence: OwnerPresence;
  private readonly running = new Map<string, Promise<MigrationOutcome>>();

  constructor(
    private readonly api: MigrationApi,
    connection: () => NatsConnection,
    private readonly logger: Logger,
    private readonly settings: MigratorSettings,
  ) {
    this.presence = new OwnerPresence(connection, settings.leaseMs);
  }

  /**
   * Whether a migration of the stream is in progress or was left unfinished: the stream captures
   * only its hold subject or sources its copy, or the copy exists (`listed`, every stream from a
   * list call, tells; else it is read when the caller is about to `write`: one STREAM.INFO of the
   * copy). No request for a stream that looks ordinary when nothing would be written.
   */
  async pending(
    name: string,
    current: ServerStreamInfo | null,
    caller: ApiCaller,
    write: boolean,
    listed?: ReadonlyMap<string, unknown>,
  ): Promise<boolean> {
    const copy = migrationStreamName(name);
    if (current && (isHeld(current.config) || sourcesCopy(current.config))) return true;
    if (listed) return listed.has(copy);
    return write && (await readStream(this.api, copy, caller)) !== null;
  }

  /**
   * Takes the stream's migration as far as it goes: begins one when `wanted` and none is in
   * progress, waits for a live owner, takes over from a gone one, finishes it, or rolls it back.
   * @param target the create request of the new stream (the declaration's config)
   * @param allowLoss the declaration's `allowDataLoss`: the new stream may keep fewer messages
   * @throws StreamMigrationError naming the stream that holds every message when it cannot go on
   */
  run(name: string, target: StreamRequestConfig, caller: ApiCaller, wanted: boolean, allowLoss = false): Promise<MigrationOutcome> {
    let running = this.running.get(name);
    if (!running) {
      const run = new MigrationRun(this.api, caller, name, this.me, target, targetHash(target), this.logger, this.settings, allowLoss);
      running = this.loop(run, wanted).finally(() => {
        this.running.delete(name);
        this.presence.forget(name);
      });
      this.running.set(name, running);
    }
    return running;
  }

  /** The stream's durable and ephemeral consumer names (what a migration keeps and drops). */
  async consumers(name: string, caller: ApiCaller): Promise<{ durable: string[]; ephemeral: string[] }> {
    const all = await this.api.listConsumers(name, caller);
    return { durable: all.filter(isDurable).map((c) => c.name), ephemeral: all.filter((c) => !isDurable(c)).map((c) => c.name) };
  }

  /** The marker of the stream's migration in progress, for plans; undefined when there is none. */
  async inProgress(name: string, caller: ApiCaller): Promise<{ phase: string; owner: string } | undefined> {
    const copy = await readStream(this.api, migrationStreamName(name), caller);
    const marker = copy ? decodeMarker(copy.config.description) : undefined;
    return marker && { phase: marker.phase, owner: marker.owner };
  }

  private async loop(run: MigrationRun, wanted: boolean): Promise<MigrationOutcome> {
    const stop = await this.presence.announce(this.me);
    const wantedAtFirst = wanted;
    let dropped: string[] = [];
    let started = false;
    let seen = false;
    const waited = { progress: '', since: Date.now(), logged: false };
    try {
      for (;;) {
        const view = await this.observe(run, wanted);
        const stage = nextStage(view);
        // Once a migration is seen, this call only follows it: after it ends, the stream is compared again.
        if (view.marker) {
          seen = true;
          wanted = false;
        }
        try {
          switch (stage) {
            case 'idle':
              return { migrated: seen, started, info: view.stream, kept: [], dropped };
            case 'foreign':
              throw new StreamMigrationError(
                run.name,
                view.stream ? run.name : run.copyName,
                `stream "${run.copyName}" exists but holds no migration marker of this library; it was left untouched. Inspect it, move its messages back if it holds them, and delete it`,
              );
            case 'wait':
              await this.waitFor(run, view, waited);
              break;
            case 'claim':
              run.log(`taking over from instance ${view.marker?.owner}, which is gone`);
              await run.claim();
              break;
            case 'start':
              dropped = await this.guard(run, 'start', () => startMigration(run, view.stream as ServerStreamInfo));
              started = true;
              break;
            case 'retire':
              await this.guard(run, 'retire', () => retireOriginal(run, view.marker!));
              break;
            case 'rollback':
              await rollBack(run, view.marker!);
              seen = false;
              wanted = wantedAtFirst;
              break;
            case 'rebuild': {
              const { info, placed } = await this.guard(run, 'rebuild', () => rebuildStream(run, view.marker!));
              return { migrated: true, started, info, kept: placed, dropped };
            }
            case 'settle':
              return { migrated: true, started, info: await settleStream(run), kept: [], dropped };
          }
        } catch (err) {
          if (!(err instanceof SupersededError)) throw err;
        }
      }
    } finally {
      stop();
    }
  }

  /** The server's view of the stream and its copy (the copy first: it outlives the original). */
  private async observe(run: MigrationRun, wanted: boolean): Promise<MigrationView> {
    const copy = await run.info(run.copyName);
    const stream = await run.info(run.name);
    const marker = copy ? decodeMarker(copy.config.description) : undefined;
    const owner = marker ? await this.presence.ownerState(run.name, marker, this.me) : 'me';
    return { stream, copy, marker, owner, target: run.targetHash, wanted };
  }

  /**
   * Waits one poll for another instance's migration; fails when nothing moved (phase, messages)
   * for `stallMs`.
   */
  private async waitFor(
    run: MigrationRun,
    view: MigrationView,
    waited: { progress: string; since: number; logged: boolean },
  ): Promise<void> {
    const marker = view.marker!;
    if (!waited.logged) {
      run.log(`waiting for instance ${marker.owner}, which is migrating it (${marker.phase})`);
      waited.logged = true;
    }
    const progress = [marker.owner, marker.phase, view.stream?.state.messages, view.stream?.state.last_seq, view.copy?.state.messages].join(
      '|',
    );
    if (progress !== waited.progress) {
      waited.progress = progress;
      waited.since = Date.now();
    } else if (Date.now() - waited.since > this.settings.stallMs) {
      throw new StreamMigrationError(
        run.name,
        view.stream && !sourcesCopy(view.stream.config) ? run.name : run.copyName,
        `instance ${marker.owner} is migrating it and made no progress for ${this.settings.stallMs} ms (${marker.phase})`,
      );
    }
    await sleep(this.settings.pollMs);
  }

  /**
   * Runs a stage of this instance's own migration. A failure before the original is deleted rolls
   * the migration back (the original gets its subjects again); after it, the migration is left
   * for the next ensure (of any instance) to finish, and the error names the stream holding the
   * messages.
   */
  private async guard<T>(run: MigrationRun, stage: 'start' | 'retire' | 'rebuild', act: () => Promise<T>): Promise<T> {
    try {
      return await act();
    } catch (err) {
      if (err instanceof SupersededError) throw err;
      const reason = err instanceof StreamMigrationError ? err.reason : (err as Error).message;
      if (stage === 'rebuild') {
        const copy = await run.info(run.copyName).catch(() => null);
        throw new StreamMigrationError(
          run.name,
          copy ? run.copyName : run.name,
          `${reason}; ensure the stream again to finish the migration`,
          { cause: err },
        );
      }
      if (stage === 'retire') {
        try {
          await rollBack(run, (await run.ownMarker()).marker);
        } catch (rollbackError) {
          // The original is gone (its delete was applied after all) or another instance took over: go on from there.
          if (rollbackError instanceof SupersededError) throw rollbackError;
          throw new StreamMigrationError(run.name, run.name, `${reason}; rolling back failed too (${(rollbackError as Error).message})`, {
            cause: err,
          });
        }
      }
      throw err instanceof StreamMigrationError
        ? err
        : new StreamMigrationError(run.name, run.name, `${reason}. Nothing was lost: it was rolled back`, { cause: err });
    }
  }
}
