import { Injectable, Logger } from '@nestjs/common';
import { ConnectionService } from '../connection/connection.service.js';
import { ErrCode } from '../errors/err-codes.js';
import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { errCodeOf } from '../errors/to-streams-error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import type { CreatedStreamInfo } from '../jetstream/api-types.js';
import { JetStreamApi, type ApiCaller } from '../jetstream/jetstream-api.js';
import { logContext } from '../streams.constants.js';
import { capacityProblem } from './storage-check.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import { createRequest, updateRequest } from '../declaration/stream-diff.js';
import { StreamInfoCache } from './stream-info-cache.js';
import { overlappingStream } from './subject-overlap.js';

/** The JetStream API calls the writer needs (a fake of them unit-tests the reconciler). */
export type WriterApi = Pick<JetStreamApi, 'createStream' | 'updateStream' | 'deleteStream' | 'accountInfo' | 'listStreams'>;

/**
 * The writes of reconciliation: create, update in place, and recreate, each after the checks that
 * can refuse it before anything changes (capacity), with the server's answer kept in the info cache.
 */
@Injectable()
export class StreamWriter {
  private readonly logger: Logger;

  constructor(
    private readonly api: JetStreamApi,
    private readonly cache: StreamInfoCache,
    private readonly connection: ConnectionService,
  ) {
    this.logger = new Logger(logContext(connection.name));
  }

  /** Creates the stream; a "subjects overlap" answer becomes an error naming the other stream. */
  async create(desired: DesiredStream, caller: ApiCaller): Promise<CreatedStreamInfo> {
    await this.checkCapacity(desired, null, caller);
    const request = createRequest(desired.config, this.connection.serverFacts().version);
    return this.stored(desired, () => this.api.createStream(request, caller));
  }

  /**
   * Updates the stream in place to the declaration. A replica change and a placement change go in
   * two updates (the server refuses them together): replicas first.
   */
  async update(desired: DesiredStream, current: ServerStreamInfo, caller: ApiCaller): Promise<ServerStreamInfo> {
    await this.checkCapacity(desired, current, caller);
    const request = updateRequest(desired.config, current.config, this.connection.serverFacts().version);
    const placementMoves = JSON.stringify(request.placement ?? null) !== JSON.stringify(current.config.placement ?? null);
    if (placementMoves && request.num_replicas !== current.config.num_replicas) {
      await this.stored(desired, () => this.api.updateStream({ ...request, placement: current.config.placement }, caller));
    }
    return this.stored(desired, () => this.api.updateStream(request, caller));
  }

  /**
   * Deletes the stream and creates it with the declared config (`onConflict: 'recreate'`, which
   * needs `allowDataLoss`). The new config is proven creatable first, as a probe stream without
   * subjects that reserves its storage, so a create that would fail (capacity, placement, an invalid
   * field) fails before the stream is deleted. Every consumer of the stream is deleted with it:
   * they are named in the log line and the result.
   */
  async recreate(
    desired: DesiredStream,
    current: ServerStreamInfo,
    caller: ApiCaller,
  ): Promise<{ info: CreatedStreamInfo; droppedConsumers: string[] }> {
    const version = this.connection.serverFacts().version;
    const request = createRequest(desired.config, version);
    const probe = `${desired.name}__recreate_probe`;
    await this.checkCapacity(desired, null, caller);
    // Errors of the probe name the declared stream (the caller's): nothing of it was touched.
    await this.api.createStream({ ...request, name: probe, subjects: [probe], sources: undefined, mirror: undefined }, caller);
    await this.api.deleteStream(probe, caller);
    const droppedConsumers = (await this.api.listConsumers(desired.name, caller)).map((c) => c.name);
    this.logger.warn(
      `Recreating stream "${desired.name}" (allowDataLoss): ${current.state.messages} messages are deleted, ` +
        `consumers dropped: ${droppedConsumers.length ? droppedConsumers.join(', ') : 'none'}`,
    );
    this.cache.delete(desired.name);
    await this.api.deleteStream(desired.name, caller);
    try {
      return { info: await this.stored(desired, () => this.api.createStream(request, caller)), droppedConsumers };
    } catch (err) {
      // Never leave the stream absent: publishers would get errors instead of an empty stream.
      await this.api.createStream(current.config, caller).catch(() => undefined);
      throw err;
    }
  }

  /** Fails before a create or a growth that the account's storage limits cannot hold. */
  private async checkCapacity(desired: DesiredStream, current: ServerStreamInfo | null, caller: ApiCaller): Promise<void> {
    const need = desired.config.max_bytes * desired.config.num_replicas;
    const had = current && current.config.max_bytes > 0 ? current.config.max_bytes * current.config.num_replicas : 0;
    if (desired.config.max_bytes <= 0 || need <= had) return;
    const problem = capacityProblem(desired, need - had, await this.api.accountInfo(caller));
    if (problem) throw problem;
  }

  /** Runs a write, keeps its answer in the cache, and explains a "subjects overlap" answer. */
  private async stored<T extends ServerStreamInfo>(desired: DesiredStream, write: () => Promise<T>): Promise<T> {
    this.cache.delete(desired.name);
    try {
      const info = await write();
      this.cache.set(desired.name, info);
      return info;
    } catch (err) {
      throw await this.explainOverlap(err, desired);
    }
  }

  /** Replaces a server "subjects overlap" answer with an error naming the other stream. */
  private async explainOverlap(err: unknown, desired: DesiredStream): Promise<unknown> {
    if (errCodeOf(err) !== ErrCode.SubjectsOverlap) return err;
    const others = await this.api.listStreams({ operation: 'explainOverlap', stream: desired.name }).catch(() => []);
    const other = overlappingStream(desired, others);
    return new InvalidStreamConfigError(
      desired.name,
      'subjects',
      other
        ? `overlap with stream "${other.name}" on the server (${other.subjects.join(', ')})`
        : 'overlap with another stream on the server',
      { cause: err, errCode: ErrCode.SubjectsOverlap, otherStream: other?.name },
    );
  }
}
