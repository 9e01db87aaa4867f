import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { ConnectionService } from '../connection/connection.service.js';
import { formatBytes, type DataLossEstimate } from '../errors/stream-data-loss.error.js';
import { JetStreamApi, type ApiCaller } from '../jetstream/jetstream-api.js';
import { logContext, STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { filtersOf } from './consumer-loss.js';
import { assessDataLoss, neededProbes } from './data-loss.js';
import { readLossProbes, type ProbeApi } from './data-loss-probes.js';
import { mappingChanges, starvedFollowers, type Follower } from './starved-consumers.js';
import type { Comparison } from './stream-decision.js';
import type { EnsureResult, RemovedMessages } from './stream-results.js';

/** The API calls the guard reads with (never a write). */
export type GuardApi = ProbeApi & Pick<JetStreamApi, 'listConsumers'>;

/**
 * Guards every write that keeps a stream against deleting messages: before an update or a
 * migration it works out what the server would delete, now or from now on (`data-loss.ts`: lower
 * limits, limits a default lowers, retention; `starved-consumers.ts`: a subject mapping its
 * consumers would stop matching), reading per-subject counts, message times or the consumers only
 * when the cheap bounds cannot rule a loss out, and never writing (`decide` refuses the write unless
 * the declaration allows the loss); it logs what an allowed one removed.
 */
@Injectable()
export class LossGuard {
  private readonly logger: Logger;

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) options: ResolvedStreamsOptions,
    @Inject(JetStreamApi) private readonly api: GuardApi,
    private readonly connection: ConnectionService,
  ) {
    this.logger = new Logger(logContext(options.name));
  }

  /**
   * What the write the comparison calls for would delete: for an update or a migration, what the
   * server would delete now or from now on; for a recreate, everything the stream holds; nothing
   * for any other write. Whether that refuses the write is `decide`'s.
   */
  async estimate(comparison: Comparison, caller: ApiCaller): Promise<DataLossEstimate | undefined> {
    const { current, wants } = comparison;
    if (!current) return undefined;
    if (wants === 'recreate') return current.state.messages === 0 ? undefined : everything(current);
    if (wants !== 'update' && wants !== 'migrate') return undefined;
    return combine(await this.assess(comparison, current, caller, wants === 'update'), await this.starved(comparison, current, caller));
  }

  /**
   * Logs a write that was allowed to delete messages, with what it removed, and returns it. Where
   * the server deletes later than the write (2.9 and 2.10 apply some changes at the next publish,
   * consumer deletion or restart), the log says that less went at once than will go.
   */
  logged(result: EnsureResult): EnsureResult {
    if (result.dataLoss && result.removed) {
      const fields = result.dataLoss.fields
        .map((f) => `${f.field} ${JSON.stringify(f.current)} -> ${JSON.stringify(f.desired)}`)
        .join(', ');
      const later =
        result.removed.messages < result.dataLoss.messages
          ? `; the server deletes the rest (about ${result.dataLoss.messages - result.removed.messages}) later, as it applies the change`
          : '';
      this.logger.warn(
        `Stream "${result.name}" ${result.action} with allowDataLoss (${fields}): ${result.removed.messages} messages (${formatBytes(result.removed.bytes)}) removed${later}`,
      );
    }
    return result;
  }

  private async assess(
    comparison: Comparison,
    current: ServerStreamInfo,
    caller: ApiCaller,
    inPlace: boolean,
  ): Promise<DataLossEstimate | undefined> {
    const { desired, diff } = comparison;
    const version = this.connection.serverFacts().version;
    const needs = neededProbes(desired, current, Date.now());
    const probes =
      needs.subjectLimit === undefined && needs.cutoffMs === undefined
        ? {}
        : await readLossProbes(this.api, current, needs, version, caller);
    return assessDataLoss(desired, current, diff.changes, probes, version, inPlace);
  }

  /**
   * Consumers (declared or not) and `republish` that a new subject mapping would stop receiving;
   * reads the stream's consumers (one CONSUMER.LIST) only when the mapping changes.
   */
  private async starved(comparison: Comparison, current: ServerStreamInfo, caller: ApiCaller): Promise<DataLossEstimate | undefined> {
    const { desired } = comparison;
    if (!mappingChanges(current.config, desired.config)) return undefined;
    const declared = new Map((desired.consumers ?? []).map((c) => [c.name, filtersOf(c.config)]));
    const followers: Follower[] = (await this.api.listConsumers(desired.name, caller)).map((info) => {
      const filters = filtersOf(info.config);
      const wanted = declared.get(info.name);
      return { name: info.name, before: filters, after: wanted ? [filters, wanted] : [filters] };
    });
    const before = current.config.republish;
    const after = desired.config.republish;
    if (before) followers.push({ name: 'republish', before: [before.src || '>'], after: [after ? [after.src || '>'] : []] });
    return starvedFollowers(current.config, desired.config, followers, current.config.retention);
  }
}

/** What a write removed: the state before minus the state after (never negative). */
export function removed(before: ServerStreamInfo, after: ServerStreamInfo): RemovedMessages {
  return {
    messages: Math.max(0, before.state.messages - after.state.messages),
    bytes: Math.max(0, before.state.bytes - after.state.bytes),
  };
}

/** Two estimates as one: every field, the larger figures (they overlap), exact only if both are and only one loses messages now. */
function combine(a: DataLossEstimate | undefined, b: DataLossEstimate | undefined): DataLossEstimate | undefined {
  if (!a || !b) return a ?? b;
  return {
    ...a,
    messages: Math.max(a.messages, b.messages),
    bytes: Math.max(a.bytes, b.bytes),
    exact: a.exact && b.messages === 0,
    fields: [...a.fields, ...b.fields],
  };
}

/** Everything the stream holds: what a recreate deletes. */
function everything(info: ServerStreamInfo): DataLossEstimate {
  const { messages, bytes } = info.state;
  return { messages, bytes, exact: true, fields: [] };
}
