import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConnectionService } from '../connection/connection.service.js';
import type { DesiredConsumer } from '../declaration/consumer-config.js';
import { normalizePause } from '../declaration/consumer-fields.js';
import {
  consumerUpdateRequest,
  createConsumerRequest,
  diffConsumerConfig,
  needsConsumerUpdate,
  withStreamLimits,
} from '../declaration/consumer-diff.js';
import type { ServerConsumerInfo } from '../server/server-consumer.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import { ErrCode } from '../errors/err-codes.js';
import { describeLossField, StreamDataLossError, type DataLossEstimate } from '../errors/stream-data-loss.error.js';
import { errCodeOf } from '../errors/to-streams-error.js';
import { JetStreamApi, type ApiCaller } from '../jetstream/jetstream-api.js';
import { logContext, STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import {
  assessConsumerLoss,
  heldSubjectsToRead,
  outsideScope,
  streamScope,
  type ConsumerChange,
  type PeerConsumer,
} from './consumer-loss.js';
import { heldSubjects } from './data-loss-probes.js';
import { decideConsumer, type ConsumerComparison, type ConsumerDecision } from './consumer-decision.js';
import { mapConcurrent } from './map-concurrent.js';
import type { ConsumerRefusal } from './stream-decision.js';
import type { ConsumerEnsureResult, ConsumerPlan, EnsureResult } from './stream-results.js';

/** The JetStream API calls consumer reconciliation makes. */
export type ConsumerApi = Pick<
  JetStreamApi,
  'consumerInfo' | 'listConsumers' | 'createConsumer' | 'streamInfo' | 'pauseConsumer' | 'resumeConsumer'
>;

/** One declared consumer compared and decided. */
interface Decided {
  comparison: ConsumerComparison;
  decision: ConsumerDecision;
  /** An update's loss that `allowDataLoss` permits: logged when the update is made. */
  allowedLoss?: DataLossEstimate;
}

/** A stream's declared consumers between the read before its write and the writes after it. */
export interface ConsumerWork {
  desired: DesiredStream;
  /** Decided on the read before the stream's write; undefined when the stream did not exist yet. */
  decided?: Decided[];
}

/**
 * Makes the durable consumers declared with a stream match their declarations: reads each one
 * (`CONSUMER.INFO`; consumers the app did not declare are never read nor written), compares
 * (`diffConsumerConfig`), decides within the stream's mode (`decideConsumer`), refuses an update
 * that would make the server delete messages, now or once it deletes the consumer
 * (`assessConsumerLoss`, which reads which subjects the stream holds when only that can tell),
 * unless `allowDataLoss` (then the update is logged with what it lets go), and creates or updates
 * in place. Every refusal (a conflict, a `verify` drift, a loss) is raised before the stream or any
 * consumer is written.
 */
@Injectable()
export class ConsumerReconciler {
  private readonly logger: Logger;
  /** When each desired stream's consumers were last found (or made) as declared. */
  private readonly verified = new WeakMap<DesiredStream, number>();

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    @Inject(JetStreamApi) private readonly api: ConsumerApi,
    private readonly connection: ConnectionService,
  ) {
    this.logger = new Logger(logContext(options.name));
  }

  /**
   * Before the stream is written: reads and decides each declared consumer of the existing stream
   * `current` (null: the write makes the stream, or replaces its consumers, so none is read).
   * Undefined when the declaration lists no consumers. Refusals are decisions here: `refusal`
   * finds the first, which `decide` turns into the stream's.
   */
  async check(desired: DesiredStream, current: ServerStreamInfo | null, caller: ApiCaller): Promise<ConsumerWork | undefined> {
    if (!desired.consumers) return undefined;
    if (!current) return { desired };
    return { desired, decided: await this.decideAll(desired, current, caller) };
  }

  /** The first refusal among the decisions of `work` (a conflict, a `verify` drift or miss, a loss), if any. */
  refusal(work: ConsumerWork | undefined): ConsumerRefusal | undefined {
    const refused = work?.decided?.find((d) => d.decision.error);
    return refused && { action: refused.decision.action, error: refused.decision.error as Error };
  }

  /**
   * After the stream was written (`stream` is that result): carries out the decisions, deciding
   * again on a fresh read where the write replaced the stream's consumers (created, recreated,
   * migrated stream).
   */
  async apply(work: ConsumerWork, stream: EnsureResult, caller: ApiCaller): Promise<ConsumerEnsureResult[]> {
    let decided = work.decided;
    if (!decided || stream.action === 'recreated' || stream.action === 'migrated') {
      decided =
        stream.action === 'created'
          ? (work.desired.consumers ?? []).map((c) => this.decide(work.desired, c, null, stream.info))
          : refuseFirst(await this.decideAll(work.desired, stream.info, caller));
    }
    const results = await mapConcurrent(decided, this.options.concurrency, (d) => this.carryOut(d, work.desired, stream.info, caller));
    if (results.every((r) => r.action !== 'drifted')) this.verified.set(work.desired, Date.now());
    return results;
  }

  /**
   * Whether `desired`'s consumers were found as declared within the info cache's lifetime
   * (`cacheTtlMs`), so that an ensure answered from the cache may say "unchanged" for them too.
   */
  verifiedRecently(desired: DesiredStream): boolean {
    const at = this.verified.get(desired);
    return at !== undefined && Date.now() - at < this.options.cacheTtlMs;
  }

  /**
   * What ensuring would do to each declared consumer, in declaration order (no I/O): the decisions
   * of `work`, or, where the stream is made or replaced (`work` read nothing), each one created.
   */
  plan(work: ConsumerWork | undefined, stream: ServerStreamInfo | null): ConsumerPlan[] | undefined {
    if (!work) return undefined;
    const decided = work.decided ?? (work.desired.consumers ?? []).map((c) => this.decide(work.desired, c, null, stream));
    return decided.map(({ comparison: { desired: c, diff }, decision }): ConsumerPlan => ({
      name: c.name,
      action: decision.action,
      changes: diff.changes,
      conflicts: diff.conflicts,
      ...(decision.error ? { error: decision.error } : {}),
    }));
  }

  /** Every consumer of the stream by name (`CONSUMER.LIST`, all pages): what the monitor reads once per stream. */
  async listConsumers(stream: string, caller: ApiCaller): Promise<Map<string, ServerConsumerInfo>> {
    const infos = await this.api.listConsumers(stream, caller);
    return new Map(infos.map((info) => [info.name, info]));
  }

  /**
   * Reads each declared consumer of the stream (a few at a time), then decides each, judging an
   * update against the others (a subject another declared consumer follows loses nothing).
   */
  private async decideAll(desired: DesiredStream, stream: ServerStreamInfo, caller: ApiCaller): Promise<Decided[]> {
    const declared = desired.consumers ?? [];
    const currents = await mapConcurrent(declared, this.options.concurrency, (consumer) => this.read(desired.name, consumer.name, caller));
    const peers = (index: number): PeerConsumer[] =>
      declared.flatMap((other, i) => (i === index ? [] : [{ current: currents[i], desired: other.config }]));
    return mapConcurrent(declared, this.options.concurrency, (consumer, i) =>
      this.judged(desired, consumer, currents[i], stream, peers(i), caller),
    );
  }

  /** Decides, and refuses an update that would delete messages the declaration does not allow to go. */
  private async judged(
    desired: DesiredStream,
    consumer: DesiredConsumer,
    current: ServerConsumerInfo | null,
    stream: ServerStreamInfo,
    peers: PeerConsumer[],
    caller: ApiCaller,
  ): Promise<Decided> {
    const decided = this.decide(desired, consumer, current, stream);
    if (decided.decision.action !== 'update') return decided;
    const loss = await this.loss(desired, stream, current as ServerConsumerInfo, consumer, peers, caller);
    if (!loss) return decided;
    if (desired.policy.allowDataLoss) return { ...decided, allowedLoss: loss };
    return { ...decided, decision: { action: 'data-loss', error: new StreamDataLossError(desired.name, loss) } };
  }

  private decide(
    desired: DesiredStream,
    consumer: DesiredConsumer,
    current: ServerConsumerInfo | null,
    stream: ServerStreamInfo | null,
  ): Decided {
    const version = this.connection.serverFacts().version;
    // What the server gives the consumer from the stream's limits is compared and sent as declared.
    const made = { ...consumer, config: withStreamLimits(consumer.config, desired.config.consumer_limits) };
    const diff = current
      ? diffConsumerConfig(made.config, current.config, version, stream?.config.num_replicas ?? 1)
      : { changes: [], conflicts: [] };
    const comparison: ConsumerComparison = { stream: desired.name, desired: made, current, diff };
    return { comparison, decision: decideConsumer(comparison, desired.policy.mode) };
  }

  /** What updating the consumer would delete (see `assessConsumerLoss`), reading held subjects only when that alone can tell. */
  private async loss(
    desired: DesiredStream,
    stream: ServerStreamInfo,
    current: ServerConsumerInfo,
    consumer: DesiredConsumer,
    peers: PeerConsumer[],
    caller: ApiCaller,
  ): Promise<DataLossEstimate | undefined> {
    const change: ConsumerChange = {
      stream,
      scope: streamScope(stream.config, desired.config),
      consumer: current,
      desired: consumer.config,
      peers,
      streamThreshold: desired.config.consumer_limits?.inactive_threshold,
      version: this.connection.serverFacts().version,
    };
    const toRead = heldSubjectsToRead(change);
    if (toRead.length > 0) {
      const held: string[] = [];
      // Too many subjects to read: the filter itself stands for what may be held outside.
      for (const filter of toRead) held.push(...((await heldSubjects(this.api, desired.name, filter, caller)) ?? [filter]));
      change.heldOutsideScope = outsideScope(held, change.scope);
    }
    return assessConsumerLoss(change);
  }

  /** The consumer's info, or null when the server says it does not exist. */
  private async read(stream: string, consumer: string, caller: ApiCaller): Promise<ServerConsumerInfo | null> {
    try {
      return await this.api.consumerInfo(stream, consumer, { ...caller, stream });
    } catch (err) {
      if (errCodeOf(err) === ErrCode.ConsumerNotFound) return null;
      throw err;
    }
  }

  private async carryOut(
    { comparison, decision, allowedLoss }: Decided,
    desired: DesiredStream,
    stream: ServerStreamInfo,
    caller: ApiCaller,
    raced = false,
  ): Promise<ConsumerEnsureResult> {
    const { desired: consumer, current, diff } = comparison;
    const result = (action: ConsumerEnsureResult['action']): ConsumerEnsureResult => ({
      name: consumer.name,
      action,
      changes: action === 'created' ? [] : diff.changes,
    });
    const writeCaller = { ...caller, stream: desired.name };
    if (decision.error) throw decision.error;
    switch (decision.action) {
      case 'unchanged':
        return result('unchanged');
      case 'drifted':
        this.logger.warn(
          `Consumer "${consumer.name}" of stream "${desired.name}" differs from its declaration (mode 'create': not updated): ${diff.changes.map((c) => c.field).join(', ')}`,
        );
        return result('drifted');
      case 'create':
        try {
          await this.api.createConsumer(desired.name, createConsumerRequest(consumer.config), writeCaller, 'create');
          return result('created');
        } catch (err) {
          // 2.10+: another instance created it first, with another config; decide again on what it made.
          if (raced || errCodeOf(err) !== ErrCode.ConsumerAlreadyExists) throw err;
          // Judged without the other consumers: their cover is not known here, so none is counted.
          const again = await this.judged(desired, consumer, await this.read(desired.name, consumer.name, caller), stream, [], caller);
          return this.carryOut(again, desired, stream, caller, true);
        }
      default:
        if (needsConsumerUpdate(diff)) {
          await this.api.createConsumer(
            desired.name,
            consumerUpdateRequest(consumer.config, (current as ServerConsumerInfo).config, diff),
            writeCaller,
            'update',
          );
        }
        // An update keeps the pause the server holds: pausing and resuming take the pause API.
        if (diff.changes.some((change) => change.field === 'pause_until')) {
          const until = normalizePause(consumer.config.pause_until) === undefined ? undefined : consumer.config.pause_until;
          if (until === undefined) await this.api.resumeConsumer(desired.name, consumer.name, writeCaller);
          else await this.api.pauseConsumer(desired.name, consumer.name, until, writeCaller);
        }
        if (allowedLoss) {
          this.logger.warn(
            `Consumer "${consumer.name}" of stream "${desired.name}" updated with allowDataLoss: ${allowedLoss.fields.map(describeLossField).join('; ')}`,
          );
        }
        return result('updated');
    }
  }
}

/** The decisions, unless one is a refusal: then that refusal is thrown (before anything is written). */
function refuseFirst(decided: Decided[]): Decided[] {
  const refused = decided.find((d) => d.decision.error);
  if (refused) throw refused.decision.error;
  return decided;
}
