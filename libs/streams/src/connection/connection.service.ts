import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import {
  connect,
  DebugEvents,
  Events,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
  type NatsError,
} from 'nats';
import { BehaviorSubject, type Observable } from 'rxjs';
import { JetStreamUnavailableError } from '../errors/jetstream-unavailable.error.js';
import { AUTH_CODES, NatsConnectionError } from '../errors/nats-connection.error.js';
import { LOG_CONTEXT, STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { prepareConnection, redactUrl, type PreparedConnection } from './connection-options.js';

/** The kind of the latest connection event. */
export type ConnectionStatusType =
  | 'connecting'
  | 'connected'
  | 'disconnected'
  | 'reconnecting'
  | 'reconnected'
  | 'error'
  | 'lame-duck'
  | 'draining'
  | 'closed';

/** One connection status event, as emitted by {@link ConnectionService.status$}. */
export interface ConnectionStatus {
  type: ConnectionStatusType;
  /** Whether the connection can carry requests now. */
  connected: boolean;
  /** The server concerned, credentials redacted. */
  server?: string;
  /** The error text, for `error` events (credentials redacted). */
  error?: string;
  at: Date;
}


/**
 * Owns the module's one NATS connection: opens it in `onModuleInit` following the startup
 * policy, reports its status as an Observable, and drains it (bounded) at shutdown.
 */
@Injectable()
export class ConnectionService implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger(LOG_CONTEXT);
  private readonly prepared: PreparedConnection;
  private readonly status = new BehaviorSubject<ConnectionStatus>(statusOf('connecting', false));
  private nc?: NatsConnection;
  private jsm?: Promise<JetStreamManager>;
  private js?: JetStreamClient;
  private opening?: Promise<NatsConnection>;
  private closing?: Promise<void>;
  private shuttingDown = false;
  private finished = false;

  constructor(@Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions) {
    this.prepared = prepareConnection(this.options.connection);
  }

  /** The connection's status events; replays the current status, completes when the connection closes. */
  get status$(): Observable<ConnectionStatus> {
    return this.status.asObservable();
  }

  /** The latest status. */
  get currentStatus(): ConnectionStatus {
    return this.status.value;
  }

  /** True once shutdown has begun; health indicators then report down. */
  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** The servers this module connects to, credentials redacted. */
  get servers(): string[] {
    return this.prepared.redactedServers;
  }

  async onModuleInit(): Promise<void> {
    await this.open();
  }

  /**
   * Opens the connection following the startup policy, once; later calls (and the module's own
   * `onModuleInit`) share the same attempt. Services of this module that need the connection in
   * their own `onModuleInit` await this: Nest 11 runs the hooks of one module concurrently.
   */
  open(): Promise<NatsConnection> {
    this.opening ??= this.connectWithPolicy().then((nc) => {
      this.nc = nc;
      const server = redactUrl(nc.getServer());
      this.logger.log(`Connected to NATS at ${server}`);
      this.status.next(statusOf('connected', true, server));
      void this.watchStatus(nc);
      void nc.closed().then(() => this.finish());
      return nc;
    });
    return this.opening;
  }

  onModuleDestroy(): void {
    this.shuttingDown = true;
  }

  /** Drains and closes the connection at shutdown; see {@link close}. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /**
   * Drains the connection and closes it, within `drainTimeoutMs` in all: if the drain takes
   * longer (e.g. the server is gone), the connection is closed without it. Idempotent.
   */
  close(): Promise<void> {
    this.shuttingDown = true;
    this.closing ??= this.drainAndClose();
    return this.closing;
  }

  /** The open connection. Throws if the module has not connected yet. */
  getConnection(): NatsConnection {
    if (!this.nc) {
      throw new Error('The NATS connection is not open yet: it opens in onModuleInit (await app.init())');
    }
    return this.nc;
  }

  /** The JetStream client of the connection (created once). */
  getJetStream(): JetStreamClient {
    this.js ??= this.getConnection().jetstream({ timeout: this.options.requestTimeoutMs });
    return this.js;
  }

  /**
   * The JetStream manager of the connection, created once. Rejects with
   * {@link JetStreamUnavailableError} when the server or account has no JetStream.
   */
  getJetStreamManager(): Promise<JetStreamManager> {
    this.jsm ??= this.createManager().catch((err: unknown) => {
      this.jsm = undefined;
      throw err;
    });
    return this.jsm;
  }

  /** Whether the connection is open and not between servers. */
  isConnected(): boolean {
    return !!this.nc && !this.nc.isClosed() && this.status.value.connected;
  }

  /** Round-trip time to the server, in ms. */
  rtt(): Promise<number> {
    return this.getConnection().rtt();
  }

  private async createManager(): Promise<JetStreamManager> {
    try {
      return await this.getConnection().jetstreamManager({ timeout: this.options.requestTimeoutMs });
    } catch (err) {
      const e = err as NatsError;
      const api = e.api_error;
      // A bare 503 is "no responders": nothing serves the JetStream API. (A 503 that carries an
      // api_error, such as 10008 during a leader election, is a server answer, not that.)
      if ((e.code === '503' && !api) || api?.err_code === 10039 || api?.err_code === 10076) {
        throw new JetStreamUnavailableError(api?.description ?? 'no JetStream API answered (is JetStream enabled?)', {
          cause: err,
          errCode: api?.err_code,
        });
      }
      throw err;
    }
  }

  private async connectWithPolicy(): Promise<NatsConnection> {
    const { wait, timeoutMs, retryIntervalMs } = this.options.startup;
    const started = Date.now();
    const deadline = started + timeoutMs;
    for (;;) {
      const remaining = deadline - Date.now();
      try {
        return await connect({
          ...this.prepared.options,
          timeout: Math.max(1, Math.min(this.prepared.options.timeout ?? 20_000, remaining)),
        });
      } catch (err) {
        const code = (err as NatsError).code ?? 'UNKNOWN';
        const left = deadline - Date.now();
        if (AUTH_CODES.has(code) || !wait || left <= 0) {
          throw new NatsConnectionError(this.servers, Date.now() - started, code, sanitize(err));
        }
        this.logger.warn(`NATS at ${this.servers.join(', ')} not reachable (${code}); retrying for ${left} ms more`);
        await sleep(Math.min(retryIntervalMs, left));
      }
    }
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      const next = this.toStatus(s.type, s.data);
      if (next) this.status.next(next);
    }
  }

  private toStatus(type: string, data: unknown): ConnectionStatus | undefined {
    const server = typeof data === 'string' ? redactUrl(data) : undefined;
    const connected = this.status.value.connected;
    switch (type) {
      case Events.Disconnect:
        this.logger.warn(`Disconnected from NATS at ${server}`);
        return statusOf('disconnected', false, server);
      case DebugEvents.Reconnecting:
        return statusOf('reconnecting', false, server);
      case Events.Reconnect:
        this.logger.log(`Reconnected to NATS at ${server}`);
        return statusOf('reconnected', true, server);
      case Events.LDM:
        return statusOf('lame-duck', connected, server);
      case Events.Error:
        return { ...statusOf('error', connected), error: redactUrl(String(data)) };
      default:
        return undefined;
    }
  }

  private async drainAndClose(): Promise<void> {
    const nc = this.nc;
    if (!nc || nc.isClosed()) {
      this.finish();
      return;
    }
    this.status.next(statusOf('draining', false));
    // The whole shutdown fits in drainTimeoutMs: most of it for the drain, the rest for a close.
    const total = this.options.drainTimeoutMs;
    const closeBudget = Math.min(1_000, Math.floor(total / 5));
    const drained = await withTimeout(nc.drain().then(() => true), total - closeBudget).catch(() => false);
    if (!drained) {
      this.logger.warn(`NATS connection did not drain within ${total - closeBudget} ms; closing it`);
      await withTimeout(nc.close(), closeBudget).catch(() => undefined);
    }
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.status.next(statusOf('closed', false));
    this.status.complete();
  }
}

function statusOf(type: ConnectionStatusType, connected: boolean, server?: string): ConnectionStatus {
  return { type, connected, ...(server ? { server } : {}), at: new Date() };
}

function sanitize(err: unknown): unknown {
  if (err instanceof Error) {
    const copy = new Error(redactUrl(err.message));
    copy.name = err.name;
    return copy;
  }
  return err;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with the promise's value, or rejects after `ms`. Clears its timer either way. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
