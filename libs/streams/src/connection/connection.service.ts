import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { BehaviorSubject, type Observable } from 'rxjs';
import { NatsNotConnectedError } from '../errors/nats-not-connected.error.js';
import { toStreamsError } from '../errors/to-streams-error.js';
import { ServerVersion } from '../server/server-version.js';
import { logContext, STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { withTimeout } from '../timers.js';
import { prepareConnection, type PreparedConnection } from './connection-options.js';
import { redactUrl } from './redact.js';
import { RoundTrips } from './round-trips.js';
import { ConnectSockets } from './connect-sockets.js';
import { connectAtStartup } from './startup-connect.js';
import { checkTimeoutMs } from './timeout-ms.js';
import { clientStatus, statusOf, type ConnectionStatus } from './connection-status.js';

/** What the connected server is and can do, read from the INFO it sent when the connection opened. */
export interface ServerFacts {
  version: ServerVersion;
  /** Whether the server is part of a JetStream cluster. */
  clustered: boolean;
}

/**
 * Owns the module's NATS connection: opens it in `onModuleInit` following the startup policy,
 * reports its status as an Observable, and drains it (bounded) at shutdown. A `close()` while
 * start-up still waits for a server stops that start-up: nothing connects afterwards.
 */
@Injectable()
export class ConnectionService implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger: Logger;
  private readonly prepared: PreparedConnection;
  private readonly status = new BehaviorSubject<ConnectionStatus>(statusOf('connecting', false));
  /** Aborted by `close()`: start-up stops waiting, and nothing connects after it. */
  private readonly closedSignal = new AbortController();
  /** Connections opened beside the main one (the advisories'), closed with it. */
  private readonly sideConnections = new Set<NatsConnection>();
  private readonly roundTrips = new RoundTrips();
  private nc?: NatsConnection;
  private jsm?: Promise<JetStreamManager>;
  private js?: JetStreamClient;
  private opening?: Promise<NatsConnection>;
  private closing?: Promise<void>;
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

  /**
   * Starts opening the connection. Start-up (`StreamsStartup`, which awaits the same attempt)
   * reports a failure and closes what start-up opened; this hook does not fail by itself.
   */
  async onModuleInit(): Promise<void> {
    await this.open().catch(() => undefined);
  }

  /**
   * Opens the connection following the startup policy, once; later calls (and the module's own
   * `onModuleInit`) share the same attempt. Services that need the connection in their own
   * `onModuleInit` await this: Nest 11 runs the hooks of one module concurrently.
   * @throws NatsConnectionError when no server answered within `startup.timeoutMs` or the
   *   credentials were refused; StreamsStartupError when the app was closed meanwhile
   */
  open(): Promise<NatsConnection> {
    this.opening ??= connectAtStartup(
      {
        options: this.prepared.options,
        servers: this.servers,
        startup: this.options.startup,
        connection: this.options.name,
        logger: this.logger,
      },
      this.closedSignal.signal,
    ).then((nc) => {
      this.nc = nc;
      const server = redactUrl(nc.getServer());
      this.logger.log(`Connected to NATS at ${server}`);
      this.status.next(statusOf('connected', true, server));
      void this.watchStatus(nc);
      void nc.closed().then(() => {
        this.roundTrips.rejectAll();
        this.finish();
      });
      return nc;
    });
    return this.opening;
  }

  /**
   * Opens one more connection to the same servers with the same options (one attempt, then it
   * reconnects forever like the main one), closed with the main one. What it carries cannot slow
   * down the main connection's requests: a flood on it makes the server drop it, not them.
   * @param purpose named in the client's connection name, e.g. `advisories`
   */
  async openSideConnection(purpose: string): Promise<NatsConnection> {
    if (this.shuttingDown) throw new NatsNotConnectedError('closed', `open the ${purpose} connection`);
    const base = this.prepared.options;
    const timeout = Math.min(base.timeout ?? 20_000, this.options.startup.timeoutMs);
    const nc = await new ConnectSockets().run(
      () => connect({ ...base, timeout, name: `${base.name ?? 'nestjs-jetstream-streams'} (${purpose})` }),
      this.closedSignal.signal,
    );
    if (this.shuttingDown) {
      await nc.close();
      throw new NatsNotConnectedError('closed', `open the ${purpose} connection`);
    }
    this.sideConnections.add(nc);
    void nc.closed().then(() => this.sideConnections.delete(nc));
    return nc;
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
   * longer (e.g. the server is gone), the connection is closed without it. `drain: false` closes
   * at once, within 1 s (what a failed start-up does: nothing of the app's is in flight yet). A
   * start-up still waiting for a server stops (it rejects with `StreamsStartupError`). Idempotent:
   * a later call shares the first one's close.
   */
  close(options: { drain?: boolean } = {}): Promise<void> {
    this.shuttingDown = true;
    this.closedSignal.abort();
    this.closing ??= this.drainAndClose(options.drain !== false);
    return this.closing;
  }

  /**
   * The open connection (closed after shutdown).
   * @throws NatsNotConnectedError (`state: 'connecting'`) before it opened: it opens in `onModuleInit`
   */
  getConnection(): NatsConnection {
    if (!this.nc) throw new NatsNotConnectedError(this.finished ? 'closed' : 'connecting', 'getConnection');
    return this.nc;
  }

  /**
   * The connection, if it can carry a request now.
   * @throws NatsNotConnectedError naming the state (`connecting`, `disconnected`, `reconnecting`,
   *   `draining`, `closed`) and the operation, when it cannot: the request would only wait
   */
  connectedConnection(operation: string, stream?: string): NatsConnection {
    const nc = this.nc;
    const status = this.status.value;
    if (!nc || nc.isClosed() || !status.connected) {
      const state = nc?.isClosed() || this.finished ? 'closed' : status.type;
      throw new NatsNotConnectedError(state, operation, stream);
    }
    return nc;
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
    return await withTimeout(this.roundTrips.measure(nc), timeoutMs, 'NATS round trip');
  }

  /** The connected server's version and whether it is clustered, from the INFO it sent. */
  serverFacts(): ServerFacts {
    const info = this.getConnection().info;
    return { version: ServerVersion.parse(info?.version), clustered: !!info?.cluster };
  }

  /**
   * Whether the connected server runs JetStream (its INFO says `jetstream: true`). One that does
   * not may still reach another server's JetStream, over a cluster route or a leaf node.
   */
  serverRunsJetStream(): boolean {
    return this.getConnection().info?.jetstream === true;
  }

  /** The client's JetStream options for this connection's domain or API prefix. */
  private jetStreamOptions(): { timeout: number; apiPrefix: string } {
    return { timeout: this.options.requestTimeoutMs, apiPrefix: this.options.apiPrefix };
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

  private async drainAndClose(drain: boolean): Promise<void> {
    // Nothing carries the side connections' traffic but the library: they close without a drain,
    // while the main one drains.
    const sides = Promise.all([...this.sideConnections].map((side) => withTimeout(side.close(), 1_000).catch(() => undefined)));
    // A start-up still opening the connection stops on the abort and closes what it opened.
    await this.opening?.catch(() => undefined);
    const nc = this.nc;
    if (!nc || nc.isClosed()) {
      await sides;
      this.finish();
      return;
    }
    this.status.next(statusOf('draining', false));
    // The whole shutdown fits in drainTimeoutMs: most of it for the drain, the rest for a close.
    const total = this.options.drainTimeoutMs;
    const closeBudget = drain ? Math.min(1_000, Math.floor(total / 5)) : 1_000;
    if (drain) {
      const drained = await withTimeout(
        nc.drain().then(() => true),
        total - closeBudget,
      ).catch(() => false);
      if (!drained) this.logger.warn(`NATS connection did not drain within ${total - closeBudget} ms; closing it`);
    }
    // The client's drain can also resolve without closing (a subscription that could not drain
    // while the server is gone): its reconnect and ping timers would then keep the process alive.
    if (!nc.isClosed()) await withTimeout(nc.close(), closeBudget).catch(() => undefined);
    await sides;
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.status.next(statusOf('closed', false));
    this.status.complete();
  }
}
