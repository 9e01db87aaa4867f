import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Observable, Subject } from 'rxjs';
import { ConnectionService } from '../connection/connection.service.js';
import { ErrCode } from '../errors/err-codes.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import { StreamOfflineError } from '../errors/stream-offline.error.js';
import { errCodeOf } from '../errors/to-streams-error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { JetStreamApi, type ApiCaller } from '../jetstream/jetstream-api.js';
import { isLibraryStream } from '../jetstream/library-bucket.js';
import { migrationStreamName } from '../migration/migration-marker.js';
import { StreamMigrator } from '../migration/stream-migrator.js';
import { logContext, STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import { diffStreamConfig } from '../declaration/stream-diff.js';
import { ConsumerReconciler } from './consumer-reconciler.js';
import type { ProbeApi } from './data-loss-probes.js';
import { LossGuard, removed } from './loss-guard.js';
import { migratedResult, reportMigrating, runMigration } from './migration-steps.js';
import { mapConcurrent } from './map-concurrent.js';
import { decide, wanted, type Comparison, type Decision } from './stream-decision.js';
import { readFacts, type FactSources, type Reading } from './stream-facts.js';
import { StreamInfoCache } from './stream-info-cache.js';
import type { EnsureAction, EnsureBatchResult, EnsureResult } from './stream-results.js';
import { StreamWriter } from './stream-writer.js';

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

/** What acting on a decision came to: the result, or the stream as a migration left it, to reconcile again. */
type Acted = { result: EnsureResult; after?: undefined } | { after: ServerStreamInfo | null; result?: undefined };

/**
 * Makes streams on the server match their declarations, one pass per attempt: read the stream,
 * then only what it calls for (`readFacts`), `decide` once, and one `switch` acts (`act`) — create,
 * update in place, recreate, migrate, or report. Plans are the same read and decide, then
 * described without writing. Writes are decided on fresh reads only.
 */
@Injectable()
export class Reconciler implements FactSources {
  private readonly logger: Logger;
  private readonly results = new Subject<ReconcileEvent>();

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    @Inject(JetStreamApi) private readonly api: ReconcilerApi,
    private readonly writer: StreamWriter,
    private readonly cache: StreamInfoCache,
    private readonly connection: ConnectionService,
    /** The declared consumers' reads and writes (one of the sources an attempt reads with). */
    readonly consumers: ConsumerReconciler,
    /** What a write would delete. */
    readonly guard: LossGuard,
    /** Migrations: whether one is in progress, and running them. */
    readonly migrator: StreamMigrator,
  ) {
    this.logger = new Logger(logContext(options.name));
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

  /** Compares a declaration with the stream on the server, and what the differences call for (no I/O). */
  compare(desired: DesiredStream, current: ServerStreamInfo | null): Comparison {
    const diff = current
      ? diffStreamConfig(desired.config, current.config, this.connection.serverFacts().version)
      : { changes: [], conflicts: [] };
    return { desired, current, diff, wants: wanted(desired, current, diff) };
  }

  /** Ensures one stream on a fresh read (see {@link reconcile}). */
  async ensure(desired: DesiredStream, caller: ApiCaller): Promise<EnsureResult> {
    try {
      return this.report(caller, await this.reconcile(desired, await this.read(desired.name, caller), caller));
    } catch (err) {
      this.report(caller, failed(desired.name, err as Error));
      throw err;
    }
  }

  /**
   * Ensures many streams: one paginated list reads them all, matching ones are settled at once,
   * the rest reconciled `concurrency` at a time (each on a fresh read if its write races). Every
   * item gets a result, in input order; invalid items are `failed` with their error.
   */
  async ensureAll(prepared: Array<DesiredStream | Error>, names: string[], caller: ApiCaller): Promise<EnsureBatchResult[]> {
    const results = new Array<EnsureBatchResult>(prepared.length);
    const offline = new Map<string, string>();
    const existing = prepared.some((p) => !(p instanceof Error))
      ? await this.listAll(caller, offline)
      : new Map<string, ServerStreamInfo>();
    const writes: Array<{ index: number; desired: DesiredStream }> = [];
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
      const current = existing.get(item.name);
      // Converged, no consumers to check, no copy listed: what `decide` would say, without a pass.
      if (
        current &&
        !item.consumers &&
        !existing.has(migrationStreamName(item.name)) &&
        this.compare(item, current).wants === 'unchanged'
      ) {
        results[index] = { name: item.name, action: 'unchanged', changes: [], info: current };
      } else {
        writes.push({ index, desired: item });
      }
    });
    await mapConcurrent(writes, this.options.concurrency, async ({ index, desired }) => {
      try {
        results[index] = await this.reconcile(desired, existing.get(desired.name) ?? null, { ...caller, stream: desired.name }, existing);
      } catch (err) {
        results[index] = failed(desired.name, err as Error);
      }
    });
    for (const result of results) this.report(caller, result);
    return results;
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
   * Reconciles one stream from `current` (a fresh read, or the entry of `listed`, every stream of
   * a list call): read what it calls for, decide once, act. Again, on a fresh read, when a create
   * lost a race to another instance (the name is taken, or on 2.9 "subjects overlap" with the
   * stream being created), or when a migration ended with the stream as another instance's
   * migration, or a rolled-back one, left it.
   */
  private async reconcile(
    desired: DesiredStream,
    current: ServerStreamInfo | null,
    caller: ApiCaller,
    listed?: ReadonlyMap<string, ServerStreamInfo>,
  ): Promise<EnsureResult> {
    for (let races = 0, migrations = 0; ;) {
      const reading = await readFacts(this, this.compare(desired, current), caller, listed);
      const decision = decide(reading.facts);
      let acted: Acted;
      try {
        acted = await this.act(reading, decision, caller, migrations);
      } catch (err) {
        if (current || races++ >= MAX_RACES || !(await this.lostRace(err, desired, caller))) throw err;
        current = await this.read(desired.name, caller);
        listed = undefined;
        continue;
      }
      if (acted.result) return acted.result;
      migrations++;
      current = acted.after;
      listed = undefined;
    }
  }

  /** Carries out a decision: the stream's write (or report), then its declared consumers. */
  private async act({ facts, consumers }: Reading, decision: Decision, caller: ApiCaller, migrations: number): Promise<Acted> {
    const { desired, diff } = facts.comparison;
    const current = facts.comparison.current as ServerStreamInfo;
    const { loss } = facts;
    const result = (action: EnsureAction, info: ServerStreamInfo): EnsureResult => ({
      name: desired.name,
      action,
      changes: action === 'created' ? [] : diff.changes,
      info,
      ...(loss ? { dataLoss: loss, removed: removed(current, info) } : {}),
    });
    let stream: EnsureResult;
    switch (decision.action) {
      case 'unchanged':
        stream = result('unchanged', current);
        break;
      case 'drifted':
        if (decision.error) throw decision.error;
        this.logger.warn(
          `Stream "${desired.name}" differs from its declaration (mode 'create': not updated): ${diff.changes.map((c) => c.field).join(', ')}`,
        );
        stream = result('drifted', current);
        break;
      case 'create':
        stream = result('created', await this.writer.create(desired, caller));
        break;
      case 'update':
        stream = this.guard.logged(result('updated', await this.writer.update(desired, current, caller)));
        break;
      case 'recreate': {
        const { info, droppedConsumers } = await this.writer.recreate(desired, current, caller);
        stream = this.guard.logged({ ...result('recreated', info), droppedConsumers });
        break;
      }
      case 'migrating':
        return {
          result: await reportMigrating(
            { migrator: this.migrator, read: (name) => this.read(name, caller), logger: this.logger },
            facts.comparison,
            caller,
          ),
        };
      case 'migrate': {
        const migrated = await runMigration(this.migrator, facts.comparison, decision.begin, migrations).finally(() =>
          this.cache.delete(desired.name),
        );
        // Another instance's migration (or a rolled-back one) ends with the stream as it left it: it is reconciled again.
        if (!migrated.migrated || this.compare(desired, migrated.info).diff.changes.length > 0) return { after: migrated.info };
        stream = this.guard.logged(migratedResult(facts.comparison, migrated, loss));
        break;
      }
      default:
        throw decision.error;
    }
    return { result: consumers ? { ...stream, consumers: await this.consumers.apply(consumers, stream, caller) } : stream };
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
}

function failed(name: string, error: Error): EnsureBatchResult {
  return { name, action: 'failed', changes: [], error };
}
