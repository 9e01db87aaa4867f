import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ConnectionService } from '../connection/connection.service.js';
import { OwnerConnection } from '../connection/owner-connection.js';
import { StreamMigrationError } from '../errors/stream-migration.error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { JetStreamApi, type ApiCaller, type ApiConnection } from '../jetstream/jetstream-api.js';
import { KvRecordStore } from '../jetstream/kv-record-store.js';
import { logContext, STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { sleep } from '../timers.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import { createRequest } from '../declaration/stream-diff.js';
import { isDurable } from './consumer-records.js';
import { checkMigration } from './migration-checks.js';
import { decodeMarker, isHeld, migrationStreamName, sourcesCopy, targetHash } from './migration-marker.js';
import { decodeRecord, recordKey } from './migration-record.js';
import { MigrationRun, OwnerLostError, readStream, type MigrationApi, type MigrationSpec, type MigrationTiming } from './migration-run.js';
import { runMigration } from './migration-loop.js';
import { PRESENCE_TIMING, type PresenceTiming } from './owner-presence.js';

/** What a call of {@link StreamMigrator.run} did. */
export interface MigrationOutcome {
  /**
   * A migration ran to its end (begun here, or finished or waited for on behalf of another
   * instance). False when none was in progress or the one in progress was rolled back while its
   * original was intact: the stream is then reconciled as usual.
   */
  migrated: boolean;
  /** This call began the migration. */
  started: boolean;
  /** The stream's info at the end, or null when it does not exist. */
  info: ServerStreamInfo | null;
  /** Durable consumers placed on the new stream (when this instance placed them). */
  kept: string[];
  /** Ephemeral consumers that did not survive (when this instance began the migration). */
  dropped: string[];
  /**
   * Set when the stream was built again from its copy with its previous config (the target could
   * not hold every message): why. It holds every message and serves its subjects.
   */
  rolledBack?: string;
}

/** Settings of a {@link StreamMigrator}. */
export interface MigratorSettings extends MigrationTiming {
  /** How waiters ping an owner. */
  presence: PresenceTiming;
  /** Runs one call makes at most when the connection of its run closes under it (each with a new connection and id). */
  runs: number;
}

/**
 * The timing of migrations from the module options: a wait fails after `operationTimeoutMs` (at
 * least a minute) without progress; a taker-over pauses `requestTimeoutMs` (at least 1 s) before
 * its first write.
 */
export function migratorSettings(options: Pick<ResolvedStreamsOptions, 'operationTimeoutMs' | 'requestTimeoutMs'>): MigratorSettings {
  return {
    stallMs: Math.max(options.operationTimeoutMs, 60_000),
    pollMs: 250,
    settleMs: Math.max(options.requestTimeoutMs, 1_000),
    presence: PRESENCE_TIMING,
    runs: 3,
  };
}

/**
 * Runs migrations (`onConflict: 'migrate'`) so that no crash, pause or lost connection of any
 * instance loses a message. The migration's owner and recorded configs live in a record of the
 * library's key-value bucket (compare-and-set), its progress on the server; each run reads the
 * server, decides the next stage (`nextStage`) and carries it out, until the migration is done.
 *
 * Every request of a run goes over a connection of its own that never reconnects, and the run
 * answers its presence pings on it; it stops at once when that connection closes. Another
 * instance takes a migration over only when its owner's presence gets "no responders": the server
 * has then closed the owner's connection and reads nothing more from it, so no late request of the
 * owner can arrive after the takeover. An owner that does not answer (frozen, cut off) is waited
 * for. Concurrent calls for one stream in one process share one run.
 */
@Injectable()
export class StreamMigrator {
  private readonly running = new Map<string, Promise<MigrationOutcome>>();
  private readonly logger: Logger;
  private readonly settings: MigratorSettings;

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    /** Reads outside a run; each run sends over its own connection through `api.over`. */
    @Inject(JetStreamApi) private readonly api: MigrationApi & Pick<JetStreamApi, 'over'>,
    /** The module's connection: reads of the records for plans, and the server's facts. */
    private readonly connection: ConnectionService,
  ) {
    this.logger = new Logger(logContext(options.name));
    this.settings = migratorSettings(options);
  }

  /**
   * Whether a migration of the stream is in progress or was left unfinished: the stream captures
   * only its hold subject or sources its copy, or the copy exists with this library's marker
   * (`listed`, every stream from a list call, tells; else the copy is read when `read`).
   */
  async pending(
    name: string,
    current: ServerStreamInfo | null,
    caller: ApiCaller,
    read: boolean,
    listed?: ReadonlyMap<string, ServerStreamInfo>,
  ): Promise<boolean> {
    if (current && (isHeld(current.config) || sourcesCopy(current.config))) return true;
    const copyName = migrationStreamName(name);
    const copy = listed ? (listed.get(copyName) ?? null) : read ? await readStream(this.api, copyName, caller) : null;
    return !!copy && decodeMarker(copy.config.description)?.stream === name;
  }

  /**
   * Takes the stream's migration as far as it goes: begins one when `wanted` and none is in
   * progress, waits for a live owner, takes over from a gone one, finishes it, or rolls it back.
   * @throws StreamMigrationError naming the stream that holds every message when it cannot go on
   */
  run(desired: DesiredStream, caller: ApiCaller, wanted: boolean): Promise<MigrationOutcome> {
    let running = this.running.get(desired.name);
    if (!running) {
      running = this.runs(this.spec(desired), caller, wanted).finally(() => this.running.delete(desired.name));
      this.running.set(desired.name, running);
    }
    return running;
  }

  /**
   * Why a migration of `current` to the declaration would be refused before anything is written
   * (see `checkMigration`), or undefined when it would start. Reads only.
   */
  async refusal(desired: DesiredStream, current: ServerStreamInfo, caller: ApiCaller): Promise<StreamMigrationError | undefined> {
    const durable = (await this.api.listConsumers(desired.name, caller)).filter(isDurable);
    try {
      await checkMigration(this.api, this.spec(desired), current, durable, caller);
      return undefined;
    } catch (err) {
      if (err instanceof StreamMigrationError) return err;
      throw err;
    }
  }

  /** The stream's durable and ephemeral consumer names (what a migration keeps and drops). */
  async consumers(name: string, caller: ApiCaller): Promise<{ durable: string[]; ephemeral: string[] }> {
    const all = await this.api.listConsumers(name, caller);
    return { durable: all.filter(isDurable).map((c) => c.name), ephemeral: all.filter((c) => !isDurable(c)).map((c) => c.name) };
  }

  /** The migration of the stream in progress (phase, owner), for plans and reports; undefined when there is none. */
  async inProgress(name: string, caller: ApiCaller): Promise<{ phase: string; owner: string } | undefined> {
    const stored = await this.store(this.api, this.connection, caller).get(recordKey(name));
    const record = stored && decodeRecord(stored.value, name);
    return record && { phase: record.phase, owner: record.owner };
  }

  /** One call: runs, each with a new connection, as long as the connection of the last one closed under it. */
  private async runs(spec: MigrationSpec, caller: ApiCaller, wanted: boolean): Promise<MigrationOutcome> {
    const { logger, settings } = this;
    for (let attempt = 1; ; attempt++) {
      const me = randomBytes(6).toString('hex');
      let connection: OwnerConnection;
      try {
        connection = await OwnerConnection.open(this.options, `migration ${me}`);
      } catch (err) {
        if (attempt >= settings.runs) {
          throw new StreamMigrationError(
            spec.name,
            spec.name,
            `no connection of its own could be opened for the migration (${(err as Error).message})`,
            { cause: err },
          );
        }
        await sleep(settings.settleMs);
        continue;
      }
      const api = this.api.over(connection);
      const run = new MigrationRun(
        api,
        this.store(api, connection, caller),
        connection,
        caller,
        me,
        spec,
        targetHash(spec.target),
        logger,
        settings,
      );
      try {
        return await runMigration(run, wanted, settings);
      } catch (err) {
        if (!(err instanceof OwnerLostError)) throw err;
        if (attempt >= settings.runs) {
          throw new StreamMigrationError(
            spec.name,
            spec.name,
            `the connection of this instance's migration run closed ${attempt} times; another instance takes it over once the server has closed the connection, or ensure the stream again`,
            { cause: err },
          );
        }
        logger.warn(
          `Migration of stream "${spec.name}": the connection of this instance's run closed; it stops acting, and goes on as a new run on a new connection (taking the migration over only once the server has closed the old one)`,
        );
        // The new run only follows what is in progress: the declaration is compared again after it.
        wanted = false;
        await sleep(settings.settleMs);
      } finally {
        await connection.close();
      }
    }
  }

  private spec(desired: DesiredStream): MigrationSpec {
    const { version } = this.connection.serverFacts();
    return {
      name: desired.name,
      target: createRequest(desired.config, version),
      allowLoss: desired.policy.allowDataLoss,
      resumeDownstream: desired.policy.downstream === 'resume',
      version,
    };
  }

  private store(api: Pick<JetStreamApi, 'createStream' | 'getMessage'>, connection: ApiConnection, caller: ApiCaller): KvRecordStore {
    const { apiPrefix, requestTimeoutMs } = this.options;
    return new KvRecordStore(api, connection, { apiPrefix, requestTimeoutMs, clustered: this.connection.serverFacts().clustered }, caller);
  }
}
