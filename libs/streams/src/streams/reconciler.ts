import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConnectionService } from '../connection/connection.service.js';
import { ErrCode } from '../errors/err-codes.js';
import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import { errCodeOf } from '../errors/to-streams-error.js';
import type { ServerStreamInfo } from '../jetstream/api-types.js';
import { JetStreamApi, type ApiCaller } from '../jetstream/jetstream-api.js';
import { migrationStreamName } from '../migration/migration-marker.js';
import { describeMigration } from '../migration/migration-plan.js';
import type { MigrationApi } from '../migration/migration-run.js';
import { migratorSettings, StreamMigrator } from '../migration/stream-migrator.js';
import { logContext, STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { mapConcurrent } from './map-concurrent.js';
import type { DesiredStream } from './stream-config.js';
import { decide, type Comparison } from './stream-decision.js';
import { createRequest, diffStreamConfig } from './stream-diff.js';
import { StreamInfoCache } from './stream-info-cache.js';
import type { EnsureBatchResult, EnsureResult, StreamPlan } from './stream-results.js';
import { StreamWriter } from './stream-writer.js';
import { indexSubjects, overlappingStream } from './subject-overlap.js';
import type { SubjectIndex } from './subject-index.js';

/** The JetStream API calls the reconciler reads with (a fake of them unit-tests it). */
export type ReconcilerApi = Pick<JetStreamApi, 'streamInfo' | 'listStreams'>;

/** How often a create that raced another instance is re-read and reconciled again. */
const MAX_RACES = 3;

/**
 * Makes streams on the server match their declarations: reads what the server holds, compares
 * (`decide`), and carries out the decision — create, update in place, the declared conflict
 * policy — or, as a plan, reports it without writing. Writes are decided on fresh reads only.
 */
@Injectable()
export class Reconciler {
  private readonly logger: Logger;
  private readonly migrator: StreamMigrator;

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    @Inject(JetStreamApi) private readonly api: ReconcilerApi,
    private readonly writer: StreamWriter,
    private readonly cache: StreamInfoCache,
    private readonly connection: ConnectionService,
    @Inject(JetStreamApi) migrationApi: MigrationApi,
  ) {
    this.logger = new Logger(logContext(options.name));
    this.migrator = new StreamMigrator(migrationApi, () => connection.getConnection(), this.logger, migratorSettings(options));
  }

  /** The stream's info (cached unless `fresh`), or null when the server says it does not exist. */
  async read(name: string, caller: ApiCaller, fresh = true): Promise<ServerStreamInfo | null> {
    try {
      return await this.cache.get(name, () => this.api.streamInfo(name, caller), fresh);
    } catch (err) {
      if (err instanceof StreamNotFoundError) return null;
      throw err;
    }
  }

  /** Compares a declaration with the stream on the server (no I/O). */
  compare(desired: DesiredStream, current: ServerStreamInfo | null): Comparison {
    const diff = current
      ? diffStreamConfig(desired.config, current.config, this.connection.serverFacts().version)
      : { changes: [], conflicts: [] };
    return { desired, current, diff };
  }

  /**
   * Ensures one stream on a fresh read. A create that races another instance (the name is taken,
   * or on 2.9 "subjects overlap" with the stream being created) is read again and reconciled.
   */
  async ensure(desired: DesiredStream, caller: ApiCaller): Promise<EnsureResult> {
    for (let race = 0; ; race++) {
      const current = await this.read(desired.name, caller);
      try {
        return await this.apply(this.compare(desired, current), caller);
      } catch (err) {
        if (race >= MAX_RACES || current || !(await this.lostRace(err, desired, caller))) throw err;
      }
    }
  }

  /**
   * Ensures many streams: one paginated list reads them all, matching ones are settled at once,
   * the rest written `concurrency` at a time (each on a fresh read if its write races). Every item
   * gets a result, in input order; invalid items are `failed` with their error.
   */
  async ensureAll(prepared: Array<DesiredStream | Error>, names: string[], caller: ApiCaller): Promise<EnsureBatchResult[]> {
    const results = new Array<EnsureBatchResult>(prepared.length);
    const existing = prepared.some((p) => !(p instanceof Error)) ? await this.listAll(caller) : new Map<string, ServerStreamInfo>();
    const writes: Array<{ index: number; comparison: Comparison }> = [];
    prepared.forEach((item, index) => {
      if (item instanceof Error) {
        results[index] = failed(names[index], item);
        return;
      }
      const comparison = this.compare(item, existing.get(item.name) ?? null);
      if (comparison.current && comparison.diff.changes.length === 0 && !existing.has(migrationStreamName(item.name))) {
        results[index] = { name: item.name, action: 'unchanged', changes: [], info: comparison.current };
      } else {
        writes.push({ index, comparison });
      }
    });
    await mapConcurrent(writes, this.options.concurrency, async ({ index, comparison }) => {
      const itemCaller = { ...caller, stream: comparison.desired.name };
      try {
        results[index] = await this.apply(comparison, itemCaller, existing).catch(async (err: unknown) => {
          if (comparison.current || !(await this.lostRace(err, comparison.desired, itemCaller))) throw err;
          return this.ensure(comparison.desired, itemCaller);
        });
      } catch (err) {
        results[index] = failed(comparison.desired.name, err as Error);
      }
    });
    return results;
  }

  /** What `ensure` would do for one stream, without writing anything. */
  async plan(desired: DesiredStream, caller: ApiCaller): Promise<StreamPlan> {
    const current = await this.read(desired.name, caller);
    const comparison = this.compare(desired, current);
    const needsOthers = !current || comparison.diff.changes.some((c) => c.field === 'subjects');
    const others = needsOthers ? indexSubjects(await this.api.listStreams(caller)) : undefined;
    return describeMigration(this.migrator, this.toPlan(comparison, others), current, caller);
  }

  /** What `ensureAll` would do for each stream; invalid items are `invalid` with their error. */
  async planAll(prepared: Array<DesiredStream | Error>, names: string[], caller: ApiCaller): Promise<StreamPlan[]> {
    const existing = await this.listAll(caller);
    const others = indexSubjects(existing.values());
    const plans = prepared.map((item, index): StreamPlan => {
      if (item instanceof Error) return { name: names[index], action: 'invalid', changes: [], conflicts: [], error: item };
      try {
        return this.toPlan(this.compare(item, existing.get(item.name) ?? null), others);
      } catch (err) {
        return { name: item.name, action: 'invalid', changes: [], conflicts: [], error: err as Error };
      }
    });
    return Promise.all(plans.map((plan) => describeMigration(this.migrator, plan, existing.get(plan.name) ?? null, caller, existing)));
  }

  /** Every stream's info by name, read with the paginated list call; refreshes the cache. */
  async listAll(caller: ApiCaller): Promise<Map<string, ServerStreamInfo>> {
    const mark = this.cache.mark();
    const infos = await this.api.listStreams(caller);
    this.cache.refreshFromList(infos, mark);
    return new Map(infos.map((info) => [info.config.name, info]));
  }

  /** Carries out what a comparison calls for. */
  private async apply(comparison: Comparison, caller: ApiCaller, listed?: ReadonlyMap<string, unknown>): Promise<EnsureResult> {
    const { desired, current, diff } = comparison;
    const decision = decide(comparison);
    // A migration in progress (or left unfinished) is finished or waited for before anything is written.
    const writes = decision.action === 'create' || decision.action === 'update' || decision.action === 'recreate';
    if (decision.action !== 'migrate' && (await this.migrator.pending(desired.name, current, caller, writes, listed))) {
      return this.migrate(comparison, false, caller);
    }
    switch (decision.action) {
      case 'conflict':
        throw decision.error;
      case 'unchanged':
        return { name: desired.name, action: 'unchanged', changes: [], info: current as ServerStreamInfo };
      case 'create': {
        const info = await this.writer.create(desired, caller);
        return { name: desired.name, action: info.did_create === false ? 'unchanged' : 'created', changes: [], info };
      }
      case 'update':
        return { name: desired.name, action: 'updated', changes: diff.changes, info: await this.writer.update(desired, current as ServerStreamInfo, caller) };
      case 'recreate': {
        const { info, droppedConsumers } = await this.writer.recreate(desired, current as ServerStreamInfo, caller);
        return { name: desired.name, action: 'recreated', changes: diff.changes, info, droppedConsumers };
      }
      case 'migrate':
        return this.migrate(comparison, true, caller);
    }
  }

  /**
   * Runs the stream's migration (begins it when `wanted`, else finishes or waits for the one in
   * progress), then reconciles whatever still differs: a rolled-back migration, or one that another
   * instance took to another target.
   */
  private async migrate(comparison: Comparison, wanted: boolean, caller: ApiCaller): Promise<EnsureResult> {
    const { desired, diff } = comparison;
    try {
      const target = createRequest(desired.config, this.connection.serverFacts().version);
      const outcome = await this.migrator.run(desired.name, target, { operation: 'migrateStream', stream: desired.name }, wanted);
      const after = this.compare(desired, outcome.info);
      if (!outcome.migrated || (!outcome.started && after.diff.changes.length > 0)) return await this.apply(after, caller);
      const { kept: keptConsumers, dropped: droppedConsumers } = outcome;
      return { name: desired.name, action: 'migrated', changes: diff.changes, info: outcome.info as ServerStreamInfo, keptConsumers, droppedConsumers };
    } finally {
      this.cache.delete(desired.name);
    }
  }

  /**
   * Whether a failed create lost a race to another instance creating the same stream: the name
   * is taken, or (2.9) the server said "subjects overlap" and the stream now exists.
   */
  private async lostRace(err: unknown, desired: DesiredStream, caller: ApiCaller): Promise<boolean> {
    const code = errCodeOf(err);
    if (code === ErrCode.StreamNameInUse) return true;
    if (code !== ErrCode.SubjectsOverlap) return false;
    return (await this.read(desired.name, caller)) !== null;
  }

  private toPlan({ desired, current, diff }: Comparison, others: SubjectIndex<ServerStreamInfo> | undefined): StreamPlan {
    const base = { name: desired.name, changes: diff.changes, conflicts: diff.conflicts };
    const other = others && (!current || diff.changes.some((c) => c.field === 'subjects')) ? overlappingStream(desired, others) : undefined;
    if (other) {
      const error = new InvalidStreamConfigError(desired.name, 'subjects', `overlap with stream "${other.name}" on the server`, {
        otherStream: other.name,
      });
      return { ...base, action: 'invalid', error };
    }
    const decision = decide({ desired, current, diff });
    return decision.action === 'conflict' ? { ...base, action: 'conflict', error: decision.error } : { ...base, action: decision.action };
  }
}

function failed(name: string, error: Error): EnsureBatchResult {
  return { name, action: 'failed', changes: [], error };
}
