import { Inject, Injectable } from '@nestjs/common';
import type { JetStreamClient } from 'nats';
import { ConnectionService } from '../connection/connection.service.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { bucketStream } from '../declaration/bucket-config.js';
import { objectStoreStream } from '../declaration/object-store-config.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import { StreamBatchError } from '../errors/stream-batch.error.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { JetStreamApi } from '../jetstream/jetstream-api.js';
import { isLibraryStream } from '../jetstream/library-bucket.js';
import { STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { DeclaredStreams } from './declared-streams.js';
import { DesiredStreams } from './desired-streams.js';
import { mapConcurrent } from '../reconcile/map-concurrent.js';
import { purgeRequest } from './purge-request.js';
import { ConsumerReconciler } from '../reconcile/consumer-reconciler.js';
import { Reconciler } from '../reconcile/reconciler.js';
import { StreamPlanner } from '../reconcile/stream-planner.js';
import { declarationList, declaredName, nameList, prepareBatch } from './stream-batch.js';
import { storeArguments, type BucketOptionsInput, type ObjectStoreOptionsInput } from './store-arguments.js';
import { validateStreamName, validateSubject } from '../declaration/subjects.js';
import type { StreamConfigInput, StreamConsumers, StreamDeclarations, StreamPolicy } from '../declaration/stream-declaration.js';
import { StreamInfoCache } from '../reconcile/stream-info-cache.js';
import type { DeleteBatchResult, EnsureBatchResult, EnsureResult, PurgeOptions, StreamPlan } from '../reconcile/stream-results.js';

/** A declared config passed to `ensureStream` / `planStream` besides name and subjects: config, policy and consumers. */
export type StreamOptionsInput = StreamConfigInput & StreamPolicy & StreamConsumers;

/**
 * Every stream operation of the app: declarative ensure (create or update in place, never
 * destroying messages unless told to), dry-run plans, cached info, listing, delete and purge.
 * Arguments are checked before any request; failures are the library's typed errors.
 */
@Injectable()
export class StreamService {
  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    private readonly connection: ConnectionService,
    private readonly api: JetStreamApi,
    private readonly reconciler: Reconciler,
    private readonly planner: StreamPlanner,
    private readonly desired: DesiredStreams,
    private readonly declared: DeclaredStreams,
    private readonly cache: StreamInfoCache,
    private readonly consumers: ConsumerReconciler,
  ) {}

  /**
   * Makes the stream on the server match the declaration: creates it, updates it in place, or
   * leaves it unchanged. "Unchanged" may be answered from the info cache (`cacheTtlMs`) without a
   * request; anything else is decided on a fresh read. Fields the server cannot change raise
   * `StreamConfigConflictError` (nothing written) unless the declaration's `onConflict` says otherwise.
   * Declared `consumers` are ensured with the stream (`result.consumers`); one the server cannot
   * change in place raises `ConsumerConfigConflictError` before anything is written.
   *
   * @example
   * const { action, changes } = await streams.ensureStream('orders', ['orders.>'], { max_age: '7d' });
   * await streams.ensureStream('orders', ['orders.>'], { consumers: [{ durable_name: 'billing', ack_wait: '30s' }] });
   */
  async ensureStream(name: string, subjects: string[], config: StreamOptionsInput = {}): Promise<EnsureResult> {
    return this.ensureDesired(this.desired.of('ensureStream', name, subjects, config), 'ensureStream');
  }

  /**
   * Makes the key-value bucket's stream `KV_<bucket>` match the declaration, laid out as the `nats`
   * client's `views.kv()` lays it out (so `views.kv(bucket)` binds to it, and a bucket the client
   * made with the same settings is `unchanged`). Same result and rules as {@link ensureStream}:
   * lowering `history` or `max_bytes` below what the bucket holds is refused with
   * `StreamDataLossError` unless `allowDataLoss: true`.
   *
   * @example
   * await streams.ensureBucket('sessions', { history: 5, ttl: '1h' });
   * // { name: 'KV_sessions', action: 'created', changes: [], info: {...} }
   */
  async ensureBucket(bucket: string, config: BucketOptionsInput = {}): Promise<EnsureResult> {
    return this.ensureDesired(this.prepareBucket(bucket, config, 'ensureBucket'), 'ensureBucket');
  }

  /** What {@link ensureBucket} would do, field by field (stream fields), without writing anything. */
  async planBucket(bucket: string, config: BucketOptionsInput = {}): Promise<StreamPlan> {
    const desired = this.prepareBucket(bucket, config, 'planBucket');
    return this.planner.plan(desired, { operation: 'planBucket', stream: desired.name });
  }

  /**
   * Makes the object store's stream `OBJ_<bucket>` match the declaration, laid out as the `nats`
   * client's `views.os()` lays it out (so `views.os(bucket)` binds to it, and a store the client
   * made with the same settings is `unchanged`). Same result and rules as {@link ensureStream}:
   * lowering `max_bytes` below what the store holds, or a `ttl` shorter than the age of a held
   * chunk, is refused with `StreamDataLossError` unless `allowDataLoss: true`.
   *
   * @example
   * await streams.ensureObjectStore('invoices', { ttl: '30d', max_bytes: 1024 ** 3 });
   * // { name: 'OBJ_invoices', action: 'created', changes: [], info: {...} }
   */
  async ensureObjectStore(bucket: string, config: ObjectStoreOptionsInput = {}): Promise<EnsureResult> {
    const desired = this.desired.prepare(objectStoreStream(storeArguments(bucket, config, 'ensureObjectStore', '{ ttl: "30d" }')));
    return this.ensureDesired(desired, 'ensureObjectStore');
  }

  /** What {@link ensureObjectStore} would do, field by field (stream fields), without writing anything. */
  async planObjectStore(bucket: string, config: ObjectStoreOptionsInput = {}): Promise<StreamPlan> {
    const desired = this.desired.prepare(objectStoreStream(storeArguments(bucket, config, 'planObjectStore', '{ ttl: "30d" }')));
    return this.planner.plan(desired, { operation: 'planObjectStore', stream: desired.name });
  }

  private prepareBucket(bucket: string, config: BucketOptionsInput, method: string): DesiredStream {
    return this.desired.prepare(bucketStream(storeArguments(bucket, config, method, '{ history: 5, ttl: "1h" }')));
  }

  private async ensureDesired(desired: DesiredStream, operation: string): Promise<EnsureResult> {
    // A cached answer may say "unchanged" (no request: ensure can sit on a hot path, e.g. in
    // streamScope), but a write is only ever decided on what the server says now.
    const cached = this.cache.peek(desired.name);
    if (cached && this.desired.matches(desired, cached) && (!desired.consumers || this.consumers.verifiedRecently(desired))) {
      const consumers = desired.consumers?.map((c) => ({ name: c.name, action: 'unchanged' as const, changes: [] }));
      return { name: desired.name, action: 'unchanged', changes: [], info: cached, ...(consumers ? { consumers } : {}) };
    }
    return this.reconciler.ensure(desired, { operation, stream: desired.name });
  }

  /**
   * Ensures many streams. Their state is read with the paginated list call (one request per page),
   * and only what differs is written, a few at a time. Every stream gets a result; if any failed,
   * the call rejects with `StreamBatchError` carrying all results (the others were still applied).
   */
  async ensureStreams(streams: StreamDeclarations): Promise<EnsureBatchResult[]> {
    const list = declarationList(streams, 'ensureStreams');
    const prepared = prepareBatch(list, (d) => this.desired.prepare(d));
    const results = await this.reconciler.ensureAll(prepared, list.map(declaredName), { operation: 'ensureStreams' });
    if (results.some((r) => r.error)) throw new StreamBatchError('ensureStreams', results);
    return results;
  }

  /** What `ensureStream` would do, field by field, without writing anything. */
  async planStream(name: string, subjects: string[], config: StreamOptionsInput = {}): Promise<StreamPlan> {
    const desired = this.desired.of('planStream', name, subjects, config);
    return this.planner.plan(desired, { operation: 'planStream', stream: desired.name });
  }

  /**
   * What `ensureStreams` would do for each stream, without writing anything. Invalid declarations
   * are reported with `action: 'invalid'` and their error instead of rejecting.
   */
  async planStreams(streams: StreamDeclarations): Promise<StreamPlan[]> {
    const list = declarationList(streams, 'planStreams');
    const prepared = prepareBatch(list, (d) => this.desired.prepare(d));
    return this.planner.planAll(prepared, list.map(declaredName), { operation: 'planStreams' });
  }

  /**
   * The stream's info, cached for `cacheTtlMs`; concurrent reads share one request.
   * `fresh: true` asks the server. Rejects with `StreamNotFoundError` for a missing stream.
   * The result is read-only (frozen when it comes from the cache).
   */
  async getStreamInfo(name: string, options: { fresh?: boolean } = {}): Promise<ServerStreamInfo> {
    validateStreamName(name);
    const caller = { operation: 'getStreamInfo', stream: name };
    return this.cache.get(name, () => this.api.streamInfo(name, caller), options?.fresh === true);
  }

  /** The names of the streams this connection declares (forRoot and forFeature; a bucket as `KV_<bucket>`, an object store as `OBJ_<bucket>`), in declaration order. */
  declaredStreams(): string[] {
    return this.declared.all().map((d) => d.name);
  }

  /**
   * Whether the stream exists, asked of the server. Resolves `false` only for "stream not found";
   * a timeout or a lost connection rejects.
   */
  async streamExists(name: string): Promise<boolean> {
    validateStreamName(name);
    return (await this.reconciler.read(name, { operation: 'streamExists', stream: name })) !== null;
  }

  /** The names of every stream (all pages), or of those capturing `subject` (wildcards allowed). */
  async listStreams(options: { subject?: string } = {}): Promise<string[]> {
    const unknown = options !== null && typeof options === 'object' ? Object.keys(options).find((key) => key !== 'subject') : undefined;
    if (options === null || typeof options !== 'object' || unknown !== undefined) {
      throw new InvalidArgumentError(
        'listStreams',
        unknown === undefined ? 'options' : `options.${unknown}`,
        'must be an object such as { subject: "orders.>" } (subject is its only option)',
      );
    }
    if (options.subject !== undefined) validateSubject(options.subject, '(listStreams)');
    const names = await this.api.streamNames({ operation: 'listStreams' }, options.subject);
    // The library's own coordination bucket is no stream of the app's.
    return names.filter((name) => !isLibraryStream(name));
  }

  /**
   * Deletes the stream and all its messages. Resolves `true` when deleted, `false` when it did not
   * exist; any other failure rejects.
   */
  async deleteStream(name: string): Promise<boolean> {
    validateStreamName(name);
    try {
      await this.api.deleteStream(name, { operation: 'deleteStream', stream: name });
      return true;
    } catch (err) {
      if (err instanceof StreamNotFoundError) return false;
      throw err;
    } finally {
      this.cache.delete(name);
    }
  }

  /**
   * Deletes several streams, `concurrency` at a time. Every name is checked first: an invalid one
   * rejects with `InvalidArgumentError` before any stream is deleted. Every name gets a result
   * (`deleted`, `not-found` or `failed`); if any failed, rejects with `StreamBatchError` carrying all results.
   */
  async deleteStreams(names: string[]): Promise<DeleteBatchResult[]> {
    const results = await mapConcurrent(
      nameList(names, 'deleteStreams'),
      this.options.concurrency,
      async (name): Promise<DeleteBatchResult> => {
        try {
          return { name, action: (await this.deleteStream(name)) ? 'deleted' : 'not-found' };
        } catch (err) {
          return { name: String(name), action: 'failed', error: err as Error };
        }
      },
    );
    if (results.some((r) => r.error)) throw new StreamBatchError('deleteStreams', results);
    return results;
  }

  /**
   * Removes messages from the stream: those of one subject (`purgeStream('orders', 'orders.eu.>')`),
   * or as selected by `{ filter?, seq?, keep? }`. `{}` removes every message. Only these three keys
   * are read (own properties) and sent; any other key is an error.
   */
  async purgeStream(name: string, selection: string | PurgeOptions): Promise<{ purged: number }> {
    validateStreamName(name);
    const request = purgeRequest(name, selection);
    try {
      return { purged: await this.api.purgeStream(name, request, { operation: 'purgeStream', stream: name }) };
    } finally {
      this.cache.delete(name);
    }
  }

  /**
   * Ensures the stream, then runs `fn` with the JetStream client and the ensure result, and
   * returns what `fn` returns. Same arguments as {@link ensureStream}, with `fn` last.
   *
   * @example
   * await streams.streamScope('jobs', ['jobs.>'], { max_age: '1d' }, (js) => js.publish('jobs.new', data));
   */
  async streamScope<T>(
    name: string,
    subjects: string[],
    configOrFn: StreamOptionsInput | ((js: JetStreamClient, stream: EnsureResult) => Promise<T> | T),
    fn?: (js: JetStreamClient, stream: EnsureResult) => Promise<T> | T,
  ): Promise<T> {
    const run = typeof configOrFn === 'function' ? configOrFn : fn;
    const config = typeof configOrFn === 'function' ? {} : configOrFn;
    if (typeof run !== 'function') {
      throw new InvalidArgumentError('streamScope', 'fn', 'must be a function (js, stream) => ..., passed last');
    }
    const stream = await this.ensureStream(name, subjects, config);
    return run(this.connection.getJetStream(), stream);
  }
}
