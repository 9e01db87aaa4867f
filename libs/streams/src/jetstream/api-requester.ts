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
import { ServerVersion } from '../server/server-version.js';
import type { ApiLevelNeed } from '../declaration/required-api-level.js';
import { callOf, type ApiCallEvent } from './api-call.js';
import { retryTransient } from './retry.js';

/** Who asks: the library operation (named in errors) and the stream concerned. */
export interface ApiCaller {
  /** The library operation, e.g. `ensureStream`. */
  operation: string;
  /** The stream concerned, if any. */
  stream?: string;
}

/** What the API sends its requests over: the module's connection, or a migration's own (see {@link ApiRequester.over}). */
export interface ApiConnection {
  /** The connection to send on; throws when there is none yet. */
  getConnection(): NatsConnection;
  /** The connection, if a request on it can be answered now; throws `NatsNotConnectedError` when it would only wait. */
  connectedConnection(operation: string, stream?: string): NatsConnection;
  /** Whether the connected server's INFO says it runs JetStream. */
  serverRunsJetStream(): boolean;
}

/**
 * A bound on every request made within {@link ApiRequester.within}: start-up's deadline, which
 * replaces `operationTimeoutMs` for them.
 */
export interface RequestScope {
  /** Epoch ms after which no request is sent, and none retried. */
  deadline: number;
  /** The bound, as named in the error of a request it cut short, e.g. `startup.streamsTimeoutMs (60000 ms)`. */
  what: string;
}

/**
 * How every JetStream API request is sent (the named requests are {@link JetStreamApi}'s): one
 * request, retried on transient answers within `operationTimeoutMs` (a write that is not
 * idempotent only when the server certainly did not apply it), failing with the library's typed
 * errors that name the caller's operation; `calls$` reports each attempt.
 *
 * It fails at once, nothing sent, where waiting cannot help: while the connection is known to be
 * down (`NatsNotConnectedError`), and when the connected server runs without JetStream and nothing
 * answers on the plain `$JS.API` (`JetStreamUnavailableError`). Within {@link within} (start-up),
 * requests instead wait out disconnects and transient answers until the scope's deadline.
 */
@Injectable()
export abstract class ApiRequester {
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

  /**
   * A create or update request with `pedantic: true` when the connected server knows it (2.11+):
   * the server then refuses a config it would otherwise adjust by itself (e.g. turn on roll-ups for
   * message schedules), so what it holds is what was declared. Older servers ignore the field.
   */
  protected pedantic<T extends object>(request: T): T {
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
  /**
   * Sends one API request (`payload` as JSON, none when undefined) and returns the answer, retrying
   * transient failures; the server's error answers become typed errors.
   */
  protected async request<T>(subject: string, payload: unknown, caller: ApiCaller, idempotent = true, header?: MsgHdrs): Promise<T> {
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
  protected async send<T>(subject: string, payload: unknown, caller: ApiCaller, header?: MsgHdrs): Promise<T> {
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
