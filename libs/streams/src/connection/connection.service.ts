import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection, type NatsError } from 'nats';
import { BehaviorSubject, type Observable } from 'rxjs';
import { AUTH_CODES, NatsConnectionError } from '../errors/nats-connection.error.js';
import { toStreamsError } from '../errors/to-streams-error.js';
import { ServerVersion } from '../server/server-version.js';
import { logContext, STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { sleep, withTimeout } from '../timers.js';
import { prepareConnection, type PreparedConnection } from './connection-options.js';
import { redactUrl } from './redact.js';
import { checkTimeoutMs } from './timeout-ms.js';
import { clientStatus, statusOf, type ConnectionStatus } from './connection-status.js';

/** What the connected server is and can do, read from the INFO it sent when the connection opened. */
export interface ServerFacts {
  version: ServerVersion;
  /** Whether the server is part of a JetStream cluster. */
  clustered: boolean;
}

/**
 * Owns the module's one NATS connection: opens it in `onModuleInit` following the startup
 * policy, reports its status as an Observable, and drains it (bounded) at shutdown.
 */
@Injectable()
export class ConnectionService implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger: Logger;
  private readonly prepared: PreparedConnection;
  private readonly status = new BehaviorSubject<ConnectionStatus>(statusOf('connecting', false));
  private nc?: NatsConnection;
  private jsm?: Promise<JetStreamManager>;
  private js?: JetStreamClient;
  private opening?: Promise<NatsConnection>;
  private closing?: Promise<void>;
  /** Rejects each round trip on its way: called when the connection closes. */
  private readonly roundTrips = new Set<(err: Error) => void>();
  private shuttingDown = false;
  private finished = false;

  constructor(@Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions) {
    this.logger = new Logger(logContext(options.name));
    this.prepared = prepareConnection(this.options.connection);
  }

  /** The name of this connection (`'default'` unless `forRoot({ name })` said otherwise). */
  get name(): string {
    return this.options.name;
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
   * `onModuleInit`) share the same attempt. Services that need the connection in their own
   * `onModuleInit` await this: Nest 11 runs the hooks of one module concurrently.
   */
  open(): Promise<NatsConnection> {
    this.opening ??= this.connectWithPolicy().then((nc) => {
      this.nc = nc;
      const server = redactUrl(nc.getServer());
      this.logger.log(`Connected to NATS at ${server}`);
      this.status.next(statusOf('connected', true, server));
      void this.watchStatus(nc);
      void nc.closed().then(() => {
        for (const reject of this.roundTrips) reject(new Error('the NATS connection closed before the round trip completed'));
        this.roundTrips.clear();
        this.finish();
      });
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

  /** The JetStream client of the connection (created once), for publishing and consuming. */
  getJetStream(): JetStreamClient {
    this.js ??= this.getConnection().jetstream(this.jetStreamOptions());
    return this.js;
  }

  /**
   * The `nats` client's JetStream manager of the connection, created once. Rejects with
   * `JetStreamUnavailableError` when the server or account has no JetStream.
   */
  getJetStreamManager(): Promise<JetStreamManager> {
    this.jsm ??= this.getConnection()
      .jetstreamManager(this.jetStreamOptions())
      .catch((err: unknown) => {
        this.jsm = undefined;
        throw toStreamsError(err, 'getJetStreamManager');
      });
    return this.jsm;
  }

  /** Whether the connection is open and not between servers. */
  isConnected(): boolean {
    return !!this.nc && !this.nc.isClosed() && this.status.value.connected;
  }

  /**
   * Round-trip time to the server, in ms. Rejects when no answer comes within `timeoutMs`
   * (default `requestTimeoutMs`) or the connection closes first, and with `InvalidArgumentError`,
   * before any request, when `timeoutMs` is not a number of ms above 0, at most 2^31-1.
   */
  async rtt(timeoutMs: number = this.options.requestTimeoutMs): Promise<number> {
    checkTimeoutMs('rtt', 'timeoutMs', timeoutMs);
    const nc = this.getConnection();
    if (nc.isClosed()) throw new Error('the NATS connection is closed');
    // The client never settles a round trip whose connection closes; the close rejects it here.
    // (A reaction chained per call onto the long-lived `closed()` promise would stay on it until
    // the connection closes: about 0.5 kB per call.)
    const trip = new Promise<number>((resolve, reject) => {
      this.roundTrips.add(reject);
      nc.rtt()
        .then(resolve, reject)
        .finally(() => this.roundTrips.delete(reject));
    });
    return await withTimeout(trip, timeoutMs, 'NATS round trip');
  }

  /** The connected server's version and whether it is clustered, from the INFO it sent. */
  serverFacts(): ServerFacts {
    const info = this.getConnection().info;
    return { version: ServerVersion.parse(info?.version), clustered: !!info?.cluster };
  }

  /** The client's JetStream options for this connection's domain or API prefix. */
  private jetStreamOptions(): { timeout: number; apiPrefix: string } {
    return { timeout: this.options.requestTimeoutMs, apiPrefix: this.options.apiPrefix };
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
      const next = clientStatus(s.type, s.data, this.status.value.connected);
      if (!next) continue;
      if (next.type === 'disconnected') this.logger.warn(`Disconnected from NATS at ${next.server}`);
      if (next.type === 'reconnected') this.logger.log(`Reconnected to NATS at ${next.server}`);
      this.status.next(next);
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
    const drained = await withTimeout(
      nc.drain().then(() => true),
      total - closeBudget,
    ).catch(() => false);
    if (!drained) this.logger.warn(`NATS connection did not drain within ${total - closeBudget} ms; closing it`);
    // The client's drain can also resolve without closing (a subscription that could not drain
    // while the server is gone): its reconnect and ping timers would then keep the process alive.
    if (!nc.isClosed()) await withTimeout(nc.close(), closeBudget).catch(() => undefined);
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.status.next(statusOf('closed', false));
    this.status.complete();
  }
}

function sanitize(err: unknown): unknown {
  if (err instanceof Error) {
    const copy = new Error(redactUrl(err.message));
    copy.name = err.name;
    return copy;
  }
  return err;
}
