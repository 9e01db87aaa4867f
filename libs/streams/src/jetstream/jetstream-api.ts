import { Inject, Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { headers, type MsgHdrs, type NatsConnection } from 'nats';
import { type Observable, Subject } from 'rxjs';
import { ConnectionService } from '../connection/connection.service.js';
import { ApiLevelError } from '../errors/api-level.error.js';
import { ApiReplyError } from '../errors/api-reply.error.js';
import { JetStreamApiError } from '../errors/jetstream-api.error.js';
import { RetryExhaustedError } from '../errors/retry-exhausted.error.js';
import { JetStreamUnavailableError } from '../errors/jetstream-unavailable.error.js';
import { ErrCode, type ApiErrorBody } from '../errors/err-codes.js';
import { classifyFailure, toStreamsError } from '../errors/to-streams-error.js';
import { STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { ServerVersion } from '../server/server-version.js';
import { consumerApiLevel, streamApiLevel, type ApiLevelNeed } from '../declaration/required-api-level.js';
import type {
  AccountInfo,
  ConsumerAction,
  CreatedStreamInfo,
  MessageRequest,
  Paged,
  PurgeRequest,
  ServerConsumerConfig,
  ServerConsumerInfo,
  StoredMessage,
  StreamInfoRequest,
  StreamRequestConfig,
} from './api-types.js';
import { callOf, type ApiCallEvent } from './api-call.js';
import { retryTransient } from './retry.js';

export type { ApiCallEvent } from './api-call.js';

/** Who asks: the library operation (named in errors) and the stream concerned. */
export interface ApiCaller {
  /** The library operation, e.g. `ensureStream`. */
  operation: string;
  /** The stream concerned, if any. */
  stream?: string;
}

/** What the API sends its requests over: the module's connection, or a migration's own (see {@link JetStreamApi.over}). */
export interface ApiConnection {
  /** The connection to send on; throws when there is none yet. */
  getConnection(): NatsConnection;
  /** The connection, if a request on it can be answered now; throws `NatsNotConnectedError` when it would only wait. */
  connectedConnection(operation: string, stream?: string): NatsConnection;
  /** Whether the connected server's INFO says it runs JetStream. */
  serverRunsJetStream(): boolean;
}

/**
 * A bound on every request made within {@link JetStreamApi.within}: start-up's deadline, which
 * replaces `operationTimeoutMs` for them.
 */
export interface RequestScope {
  /** Epoch ms after which no request is sent, and none retried. */
  deadline: number;
  /** The bound, as named in the error of a request it cut short, e.g. `startup.streamsTimeoutMs (60000 ms)`. */
  what: string;
}

/**
 * The JetStream API as this library uses it: the only code that knows the API subjects and
 * sends requests. Every call is retried on transient answers within `operationTimeoutMs` (a write
 * that is not idempotent only when the server certainly did not apply it) and fails with the
 * library's typed errors, naming the caller's operation.
 *
 * It fails at once, nothing sent, where waiting cannot help: while the connection is known to be
 * down (`NatsNotConnectedError`), and when the connected server runs without JetStream and nothing
 * answers on the plain `$JS.API` (`JetStreamUnavailableError`). Within {@link within} (start-up),
 * requests instead wait out disconnects and transient answers until the scope's deadline.
 */
@Injectable()
export class JetStreamApi {
  private readonly prefix: string;
  private readonly calls = new Subject<ApiCallEvent>();
  private readonly scopes = new AsyncLocalStorage<RequestScope>();
  private scoped = 0;

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    @Inject(ConnectionService) private readonly connection: ApiConnection,
  ) {
    this.prefix = options.apiPrefix;
  }

  /**
   * The same API (options, subclass, `calls$`) sending every request over `connection` instead:
   * a migration sends all of its requests over a connection of its own, which never reconnects.
   */
  over(connection: ApiConnection): this {
    const view = Object.create(this) as this;
    Object.defineProperty(view, 'connection', { value: connection });
    return view;
  }

  /**
   * One event per API request (each attempt of a retried one): its operation, subject kind, how
   * long it took and how it failed. Costs nothing without subscribers (metrics subscribe).
   */
  get calls$(): Observable<ApiCallEvent> {
    return this.calls.asObservable();
  }

  /**
   * Runs `fn` with every request it makes (and the calls those lead to) bounded by the scope's
   * deadline instead of `operationTimeoutMs`: transient answers and disconnects are waited out
   * until then, and after it nothing more is sent.
   */
  async within<T>(scope: RequestScope, fn: () => Promise<T>): Promise<T> {
    this.scoped += 1;
    try {
      return await this.scopes.run(scope, fn);
    } finally {
      // Tracking the scope costs every promise of the process a hook: off again once unused.
      if (--this.scoped === 0) this.scopes.disable();
    }
  }

  /** The stream's info; rejects with `StreamNotFoundError` when it does not exist. */
  streamInfo(name: string, caller: ApiCaller, request?: StreamInfoRequest): Promise<ServerStreamInfo> {
    return this.request(`STREAM.INFO.${name}`, request, caller);
  }

  /**
   * Every stream's info (all pages), or of those capturing `subject`. The streams the server holds
   * but has offline (nats-server 2.12+; listed apart, without info) are added to `offline` when
   * given, by name, with the server's reason.
   */
  async listStreams(caller: ApiCaller, subject?: string, offline?: Map<string, string>): Promise<ServerStreamInfo[]> {
    const all: ServerStreamInfo[] = [];
    // Offline streams count in `total` but are not in `streams`: paging goes by what was seen.
    let seen = 0;
    for (let page = await this.listPage(0, caller, subject); ; page = await this.listPage(seen, caller, subject)) {
      all.push(...(page.streams ?? []));
      const away = Object.entries(page.offline ?? {});
      for (const [name, reason] of away) offline?.set(name, reason);
      seen += (page.streams?.length ?? 0) + away.length;
      if (!(page.streams?.length || away.length) || seen >= page.total) return all;
    }
  }

  /** Every stream's name (all pages), or of those capturing `subject`. */
  async streamNames(caller: ApiCaller, subject?: string): Promise<string[]> {
    const all: string[] = [];
    for (;;) {
      const page = await this.request<Paged & { streams: string[] | null }>(
        'STREAM.NAMES',
        { offset: all.length, ...(subject !== undefined && { subject }) },
        caller,
      );
      all.push(...(page.streams ?? []));
      if (!page.streams?.length || all.length >= page.total) return all;
    }
  }

  /** Creates a stream with exactly `config`, asking for the API level its fields need. */
  createStream(config: StreamRequestConfig, caller: ApiCaller): Promise<CreatedStreamInfo> {
    return this.levelled(`STREAM.CREATE.${config.name}`, this.pedantic(config), caller, streamApiLevel(config));
  }

  /**
   * Replaces the stream's config with exactly `config` (the client's `streams.update` would read
   * the stream first and merge, so a field could never be removed).
   */
  updateStream(config: StreamRequestConfig, caller: ApiCaller): Promise<ServerStreamInfo> {
    return this.levelled(`STREAM.UPDATE.${config.name}`, this.pedantic(config), caller, streamApiLevel(config));
  }

  /** Deletes the stream; retried only when the server certainly did not apply the request. */
  async deleteStream(name: string, caller: ApiCaller): Promise<void> {
    await this.request(`STREAM.DELETE.${name}`, undefined, caller, false);
  }

  /** Purges the messages `request` selects; returns how many were removed. */
  async purgeStream(name: string, request: PurgeRequest, caller: ApiCaller): Promise<number> {
    const answer = await this.request<{ purged: number }>(`STREAM.PURGE.${name}`, request, caller, false);
    return answer.purged;
  }

  /** The consumer's info; rejects with a `JetStreamApiError` of err_code 10014 when it does not exist. */
  consumerInfo(stream: string, consumer: string, caller: ApiCaller): Promise<ServerConsumerInfo> {
    return this.request(`CONSUMER.INFO.${stream}.${consumer}`, undefined, caller);
  }

  /** Every consumer of the stream (all pages). */
  async listConsumers(stream: string, caller: ApiCaller): Promise<ServerConsumerInfo[]> {
    const all: ServerConsumerInfo[] = [];
    for (;;) {
      const page = await this.request<Paged & { consumers: ServerConsumerInfo[] | null }>(
        `CONSUMER.LIST.${stream}`,
        { offset: all.length },
        caller,
      );
      all.push(...(page.consumers ?? []));
      if (!page.consumers?.length || all.length >= page.total) return all;
    }
  }

  /**
   * Creates or updates a consumer with exactly `config`: a named one (durable or not) through
   * `CONSUMER.CREATE.<stream>.<name>`, an unnamed ephemeral through `CONSUMER.CREATE.<stream>`.
   * `action` 'create' refuses an existing consumer with another config and 'update' a missing one
   * (nats-server 2.10+; 2.9 ignores it, so callers decide on a fresh read).
   */
  createConsumer(
    stream: string,
    config: ServerConsumerConfig,
    caller: ApiCaller,
    action: ConsumerAction = '',
  ): Promise<ServerConsumerInfo> {
    const name = config.durable_name ?? config.name;
    const subject = name ? `CONSUMER.CREATE.${stream}.${name}` : `CONSUMER.CREATE.${stream}`;
    const request = this.pedantic({ stream_name: stream, config, ...(action ? { action } : {}) });
    const need = consumerApiLevel(config);
    return this.levelled(subject, request, caller, need && { ...need, field: `consumers.${name ?? ''}.${need.field}` }, action !== '');
  }

  /** Deletes a consumer; retried only when the server certainly did not apply the request. */
  async deleteConsumer(stream: string, consumer: string, caller: ApiCaller): Promise<void> {
    await this.request(`CONSUMER.DELETE.${stream}.${consumer}`, undefined, caller, false);
  }

  /** One stored message (STREAM.MSG.GET); rejects with a 10037 `JetStreamApiError` when there is none. */
  async getMessage(stream: string, request: MessageRequest, caller: ApiCaller): Promise<StoredMessage> {
    const answer = await this.request<{ message: StoredMessage }>(`STREAM.MSG.GET.${stream}`, request, caller);
    return answer.message;
  }

  /**
   * Moves a consumer so that its next delivery is stream sequence `seq`, everything below counting
   * as acknowledged (`CONSUMER.RESET`, nats-server 2.14+). Sent once, never retried: resolves to
   * undefined when no answer comes within `requestTimeoutMs`, which is how a server without this
   * API (2.9 to 2.13) answers; a server refusal (e.g. 10204, not allowed for deliver policy
   * `new`/`last`) rejects as usual.
   */
  async resetConsumer(stream: string, consumer: string, seq: number, caller: ApiCaller): Promise<ServerConsumerInfo | undefined> {
    try {
      return await this.send<ServerConsumerInfo>(`CONSUMER.RESET.${stream}.${consumer}`, { seq }, caller);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'TIMEOUT') return undefined;
      throw toStreamsError(err, caller.operation, caller.stream);
    }
  }

  /** Resumes a paused consumer (`CONSUMER.PAUSE` with no date; nats-server 2.11+). */
  async resumeConsumer(stream: string, consumer: string, caller: ApiCaller): Promise<void> {
    await this.request(`CONSUMER.PAUSE.${stream}.${consumer}`, undefined, caller);
  }

  /**
   * Pauses a consumer until `until` (RFC 3339; `CONSUMER.PAUSE`, nats-server 2.11+). An update
   * cannot pause nor resume a consumer: the server keeps the `pause_until` it holds.
   */
  async pauseConsumer(stream: string, consumer: string, until: string, caller: ApiCaller): Promise<void> {
    await this.request(`CONSUMER.PAUSE.${stream}.${consumer}`, { pause_until: until }, caller);
  }

  /** The account's JetStream usage and limits. */
  accountInfo(caller: ApiCaller): Promise<AccountInfo> {
    return this.request('INFO', undefined, caller);
  }

  /**
   * A create or update request with `pedantic: true` when the connected server knows it (2.11+):
   * the server then refuses a config it would otherwise adjust by itself (e.g. turn on roll-ups for
   * message schedules), so what it holds is what was declared. Older servers ignore the field.
   */
  private pedantic<T extends object>(request: T): T {
    const version = ServerVersion.parse(this.connection.getConnection().info?.version);
    return version.atLeast(PEDANTIC_SINCE) ? { ...request, pedantic: true } : request;
  }

  /**
   * A create or update whose config needs API level `need.level` (nats-server 2.11+ fields), sent
   * with `Nats-Required-Api-Level` so that a server below it (in a cluster mid-upgrade, the meta
   * leader or the stream leader may run an older version than the connected server) refuses the
   * request instead of dropping the field: that refusal (10185) becomes `ApiLevelError`. 2.9 and
   * 2.10 ignore the header (measured); without `need` nothing is added.
   */
  protected async levelled<T>(subject: string, payload: unknown, caller: ApiCaller, need?: ApiLevelNeed, idempotent = true): Promise<T> {
    if (!need) return this.request<T>(subject, payload, caller, idempotent);
    const levelHeader = headers();
    levelHeader.set(REQUIRED_API_LEVEL_HEADER, String(need.level));
    try {
      return await this.request<T>(subject, payload, caller, idempotent, levelHeader);
    } catch (err) {
      if ((err as { errCode?: unknown }).errCode !== ErrCode.RequiredApiLevel) throw err;
      throw new ApiLevelError(caller.operation, caller.stream, need.field, need.level, need.since, {
        cause: err,
        errCode: ErrCode.RequiredApiLevel,
      });
    }
  }

  private listPage(offset: number, caller: ApiCaller, subject?: string) {
    return this.request<Paged & { streams: ServerStreamInfo[] | null; offline?: Record<string, string> }>(
      'STREAM.LIST',
      { offset, ...(subject !== undefined && { subject }) },
      caller,
    );
  }

  /**
   * Sends one API request (`payload` as JSON, none when undefined) and returns the answer, retrying
   * transient failures; the server's error answers become typed errors.
   */
  private async request<T>(subject: string, payload: unknown, caller: ApiCaller, idempotent = true, header?: MsgHdrs): Promise<T> {
    const scope = this.scopes.getStore();
    // A request made while the connection is known to be down would only wait for a reconnect.
    if (!scope) this.connection.connectedConnection(caller.operation, caller.stream);
    const budget = scope ? scope.deadline - Date.now() : this.options.operationTimeoutMs;
    if (budget <= 0) {
      throw new JetStreamApiError(caller.operation, caller.stream, 'TIMEOUT', `not sent: ${scope?.what} had passed`);
    }
    const transient = idempotent ? isTransient : isTransientUnapplied;
    const retryable = (err: unknown) => transient(err) && !this.jetStreamAbsent(err);
    try {
      // An attempt ends by itself within requestTimeoutMs (the request's own timeout).
      return await retryTransient(() => this.send<T>(subject, payload, caller, header), budget, retryable, this.options.requestTimeoutMs);
    } catch (err) {
      // The start-up bound, not the server, ended it: say which (the server did not answer in time).
      if (scope && err instanceof RetryExhaustedError && !isNoResponders(err.cause)) {
        throw new JetStreamApiError(
          caller.operation,
          caller.stream,
          'TIMEOUT',
          `${scope.what} passed before the server answered (${err.attempts} attempt${err.attempts === 1 ? '' : 's'}; the last: ${err.message}): check the server, or raise it`,
          { cause: err },
        );
      }
      if (this.jetStreamAbsent(err)) {
        throw new JetStreamUnavailableError(
          `the connected server runs without JetStream (its INFO says so) and nothing else answered on ${this.prefix}`,
          { cause: err },
        );
      }
      throw toStreamsError(err, caller.operation, caller.stream);
    }
  }

  /**
   * "No responders" on the plain `$JS.API` of a server whose INFO says it has no JetStream: that
   * will not change by waiting. (With a domain or another prefix, or behind a cluster route, a
   * JetStream elsewhere may answer; a 503 there is retried as usual.)
   */
  private jetStreamAbsent(err: unknown): boolean {
    return (err as { code?: unknown } | null)?.code === '503' && this.prefix === '$JS.API' && !this.connection.serverRunsJetStream();
  }

  /** Sends one API request, once; rejects with what it failed with (not yet a typed error). */
  private async send<T>(subject: string, payload: unknown, caller: ApiCaller, header?: MsgHdrs): Promise<T> {
    const body = payload === undefined ? EMPTY : encoder.encode(JSON.stringify(payload));
    const started = performance.now();
    try {
      const reply = await this.connection
        .getConnection()
        .request(`${this.prefix}.${subject}`, body, { timeout: this.options.requestTimeoutMs, ...(header && { headers: header }) });
      const answer = JSON.parse(decoder.decode(reply.data)) as T & { error?: ApiErrorBody };
      if (answer.error) throw new ApiReplyError(subject, answer.error);
      if (this.calls.observed)
        this.calls.next({ operation: caller.operation, ...callOf(subject), durationMs: performance.now() - started });
      return answer;
    } catch (err) {
      if (this.calls.observed) {
        const error =
          err instanceof ApiReplyError ? String(err.api.err_code ?? err.api.code) : String((err as { code?: unknown }).code ?? 'error');
        this.calls.next({ operation: caller.operation, ...callOf(subject), durationMs: performance.now() - started, error });
      }
      throw err;
    }
  }
}

const EMPTY = new Uint8Array(0);
/** The first nats-server that takes `pedantic` in create and update requests. */
const PEDANTIC_SINCE = '2.11.0';
/** The header asking the server that handles a JetStream API request for a minimum API level (ADR-44). */
const REQUIRED_API_LEVEL_HEADER = 'Nats-Required-Api-Level';
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const isTransient = (err: unknown): boolean => classifyFailure(err).transient;
const isNoResponders = (err: unknown): boolean => (err as { code?: unknown } | null | undefined)?.code === '503';
const isTransientUnapplied = (err: unknown): boolean => classifyFailure(err).unapplied;
