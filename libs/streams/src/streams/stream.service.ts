import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { JSONCodec, type ApiError, type JetStreamClient, type JetStreamManager, type StreamConfig, type StreamInfo } from 'nats';
import { filter, type Observable, type Subscription } from 'rxjs';
import { ConnectionService } from '../connection/connection.service.js';
import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { StreamBatchError } from '../errors/stream-batch.error.js';
import { StreamConfigConflictError } from '../errors/stream-config-conflict.error.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import { ErrCode, toStreamsError } from '../errors/to-streams-error.js';
import { StreamMonitor, type StreamsSnapshot } from '../monitoring/stream-monitor.js';
import { LOG_CONTEXT, STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { DeclaredStreams } from './declared-streams.js';
import { capacityProblem } from './storage-check.js';
import { findSubjectOverlaps, normalizeStreamConfig, validateStreamName, validateSubject, type DesiredStream } from './stream-config.js';
import type { StreamConfigInput, StreamDeclaration, StreamDeclarations, StreamPolicy } from './stream-declaration.js';
import { createRequest, diffStreamConfig, unsupportedFields, updateRequest, type StreamDiff } from './stream-diff.js';
import { toStreamHealth, type StreamHealth } from './stream-health.js';
import { StreamInfoCache } from './stream-info-cache.js';
import { migrateStream } from './stream-migration.js';
import type {
  DeleteBatchResult,
  EnsureBatchResult,
  EnsureResult,
  PurgeOptions,
  StreamPlan,
} from './stream-results.js';
import { mapConcurrent } from './map-concurrent.js';
import { ServerVersion } from './server-version.js';
import { SubjectIndex } from './subject-index.js';
import { isTransient, isTransientUnapplied, retryTransient } from './transient-retry.js';

/** A declared config passed to `ensureStream` / `planStream` besides name and subjects. */
export type StreamOptionsInput = StreamConfigInput & StreamPolicy;

/** What the running server can do, read from its INFO. */
interface ServerContext {
  version: ServerVersion;
  clustered: boolean;
}

/** A desired stream compared with the server: what ensure would do. */
interface Comparison {
  desired: DesiredStream;
  current: StreamInfo | null;
  diff: StreamDiff;
}

/**
 * Every stream operation of the app: declarative ensure (create or update in place, never
 * destroying messages unless told to), dry-run plans, cached info, listing, delete, purge,
 * health and monitoring.
 */
@Injectable()
export class StreamService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LOG_CONTEXT);
  private reconnects?: Subscription;

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    private readonly connection: ConnectionService,
    private readonly declared: DeclaredStreams,
    private readonly monitor: StreamMonitor,
    private readonly cache: StreamInfoCache,
  ) {}

  /** Ensures the declared streams (forRoot and forFeature) once the connection is up. */
  async onModuleInit(): Promise<void> {
    await this.connection.open();
    this.reconnects = this.connection.status$
      .pipe(filter((s) => s.type === 'reconnected'))
      .subscribe(() => this.cache.clear());
    const streams = this.declared.all();
    if (streams.length === 0) return;
    try {
      const results = await this.ensureStreams(streams);
      this.logger.log(`Streams ensured: ${results.map((r) => `${r.name} ${r.action}`).join(', ')}`);
    } catch (err) {
      if (this.options.onStartupError === 'fail') {
        // Nest runs no shutdown hook after a failed init: close the connection here, or its
        // reconnect loop would keep the process alive.
        await this.connection.close();
        throw err;
      }
      this.logger.warn(`Declared streams could not all be ensured: ${(err as Error).message}`);
    }
  }

  onModuleDestroy(): void {
    this.reconnects?.unsubscribe();
  }

  /**
   * Makes the stream on the server match the declaration: creates it, updates it in place, or
   * leaves it unchanged. "Unchanged" may be answered from the info cache (`cacheTtlMs`) without a
   * request; anything else is decided on a fresh read. Fields the server cannot change raise `StreamConfigConflictError`
   * (nothing written) unless the declaration's `onConflict` says otherwise.
   *
   * @example
   * const { action, changes } = await streams.ensureStream('orders', ['orders.>'], { max_age: '7d' });
   */
  async ensureStream(name: string, subjects: string[], config: StreamOptionsInput = {}): Promise<EnsureResult> {
    const desired = this.checkServerSupport(this.normalize({ ...config, name, subjects }));
    // A cached answer may say "unchanged" (no request: ensure can sit on a hot path, e.g. in
    // streamScope), but a write is only ever decided on what the server says now.
    const cached = this.cache.peek(desired.name);
    if (cached) {
      const comparison = this.compare(desired, cached);
      if (comparison.diff.changes.length === 0) return this.apply(comparison);
    }
    const current = await this.readOrNull(desired.name, true);
    return this.apply(this.compare(desired, current));
  }

  /**
   * Ensures many streams. Their state is read with the paginated list call (one request per page),
   * and only what differs is written, a few at a time. Every stream gets a result; if any failed,
   * the call rejects with `StreamBatchError` carrying all results (the others were still applied).
   */
  async ensureStreams(streams: StreamDeclarations): Promise<EnsureBatchResult[]> {
    const prepared = this.prepareBatch(streams);
    const valid = prepared.filter((p): p is DesiredStream => !(p instanceof Error));
    const existing = valid.length ? await this.listInfos() : new Map<string, StreamInfo>();
    // Streams that already match are settled here; only the rest are written, a few at a time.
    const results = new Array<EnsureBatchResult>(prepared.length);
    const writes: Array<{ index: number; comparison: Comparison }> = [];
    prepared.forEach((item, index) => {
      if (item instanceof Error) {
        results[index] = failed(names(streams)[index], item);
        return;
      }
      const comparison = this.compare(item, existing.get(item.name) ?? null);
      if (comparison.current && comparison.diff.changes.length === 0) {
        results[index] = { name: item.name, action: 'unchanged', changes: [], info: comparison.current };
      } else {
        writes.push({ index, comparison });
      }
    });
    await mapConcurrent(writes, this.options.concurrency, async ({ index, comparison }) => {
      try {
        results[index] = await this.apply(comparison);
      } catch (err) {
        results[index] = failed(comparison.desired.name, err as Error);
      }
    });
    if (results.some((r) => r.error)) throw new StreamBatchError('ensureStreams', results);
    return results;
  }

  /** What `ensureStream` would do, field by field, without writing anything. */
  async planStream(name: string, subjects: string[], config: StreamOptionsInput = {}): Promise<StreamPlan> {
    const desired = this.checkServerSupport(this.normalize({ ...config, name, subjects }));
    const current = await this.readOrNull(desired.name, true);
    const others = indexSubjects(await this.streamsSharingSubjects(desired));
    return this.toPlan(this.compare(desired, current), others);
  }

  /**
   * What `ensureStreams` would do for each stream, without writing anything. Invalid declarations
   * are reported with `action: 'invalid'` and their error instead of rejecting.
   */
  async planStreams(streams: StreamDeclarations): Promise<StreamPlan[]> {
    const prepared = this.prepareBatch(streams);
    const existing = await this.listInfos();
    const others = indexSubjects(existing.values());
    const plans: StreamPlan[] = [];
    for (const [index, item] of prepared.entries()) {
      if (item instanceof Error) {
        plans.push({ name: names(streams)[index], action: 'invalid', changes: [], conflicts: [], error: item });
        continue;
      }
      try {
        plans.push(this.toPlan(this.compare(item, existing.get(item.name) ?? null), others));
      } catch (err) {
        plans.push({ name: item.name, action: 'invalid', changes: [], conflicts: [], error: err as Error });
      }
    }
    return plans;
  }

  /**
   * The stream's info, cached for `cacheTtlMs`; concurrent reads share one request.
   * `fresh: true` asks the server. Rejects with `StreamNotFoundError` for a missing stream.
   */
  getStreamInfo(name: string, options: { fresh?: boolean } = {}): Promise<StreamInfo> {
    validateStreamName(name);
    return this.cache.get(name, () => this.call('getStreamInfo', name, (jsm) => jsm.streams.info(name)), options.fresh);
  }

  /**
   * Whether the stream exists, asked of the server. Resolves `false` only for "stream not found";
   * a timeout or a lost connection rejects.
   */
  async streamExists(name: string): Promise<boolean> {
    return (await this.readOrNull(name, true)) !== null;
  }

  /** The names of every stream (all pages), or of those capturing `subject` (wildcards allowed). */
  async listStreams(options: { subject?: string } = {}): Promise<string[]> {
    if (options.subject !== undefined) validateSubject(options.subject, '(listStreams)');
    return this.call('listStreams', undefined, async (jsm) => {
      const all: string[] = [];
      for await (const name of jsm.streams.names(options.subject)) all.push(name);
      return all;
    });
  }

  /**
   * Deletes the stream and all its messages. Resolves `true` when deleted, `false` when it did not
   * exist; any other failure rejects.
   */
  async deleteStream(name: string): Promise<boolean> {
    validateStreamName(name);
    try {
      await this.call('deleteStream', name, (jsm) => jsm.streams.delete(name), false);
      return true;
    } catch (err) {
      if (err instanceof StreamNotFoundError) return false;
      throw err;
    } finally {
      this.cache.delete(name);
    }
  }

  /**
   * Deletes several streams. Every name gets a result (`deleted`, `not-found` or `failed`); if any
   * failed, rejects with `StreamBatchError` carrying all results.
   */
  async batchDeleteStreams(streamNames: string[]): Promise<DeleteBatchResult[]> {
    const results = await mapConcurrent(streamNames, this.options.concurrency, async (name): Promise<DeleteBatchResult> => {
      try {
        return { name, action: (await this.deleteStream(name)) ? 'deleted' : 'not-found' };
      } catch (err) {
        return { name, action: 'failed', error: err as Error };
      }
    });
    if (results.some((r) => r.error)) throw new StreamBatchError('batchDeleteStreams', results);
    return results;
  }

  /**
   * Removes messages from the stream: those of one subject (`purgeStream('orders', 'orders.eu.>')`),
   * or as selected by `{ filter?, seq?, keep? }`. `{}` removes every message.
   */
  async purgeStream(name: string, selection: string | PurgeOptions): Promise<{ purged: number }> {
    validateStreamName(name);
    const opts = validatePurge(name, typeof selection === 'string' ? { filter: selection } : selection);
    try {
      const res = await this.call('purgeStream', name, (jsm) => jsm.streams.purge(name, opts as never), false);
      return { purged: res.purged };
    } finally {
      this.cache.delete(name);
    }
  }

  /**
   * Ensures the stream, then runs `fn` with the JetStream client and the ensure result, and
   * returns what `fn` returns.
   *
   * @example
   * await streams.streamScope('jobs', { subjects: ['jobs.>'] }, (js) => js.publish('jobs.new', data));
   */
  async streamScope<T>(
    name: string,
    declaration: { subjects: string[] } & StreamOptionsInput,
    fn: (js: JetStreamClient, stream: EnsureResult) => Promise<T> | T,
  ): Promise<T> {
    const { subjects, ...config } = declaration;
    const stream = await this.ensureStream(name, subjects, config);
    return fn(this.connection.getJetStream(), stream);
  }

  /**
   * The stream's health record: state, limit usage, cluster replicas, and drift from its
   * declaration. Never rejects for a stream that cannot be read: the record says why instead.
   */
  async healthCheck(name: string): Promise<StreamHealth> {
    if (!this.connection.isConnected()) {
      // Answer at once: retrying for operationTimeoutMs would only delay the same verdict.
      const reason = new Error(`NATS not connected (${this.connection.currentStatus.type})`);
      return toStreamHealth(reason, this.healthContext(name), name);
    }
    try {
      const info = await this.getStreamInfo(name, { fresh: true });
      return toStreamHealth(info, this.healthContext(name));
    } catch (err) {
      return toStreamHealth(err as Error, this.healthContext(name), name);
    }
  }

  /**
   * Snapshots of every stream's health, every `intervalMs` (default: the module's
   * `monitorIntervalMs`). One polling loop is shared by all subscribers and stops with the last
   * unsubscribe; a failed tick emits an unhealthy snapshot instead of erroring.
   */
  monitorStreams(intervalMs?: number): Observable<StreamsSnapshot> {
    return this.monitor.snapshots(intervalMs);
  }

  /** The declaration and server facts `toStreamHealth` needs for one stream. */
  private healthContext(name: string) {
    return {
      declared: this.declared.desired(name),
      version: this.server().version,
      thresholds: this.options.health,
    };
  }

  private normalize(declaration: StreamDeclaration): DesiredStream {
    return normalizeStreamConfig(declaration, this.options.streamDefaults);
  }

  /** Normalises a batch; invalid or overlapping items become their error, in input order. */
  private prepareBatch(streams: StreamDeclarations): Array<DesiredStream | Error> {
    const list = toList(streams);
    const seen = new Set<string>();
    const prepared = list.map((declaration): DesiredStream | Error => {
      try {
        const desired = this.checkServerSupport(this.normalize(declaration));
        // By position, not by name: the first declaration of a name goes ahead, later ones fail.
        if (seen.has(desired.name)) return new InvalidStreamConfigError(desired.name, 'name', 'is declared twice in this batch');
        seen.add(desired.name);
        return desired;
      } catch (err) {
        return err as Error;
      }
    });
    const valid = prepared.filter((p): p is DesiredStream => !(p instanceof Error));
    const blocked = new Map<string, Error>();
    for (const o of findSubjectOverlaps(valid)) {
      // The later declaration fails, naming the earlier one, which goes ahead.
      if (o.kind !== 'subjects' || blocked.has(o.stream) || blocked.has(o.otherStream)) continue;
      const error = new InvalidStreamConfigError(
        o.otherStream,
        'subjects',
        `subject "${o.otherSubject}" overlaps "${o.subject}" of stream "${o.stream}" in the same batch`,
        { otherStream: o.stream },
      );
      blocked.set(o.otherStream, error);
    }
    return prepared.map((p) => (p instanceof Error ? p : (blocked.get(p.name) ?? p)));
  }

  /**
   * The checks that need to know the server (its version, whether it is clustered) but no
   * request: they use the INFO the server sent when the connection opened.
   */
  private checkServerSupport(desired: DesiredStream): DesiredStream {
    const { version, clustered } = this.server();
    const unsupported = unsupportedFields(desired.config, version);
    if (unsupported.length) {
      const u = unsupported[0];
      throw new InvalidStreamConfigError(desired.name, u.field, `needs nats-server ${u.minVersion} or newer; the server is ${version}`);
    }
    if (desired.config.num_replicas > 1 && !clustered) {
      throw new InvalidStreamConfigError(
        desired.name,
        'num_replicas',
        `is ${desired.config.num_replicas}, but the server is not part of a JetStream cluster; use 1`,
      );
    }
    return desired;
  }

  /** Compares a checked declaration with the stream on the server. */
  private compare(desired: DesiredStream, current: StreamInfo | null): Comparison {
    const { version } = this.server();
    const diff = current
      ? diffStreamConfig(desired.config, current.config as never, version)
      : { changes: [], conflicts: [] };
    return { desired, current, diff };
  }

  /** Writes what a comparison calls for. */
  private async apply(comparison: Comparison, attempt = 0): Promise<EnsureResult> {
    const { desired, current, diff } = comparison;
    if (!current) return this.create(desired, attempt);
    if (diff.changes.length === 0) return { name: desired.name, action: 'unchanged', changes: [], info: current };
    if (diff.conflicts.length) return this.resolveConflict(comparison);
    await this.checkCapacity(desired, current);
    const info = await this.update(desired, current);
    return { name: desired.name, action: 'updated', changes: diff.changes, info };
  }

  private async create(desired: DesiredStream, attempt: number): Promise<EnsureResult> {
    await this.checkCapacity(desired, null);
    try {
      const info = await this.write('ensureStream', desired.name, (jsm) =>
        jsm.streams.add(createRequest(desired.config as never, this.server().version)),
      );
      const created = (info as StreamInfo & { did_create?: boolean }).did_create !== false;
      return { name: desired.name, action: created ? 'created' : 'unchanged', changes: [], info };
    } catch (err) {
      if (typedErrCode(err) === ErrCode.StreamNameInUse && attempt < 3) {
        // Another instance created it first: reconcile with what it created.
        const current = await this.readOrNull(desired.name, true);
        return this.apply(this.compare(desired, current), attempt + 1);
      }
      throw await this.explainOverlap(err, desired);
    }
  }

  private async update(desired: DesiredStream, current: StreamInfo): Promise<StreamInfo> {
    const version = this.server().version;
    const request = updateRequest(desired.config as never, current.config as never, version);
    const placementMoves = JSON.stringify(request.placement ?? null) !== JSON.stringify(current.config.placement ?? null);
    try {
      if (placementMoves && request.num_replicas !== current.config.num_replicas) {
        // The server refuses a replica change and a placement change in one update: scale first.
        await this.write('ensureStream', desired.name, (jsm) =>
          this.sendUpdate(jsm, desired.name, { ...request, placement: current.config.placement }),
        );
      }
      return await this.write('ensureStream', desired.name, (jsm) => this.sendUpdate(jsm, desired.name, request));
    } catch (err) {
      throw await this.explainOverlap(err, desired);
    }
  }

  private async resolveConflict({ desired, current, diff }: Comparison): Promise<EnsureResult> {
    const info = current as StreamInfo;
    const { onConflict } = desired.policy;
    if (onConflict === 'fail') throw new StreamConfigConflictError(desired.name, diff.conflicts);
    const version = this.server().version;
    if (onConflict === 'recreate') {
      this.logger.warn(`Recreating stream "${desired.name}" (allowDataLoss): ${info.state.messages} messages are deleted`);
      await this.call('ensureStream', desired.name, (jsm) => jsm.streams.delete(desired.name), false);
      this.cache.delete(desired.name);
      const created = await this.write('ensureStream', desired.name, (jsm) =>
        jsm.streams.add(createRequest(desired.config as never, version)),
      );
      return { name: desired.name, action: 'recreated', changes: diff.changes, info: created };
    }
    this.logger.log(`Migrating stream "${desired.name}" (${info.state.messages} messages) to its new config`);
    const jsm = await this.connection.getJetStreamManager();
    try {
      const migrated = await migrateStream(jsm, info, createRequest(desired.config as never, version), {
        timeoutMs: Math.max(this.options.operationTimeoutMs, 60_000),
      });
      return { name: desired.name, action: 'migrated', changes: diff.changes, info: migrated };
    } finally {
      this.cache.delete(desired.name);
    }
  }

  /** Fails before a create or a growth that the account's storage limits cannot hold. */
  private async checkCapacity(desired: DesiredStream, current: StreamInfo | null): Promise<void> {
    const need = desired.config.max_bytes * desired.config.num_replicas;
    const had = current && current.config.max_bytes > 0 ? current.config.max_bytes * current.config.num_replicas : 0;
    if (desired.config.max_bytes <= 0 || need <= had) return;
    const account = await this.call('ensureStream', desired.name, (jsm) => jsm.getAccountInfo());
    const problem = capacityProblem(desired, need - had, account);
    if (problem) throw problem;
  }

  /**
   * Sends STREAM.UPDATE with exactly `config`. The client's `streams.update` reads the stream
   * first and merges the change into its current config, which costs a request and can never
   * remove a field (a description or metadata dropped from the declaration would stay).
   */
  private async sendUpdate(jsm: JetStreamManager, name: string, config: StreamConfig): Promise<StreamInfo> {
    const { apiPrefix, timeout } = jsm.getOptions();
    const reply = await this.connection
      .getConnection()
      .request(`${apiPrefix ?? '$JS.API'}.STREAM.UPDATE.${name}`, jsonCodec.encode({ ...config, name }), {
        timeout: timeout ?? this.options.requestTimeoutMs,
      });
    const answer = jsonCodec.decode(reply.data) as StreamInfo & { error?: ApiError };
    if (answer.error) {
      // Shaped like the client's own JetStream errors, so toStreamsError and the retry read it.
      throw Object.assign(new Error(answer.error.description), { code: String(answer.error.code), api_error: answer.error });
    }
    return answer;
  }

  /** Replaces a server "subjects overlap" answer with an error naming the other stream. */
  private async explainOverlap(err: unknown, desired: DesiredStream): Promise<unknown> {
    if (typedErrCode(err) !== ErrCode.SubjectsOverlap) return err;
    const others = await this.streamsSharingSubjects(desired).catch(() => []);
    const other = overlappingStream(desired, indexSubjects(others));
    return new InvalidStreamConfigError(
      desired.name,
      'subjects',
      other
        ? `overlap with stream "${other.name}" on the server (${other.subjects.join(', ')})`
        : 'overlap with another stream on the server',
      { cause: err, errCode: ErrCode.SubjectsOverlap, otherStream: other?.name },
    );
  }

  /** Streams on the server capturing any of the declaration's subjects. */
  private async streamsSharingSubjects(desired: DesiredStream): Promise<StreamInfo[]> {
    const found = new Map<string, StreamInfo>();
    for (const subject of desired.config.subjects) {
      await this.call('planStream', desired.name, async (jsm) => {
        for await (const info of jsm.streams.list(subject)) found.set(info.config.name, info);
      });
    }
    return [...found.values()];
  }

  private toPlan({ desired, current, diff }: Comparison, others: SubjectIndex<StreamInfo>): StreamPlan {
    const base = { name: desired.name, changes: diff.changes, conflicts: diff.conflicts };
    const other = !current || diff.changes.some((c) => c.field === 'subjects') ? overlappingStream(desired, others) : undefined;
    if (other) {
      const error = new InvalidStreamConfigError(desired.name, 'subjects', `overlap with stream "${other.name}" on the server`, {
        otherStream: other.name,
      });
      return { ...base, action: 'invalid', error };
    }
    if (!current) return { ...base, action: 'create' };
    if (diff.changes.length === 0) return { ...base, action: 'unchanged' };
    if (diff.conflicts.length === 0) return { ...base, action: 'update' };
    const { onConflict } = desired.policy;
    if (onConflict !== 'fail') return { ...base, action: onConflict };
    return { ...base, action: 'conflict', error: new StreamConfigConflictError(desired.name, diff.conflicts) };
  }

  /** The stream's info, or `null` when the server says it does not exist. */
  private async readOrNull(name: string, fresh = false): Promise<StreamInfo | null> {
    try {
      return await this.getStreamInfo(name, { fresh });
    } catch (err) {
      if (err instanceof StreamNotFoundError) return null;
      throw err;
    }
  }

  /** Every stream's info by name, read with the paginated list call; refreshes the cache. */
  private async listInfos(): Promise<Map<string, StreamInfo>> {
    const mark = this.cache.mark();
    const infos = await this.call('ensureStreams', undefined, async (jsm) => {
      const all: StreamInfo[] = [];
      for await (const info of jsm.streams.list()) all.push(info);
      return all;
    });
    this.cache.refreshFromList(infos, mark);
    return new Map(infos.map((info) => [info.config.name, info]));
  }

  /** A write: runs it through {@link call} and stores the server's answer in the cache. */
  private async write(operation: string, stream: string, fn: (jsm: JetStreamManager) => Promise<StreamInfo>): Promise<StreamInfo> {
    this.cache.delete(stream);
    const info = await this.call(operation, stream, fn);
    this.cache.set(stream, info);
    return info;
  }

  /**
   * Runs one JetStream API operation: transient answers retried, errors typed. An operation that
   * is not idempotent (delete, purge) is only retried when the server certainly did not apply it.
   */
  private async call<T>(
    operation: string,
    stream: string | undefined,
    fn: (jsm: JetStreamManager) => Promise<T>,
    idempotent = true,
  ): Promise<T> {
    try {
      // The manager's first use asks $JS.API.INFO, which can meet the same transient answers.
      return await retryTransient(
        async () => fn(await this.connection.getJetStreamManager()),
        this.options.operationTimeoutMs,
        idempotent ? isTransient : isTransientUnapplied,
      );
    } catch (err) {
      throw toStreamsError(err, operation, stream);
    }
  }

  private server(): ServerContext {
    const info = this.connection.getConnection().info;
    return { version: ServerVersion.parse(info?.version), clustered: !!info?.cluster };
  }
}

const jsonCodec = JSONCodec();

/** The server's err_code carried by one of this library's typed errors. */
function typedErrCode(err: unknown): number | undefined {
  return (err as { errCode?: number }).errCode;
}

function failed(name: string, error: Error): EnsureBatchResult {
  return { name, action: 'failed', changes: [], error };
}

function toList(streams: StreamDeclarations): StreamDeclaration[] {
  return Array.isArray(streams) ? streams : Object.entries(streams).map(([name, d]) => ({ ...d, name }));
}

function names(streams: StreamDeclarations): string[] {
  return toList(streams).map((s) => String(s?.name));
}

/** The streams on the server indexed by the subjects they capture. */
function indexSubjects(infos: Iterable<StreamInfo>): SubjectIndex<StreamInfo> {
  const index = new SubjectIndex<StreamInfo>();
  for (const info of infos) for (const subject of info.config.subjects ?? []) index.add(subject, info);
  return index;
}

/** Another stream on the server capturing a subject the declaration wants, if any. */
function overlappingStream(desired: DesiredStream, others: SubjectIndex<StreamInfo>): { name: string; subjects: string[] } | undefined {
  for (const subject of desired.config.subjects) {
    const other = others.overlapping(subject).find((e) => e.value.config.name !== desired.name)?.value;
    if (other) return { name: other.config.name, subjects: other.config.subjects ?? [] };
  }
  return undefined;
}

function validatePurge(stream: string, opts: PurgeOptions): PurgeOptions {
  if (opts === null || typeof opts !== 'object') {
    throw new InvalidStreamConfigError(stream, 'purge', 'needs a subject or { filter?, seq?, keep? }');
  }
  if (opts.filter !== undefined) validateSubject(opts.filter, stream);
  if (opts.seq !== undefined && opts.keep !== undefined) {
    throw new InvalidStreamConfigError(stream, 'purge', 'cannot combine seq and keep');
  }
  for (const key of ['seq', 'keep'] as const) {
    const v = opts[key];
    if (v !== undefined && (!Number.isInteger(v) || v < (key === 'seq' ? 1 : 0))) {
      throw new InvalidStreamConfigError(stream, key, `must be an integer >= ${key === 'seq' ? 1 : 0}, got ${String(v)}`);
    }
  }
  return opts;
}
