import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DesiredStream } from '../declaration/stream-config.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { ConnectionService } from '../connection/connection.service.js';
import { formatBytes, StreamDataLossError, type DataLossEstimate } from '../errors/stream-data-loss.error.js';
import { JetStreamApi, type ApiCaller } from '../jetstream/jetstream-api.js';
import { logContext, STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { assessDataLoss, neededProbes } from './data-loss.js';
import { readLossProbes, type ProbeApi } from './data-loss-probes.js';
import type { Comparison, Decision } from './stream-decision.js';
import type { EnsureResult, RemovedMessages } from './stream-results.js';

/** A refused write: it would delete messages the declaration does not allow it to. */
export interface DataLossDecision {
  action: 'data-loss';
  error: StreamDataLossError;
}

/**
 * Guards every write that keeps a stream against deleting messages: before an update or a
 * migration it works out what the server would delete (`data-loss.ts`, reading per-subject counts
 * or message ages only when the cheap bounds cannot rule a loss out), refuses it unless the
 * declaration allows it, and logs what an allowed one removed.
 */
@Injectable()
export class LossGuard {
  private readonly logger: Logger;

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) options: ResolvedStreamsOptions,
    @Inject(JetStreamApi) private readonly api: ProbeApi,
    private readonly connection: ConnectionService,
  ) {
    this.logger = new Logger(logContext(options.name));
  }

  /**
   * The decision, and for a write that keeps the stream, what it would delete: a loss the
   * declaration does not allow turns the decision into a `data-loss` refusal. A recreate loses
   * everything (it needs `allowDataLoss` to be declared at all).
   */
  async judge(
    comparison: Comparison,
    decision: Decision,
    caller: ApiCaller,
  ): Promise<{ decision: Decision | DataLossDecision; loss?: DataLossEstimate }> {
    const { desired, current } = comparison;
    if (!current || current.state.messages === 0) return { decision };
    if (decision.action === 'recreate') return { decision, loss: everything(current) };
    if (decision.action !== 'update' && decision.action !== 'migrate') return { decision };
    const loss = await this.assess(desired, current, caller, decision.action === 'update');
    if (!loss || desired.policy.allowDataLoss) return { decision, loss };
    return { decision: { action: 'data-loss', error: new StreamDataLossError(desired.name, loss) }, loss };
  }

  /** Logs a write that was allowed to delete messages, with what it removed, and returns it. */
  logged(result: EnsureResult): EnsureResult {
    if (result.dataLoss && result.removed) {
      const fields = result.dataLoss.fields
        .map((f) => `${f.field} ${JSON.stringify(f.current)} -> ${JSON.stringify(f.desired)}`)
        .join(', ');
      this.logger.warn(
        `Stream "${result.name}" ${result.action} with allowDataLoss (${fields}): ${result.removed.messages} messages (${formatBytes(result.removed.bytes)}) removed`,
      );
    }
    return result;
  }

  private async assess(
    desired: DesiredStream,
    current: ServerStreamInfo,
    caller: ApiCaller,
    inPlace: boolean,
  ): Promise<DataLossEstimate | undefined> {
    const needs = neededProbes(desired, current, Date.now());
    const probes =
      needs.subjectLimit === undefined && needs.cutoffMs === undefined ? {} : await readLossProbes(this.api, current, needs, caller);
    return assessDataLoss(desired, current, probes, this.connection.serverFacts().version, inPlace);
  }
}

/** What a write removed: the state before minus the state after (never negative). */
export function removed(before: ServerStreamInfo, after: ServerStreamInfo): RemovedMessages {
  return {
    messages: Math.max(0, before.state.messages - after.state.messages),
    bytes: Math.max(0, before.state.bytes - after.state.bytes),
  };
}

/** Everything the stream holds: what a recreate deletes. */
function everything(info: ServerStreamInfo): DataLossEstimate {
  const { messages, bytes } = info.state;
  return { messages, bytes, exact: true, fields: [] };
}
