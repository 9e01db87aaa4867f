import { Inject, Injectable } from '@nestjs/common';
import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { StreamOfflineError } from '../errors/stream-offline.error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { JetStreamApi, type ApiCaller } from '../jetstream/jetstream-api.js';
import { StreamMigrator } from '../migration/stream-migrator.js';
import { STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import type { SubjectIndex } from '../declaration/subject-index.js';
import { ConsumerReconciler } from './consumer-reconciler.js';
import { LossGuard } from './loss-guard.js';
import { mapConcurrent } from './map-concurrent.js';
import { describeMigration } from './migration-plan.js';
import { Reconciler } from './reconciler.js';
import { decide } from './stream-decision.js';
import { readFacts, type FactSources } from './stream-facts.js';
import type { StreamPlan } from './stream-results.js';
import { indexSubjects, overlappingStream } from './subject-overlap.js';

/**
 * What `ensure` would do, without writing: the same read and the same `decide` as the
 * reconciler's, then described (`describeMigration`: consumers kept and dropped, a migration in
 * progress, a refusal before a migration starts).
 */
@Injectable()
export class StreamPlanner implements FactSources {
  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    @Inject(JetStreamApi) private readonly api: Pick<JetStreamApi, 'listStreams'>,
    private readonly reconciler: Reconciler,
    /** What a write would delete (one of the {@link FactSources} a plan reads with, as `ensure` does). */
    readonly guard: LossGuard,
    /** The declared consumers' decisions. */
    readonly consumers: ConsumerReconciler,
    /** Whether a migration is in progress, and what one would keep or refuse. */
    readonly migrator: StreamMigrator,
  ) {}

  /** What `ensure` would do for one stream: a new or re-subjected stream also lists the others, to find an overlap. */
  async plan(desired: DesiredStream, caller: ApiCaller): Promise<StreamPlan> {
    let current: ServerStreamInfo | null;
    try {
      current = await this.reconciler.read(desired.name, caller);
    } catch (err) {
      if (err instanceof StreamOfflineError) return offlinePlan(err);
      throw err;
    }
    const reSubjected = !current || this.reconciler.compare(desired, current).diff.changes.some((c) => c.field === 'subjects');
    const others = reSubjected ? indexSubjects(await this.api.listStreams(caller)) : undefined;
    return this.describe(desired, current, others, caller);
  }

  /** What `ensureAll` would do for each stream, after one paginated list; invalid items are `invalid` with their error. */
  async planAll(prepared: Array<DesiredStream | Error>, names: string[], caller: ApiCaller): Promise<StreamPlan[]> {
    const offline = new Map<string, string>();
    const existing = await this.reconciler.listAll(caller, offline);
    const others = indexSubjects(existing.values());
    return mapConcurrent(prepared, this.options.concurrency, async (item, index): Promise<StreamPlan> => {
      if (item instanceof Error) return { name: names[index], action: 'invalid', changes: [], conflicts: [], error: item };
      const away = offline.get(item.name);
      if (away !== undefined) return offlinePlan(new StreamOfflineError(item.name, away));
      try {
        return await this.describe(item, existing.get(item.name) ?? null, others, { ...caller, stream: item.name }, existing);
      } catch (err) {
        return { name: item.name, action: 'invalid', changes: [], conflicts: [], error: err as Error };
      }
    });
  }

  /** One plan: the overlap check of a new or re-subjected stream, then read, decide, describe. */
  private async describe(
    desired: DesiredStream,
    current: ServerStreamInfo | null,
    others: SubjectIndex<ServerStreamInfo> | undefined,
    caller: ApiCaller,
    listed?: ReadonlyMap<string, ServerStreamInfo>,
  ): Promise<StreamPlan> {
    const comparison = this.reconciler.compare(desired, current);
    const base = { name: desired.name, changes: comparison.diff.changes, conflicts: comparison.diff.conflicts };
    const reSubjected = !current || comparison.diff.changes.some((c) => c.field === 'subjects');
    const other = others && reSubjected ? overlappingStream(desired, others) : undefined;
    if (other) {
      const error = new InvalidStreamConfigError(desired.name, 'subjects', `overlap with stream "${other.name}" on the server`, {
        otherStream: other.name,
      });
      return { ...base, action: 'invalid', error };
    }
    const { facts, consumers } = await readFacts(this, comparison, caller, listed);
    const decision = decide(facts);
    // During a migration the consumers are decided once it is over: none is planned.
    const planned = facts.migrating ? undefined : this.consumers.plan(consumers, current);
    const plan: StreamPlan = {
      ...base,
      action: decision.action,
      ...(decision.error ? { error: decision.error } : {}),
      ...(facts.loss ? { dataLoss: facts.loss } : {}),
      ...(planned ? { consumers: planned } : {}),
    };
    return describeMigration(this.migrator, plan, decision, desired, current, caller);
  }
}

/** The plan of a stream the server has offline (2.12+): nothing would be written. */
function offlinePlan(error: StreamOfflineError): StreamPlan {
  return { name: error.stream, action: 'offline', changes: [], conflicts: [], error };
}
