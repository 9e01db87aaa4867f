import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Observable, Subject } from 'rxjs';
import { ConnectionService } from '../connection/connection.service.js';
import { ErrCode } from '../errors/err-codes.js';
import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import { StreamOfflineError } from '../errors/stream-offline.error.js';
import { errCodeOf } from '../errors/to-streams-error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { JetStreamApi, type ApiCaller } from '../jetstream/jetstream-api.js';
import { isLibraryStream } from '../jetstream/library-bucket.js';
import { StreamMigrationError } from '../errors/stream-migration.error.js';
import { migrationStreamName } from '../migration/migration-marker.js';
import { describeMigration } from './migration-plan.js';
import type { MigrationApi } from '../migration/migration-run.js';
import { migratorSettings, StreamMigrator } from '../migration/stream-migrator.js';
import { logContext, STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { mapConcurrent } from './map-concurrent.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import type { ProbeApi } from './data-loss-probes.js';
import { LossGuard, removed } from './loss-guard.js';
import { decide, type Comparison } from './stream-decision.js';
import { diffStreamConfig } from '../declaration/stream-diff.js';
import { StreamInfoCache } from './stream-info-cache.js';
import type { EnsureAction, EnsureBatchResult, EnsureResult, StreamPlan } from './stream-results.js';
import { StreamWriter } from './stream-writer.js';
import { ConsumerReconciler } from './consumer-reconciler.js';
import { indexSubjects, overlappingStream } from './subject-overlap.js';
import type { SubjectIndex } from '../declaration/subject-index.js';

/** The JetStream API calls the reconciler reads with (a fake of them unit-tests it). */
export type ReconcilerApi = Pick<JetStreamApi, 'streamInfo' | 'listStreams'> & ProbeApi;

/** One stream reconciled by `ensure` or `ensureAll`, as {@link Reconciler.results$} reports it. */
export interface ReconcileEvent {
  /** The library operation, e.g. `ensureStream`. */
  operation: string;
  /** Its result; `failed` (with the error) when it threw. */
  result: EnsureBatchResult;
}

/** How often a create that raced another instance is re-read and reconciled again. */
const MAX_RACES = 3;

/**
 * Migrations one ensure goes through at most: another instance's (finished or rolled back), then
 * its own; a stream that still calls for one after that is an error, never a loop.
 */
const MAX_MIGRATIONS = 2;

/**
 * Makes streams on the server match their declarations: reads what the server holds, compares
 * (`decide`), and carries out the decision — create, update in place, the declared conflict
 * policy — or, as a plan, reports it without writing. Writes are decided on fresh reads only.
 */
@Injectable()
export class Reconciler {
  private readonly logger: Logger;
  private readonly results = new Subject<ReconcileEvent>();
  private readonly migrator: StreamMigrator;

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    @Inject(JetStreamApi) private readonly api: ReconcilerApi,
    private readonly writer: StreamWriter,
    private readonly cache: StreamInfoCache,
    private readonly connection: ConnectionService,
    @Inject(JetStreamApi) migrationApi: MigrationApi & Pick<JetStreamApi, 'over'>,
    private readonly consumers: ConsumerReconciler,
    private readonly guard: LossGuard,
  ) {
    this.logger = new Logger(logContext(options.name));
    this.migrator = new StreamMigrator({
      api: migrationApi,
      connection,
      options,
      facts: () => connection.serverFacts(),
      logger: this.logger,
      settings: migratorSettings(options),
    });
  }

  /**
   * One event per stream that `ensure` / `ensureAll` reconciled on a read of the server (an
   * ensure answered from the cache is not one), with its result. Costs nothing without subscribers.
   */
  get results$(): Observable<ReconcileEvent> {
    return this.results.asObservable();
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
    try {
      return this.report(caller, await this.settle(desired, caller));
    } catch (err) {
      this.report(caller, failed(desired.name, err as Error));
      throw err;
    }
  }

  private async settle(desired: DesiredStream, caller: ApiCaller): Promise<EnsureResult> {
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
    const offline = new Map<string, string>();
    const existing = prepared.some((p) => !(p instanceof Error))
      ? await this.listAll(caller, offline)
      : new Map<string, ServerStreamInfo>();
    const writes: Array<{ index: number; comparison: Comparison }> = [];
    prepared.forEach((item, index) => {
      if (item instanceof Error) {
        results[index] = failed(names[index], item);
        return;
      }
      // Not missing: the server holds it but cannot run it. Never created again nor changed.
      const away = offline.get(item.name);
      if (away !== undefined) {
        results[index] = failed(item.name, new StreamOfflineError(item.name, away));
        return;
      }
      const comparison = this.compare(item, existing.get(item.name) ?? null);
      if (comparison.current && comparison.diff.changes.length === 0 && !item.consumers && !existing.has(migrationStreamName(item.name))) {
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
          return this.settle(comparison.desired, itemCaller);
        });
      } catch (err) {
        results[index] = failed(comparison.desired.name, err as Error);
      }
    });
    for (const result of results) this.report(caller, result);
    return results;
  }

  /** What `ensure` would do for one stream, without writing anything. */
  async plan(desired: DesiredStream, caller: ApiCaller): Promise<StreamPlan> {
    let current: ServerStreamInfo | null;
    try {
      current = await this.read(desired.name, caller);
    } catch (err) {
      if (err instanceof StreamOfflineError) return offlinePlan(err);
      throw err;
    }
    const comparison = this.compare(desired, current);
    const needsOthers = !current || comparison.diff.changes.some((c) => c.field === 'subjects');
    const others = needsOthers ? indexSubjects(await this.api.listStreams(caller)) : undefined;
    return describeMigration(this.migrator, await this.toPlan(comparison, others, caller), desired, current, caller);
  }

  /** What `ensureAll` would do for each stream; invalid items are `invalid` with their error. */
  async planAll(prepared: Array<DesiredStream | Error>, names: string[], caller: ApiCaller): Promise<StreamPlan[]> {
    const offline = new Map<string, string>();
    const existing = await this.listAll(caller, offline);
    const others = indexSubjects(existing.values());
    const plans = await mapConcurrent(prepared, this.options.concurrency, async (item, index): Promise<StreamPlan> => {
      if (item instanceof Error) return { name: names[index], action: 'invalid', changes: [], conflicts: [], error: item };
      const away = offline.get(item.name);
      if (away !== undefined) return offlinePlan(new StreamOfflineError(item.name, away));
      try {
        return await this.toPlan(this.compare(item, existing.get(item.name) ?? null), others, { ...caller, stream: item.name });
      } catch (err) {
        return { name: item.name, action: 'invalid', changes: [], conflicts: [], error: err as Error };
      }
    });
    return Promise.all(
      plans.map((plan, index) => {
        const item = prepared[index];
        const desired = item instanceof Error ? undefined : item;
        return describeMigration(this.migrator, plan, desired, existing.get(plan.name) ?? null, caller, existing);
      }),
    );
  }

  /**
   * Every stream's info by name, read with the paginated list call (the library's own bucket left
   * out: it is no stream of the app's); refreshes the cache. The streams the server has offline
   * (2.12+) are added to `offline` when given, with the server's reason.
   */
  async listAll(caller: ApiCaller, offline?: Map<string, string>): Promise<Map<string, ServerStreamInfo>> {
    const mark = this.cache.mark();
    const infos = await this.api.listStreams(caller, undefined, offline);
    this.cache.refreshFromList(infos, mark);
    return new Map(infos.filter((info) => !isLibraryStream(info.config.name)).map((info) => [info.config.name, info]));
  }

  private report<T extends EnsureBatchResult>(caller: ApiCaller, result: T): T {
    if (this.results.observed) this.results.next({ operation: caller.operation, result });
    return result;
  }

  /**
   * Carries out what a comparison calls for, for the stream and then its declared consumers (whose
   * refusals are raised before the stream is written).
   */
  private async apply(comparison: Comparison, caller: ApiCaller, listed?: ReadonlyMap<string, ServerStreamInfo>): Promise<EnsureResult> {
    // 'create' and 'verify' never take part in a migration: it is reported, before any consumer is looked at.
    if (comparison.desired.policy.mode !== 'manage' && (await this.pendingMigration(comparison, caller, listed))) {
      return this.migrating(comparison, caller);
    }
    // A recreate drops every consumer: the declared ones are then simply created.
    const replaced = comparison.current && decide(comparison).action === 'recreate' ? null : comparison.current;
    const consumers = await this.consumers.check(comparison.desired, replaced, caller);
    const result = await this.applyStream(comparison, caller, listed);
    return consumers ? { ...result, consumers: await this.consumers.apply(consumers, result, caller) } : result;
  }

  /**
   * Carries out what a comparison calls for, for the stream alone. `migrations`: how many this
   * ensure went through already.
   */
  private async applyStream(
    comparison: Comparison,
    caller: ApiCaller,
    listed?: ReadonlyMap<string, ServerStreamInfo>,
    migrations = 0,
  ): Promise<EnsureResult> {
    const { desired, diff } = comparison;
    const current = comparison.current as ServerStreamInfo;
    const first = decide(comparison);
    // A migration in progress (or left unfinished) is finished or waited for before anything is written.
    if (first.action !== 'migrate' && desired.policy.mode === 'manage' && (await this.pendingMigration(comparison, caller, listed))) {
      return this.migrate(comparison, false, caller, migrations);
    }
    const { decision, loss } = await this.guard.judge(comparison, first, caller);
    const result = (action: EnsureAction, info: ServerStreamInfo): EnsureResult => ({
      name: desired.name,
      action,
      changes: action === 'created' ? [] : diff.changes,
      info,
      ...(loss ? { dataLoss: loss, removed: removed(current, info) } : {}),
    });
    if (decision.error) throw decision.error;
    switch (decision.action) {
      case 'unchanged':
        return result('unchanged', current);
      case 'drifted':
        this.logger.warn(
          `Stream "${desired.name}" differs from its declaration (mode 'create': not updated): ${diff.changes.map((c) => c.field).join(', ')}`,
        );
        return result('drifted', current);
      case 'create': {
        const info = await this.writer.create(desired, caller);
        return result('created', info);
      }
      case 'update':
        return this.guard.logged(result('updated', await this.writer.update(desired, current, caller)));
      case 'recreate': {
        const { info, droppedConsumers } = await this.writer.recreate(desired, current, caller);
        return this.guard.logged({ ...result('recreated', info), droppedConsumers });
      }
      default: {
        const migrated = await this.migrate(comparison, true, caller, migrations);
        return this.guard.logged(loss ? { ...migrated, dataLoss: loss, removed: removed(current, migrated.info) } : migrated);
      }
    }
  }

  /**
   * Whether a migration of the stream is in progress or left unfinished: the stream looks
   * mid-migration, or its copy carries the library's marker (read from `listed`, else one
   * STREAM.INFO of the copy when the decision would write, or, for a `create` or `verify` stream,
   * report a missing or drifted stream).
   */
  private pendingMigration(comparison: Comparison, caller: ApiCaller, listed?: ReadonlyMap<string, ServerStreamInfo>): Promise<boolean> {
    const { action } = decide(comparison);
    const writes = action === 'create' || action === 'update' || action === 'recreate';
    const read = comparison.desired.policy.mode === 'manage' ? writes : action !== 'unchanged';
    return this.migrator.pending(comparison.desired.name, comparison.current, caller, read, listed);
  }

  /**
   * What a `create` or `verify` stream reports while a migration is in progress: `migrating`,
   * with what the migration's record says; nothing is written.
   */
  private async migrating(comparison: Comparison, caller: ApiCaller): Promise<EnsureResult> {
    const { desired, diff, current } = comparison;
    const copy = current ? null : await this.read(migrationStreamName(desired.name), caller);
    const progress = await this.migrator.inProgress(desired.name, caller).catch(() => undefined);
    const holdingStream = current ? desired.name : migrationStreamName(desired.name);
    this.logger.warn(
      `Stream "${desired.name}" is being migrated${progress ? ` (${progress.phase}, instance ${progress.owner})` : ''}: ` +
        `its mode '${desired.policy.mode}' never takes part in a migration, so nothing was written; every message is in "${holdingStream}"`,
    );
    return {
      name: desired.name,
      action: 'migrating',
      changes: diff.changes,
      info: (current ?? copy) as ServerStreamInfo,
      migration: { ...(progress ?? {}), holdingStream },
    };
  }

  /**
   * Runs the stream's migration (begins it when `wanted`, else finishes or waits for the one in
   * progress), then reconciles whatever still differs: a rolled-back migration, or one that another
   * instance took to another target.
   */
  private async migrate(comparison: Comparison, wanted: boolean, caller: ApiCaller, migrations: number): Promise<EnsureResult> {
    const { desired, diff } = comparison;
    if (migrations >= MAX_MIGRATIONS) {
      throw new StreamMigrationError(
        desired.name,
        desired.name,
        `it still calls for a migration after ${migrations} (${diff.changes.map((c) => c.field).join(', ')}); ensure it again`,
      );
    }
    try {
      const outcome = await this.migrator.run(desired, { operation: 'migrateStream', stream: desired.name }, wanted);
      if (outcome.rolledBack) {
        throw new StreamMigrationError(
          desired.name,
          desired.name,
          `${outcome.rolledBack}; it was rolled back: the stream was built again from its copy with its previous config, and holds every message`,
        );
      }
      const after = this.compare(desired, outcome.info);
      // Another instance's migration (or a rolled-back one) ends with the stream as it left it: this declaration is applied to it as usual.
      if (!outcome.migrated || after.diff.changes.length > 0) return await this.applyStream(after, caller, undefined, migrations + 1);
      const { kept: keptConsumers, dropped: droppedConsumers } = outcome;
      return {
        name: desired.name,
        action: 'migrated',
        changes: diff.changes,
        info: outcome.info as ServerStreamInfo,
        keptConsumers,
        droppedConsumers,
      };
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

  private async toPlan(comparison: Comparison, others: SubjectIndex<ServerStreamInfo> | undefined, caller: ApiCaller): Promise<StreamPlan> {
    const { desired, current, diff } = comparison;
    const base = { name: desired.name, changes: diff.changes, conflicts: diff.conflicts };
    const other = others && (!current || diff.changes.some((c) => c.field === 'subjects')) ? overlappingStream(desired, others) : undefined;
    if (other) {
      const error = new InvalidStreamConfigError(desired.name, 'subjects', `overlap with stream "${other.name}" on the server`, {
        otherStream: other.name,
      });
      return { ...base, action: 'invalid', error };
    }
    const { decision, loss } = await this.guard.judge(comparison, decide(comparison), caller);
    const plan: StreamPlan = {
      ...base,
      action: decision.action,
      ...(decision.error ? { error: decision.error } : {}),
      ...(loss ? { dataLoss: loss } : {}),
    };
    return this.consumers.plan(plan, desired, current, caller);
  }
}

function failed(name: string, error: Error): EnsureBatchResult {
  return { name, action: 'failed', changes: [], error };
}

/** The plan of a stream the server has offline: nothing would be written. */
function offlinePlan(error: StreamOfflineError): StreamPlan {
  return { name: error.stream, action: 'offline', changes: [], conflicts: [], error };
}
