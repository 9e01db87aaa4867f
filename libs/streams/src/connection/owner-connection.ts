import { connect, type NatsConnection } from 'nats';
import type { ApiConnection } from '../jetstream/jetstream-api.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { prepareConnection } from './connection-options.js';

/**
 * What a request to a presence subject found: someone answered, nothing subscribes to it any more
 * (the server said "no responders"), or no answer came in time.
 */
export type PingResult = 'answered' | 'no-responders' | 'no-answer';

/**
 * A NATS connection that never reconnects, opened with the module's connection options: a
 * migration sends every request of one run over it, and answers its presence pings on it.
 *
 * Why: the `nats` client buffers what is published while it reconnects and sends it after, so a
 * request of an owner that lost its connection could reach the server long after another instance
 * took the migration over. Once this connection closes it stays closed: every request on it fails
 * at once, and the server, having closed it, reads nothing more from it.
 */
export class OwnerConnection implements ApiConnection {
  /** Resolves when the connection has closed, for whatever reason. */
  readonly closed: Promise<void>;
  private open = true;

  private constructor(private readonly nc: NatsConnection) {
    this.closed = nc.closed().then(
      () => this.markClosed(),
      () => this.markClosed(),
    );
  }

  /**
   * Opens a connection to the module's servers with its options (credentials, TLS, name suffixed
   * with `label`), without reconnecting, waiting at most `requestTimeoutMs` for the server.
   * @throws the client's error when no server accepts it
   */
  static async open(options: Pick<ResolvedStreamsOptions, 'connection' | 'requestTimeoutMs'>, label: string): Promise<OwnerConnection> {
    const { options: prepared } = prepareConnection(options.connection);
    const nc = await connect({
      ...prepared,
      name: `${prepared.name ?? 'nestjs-jetstream-streams'} (${label})`,
      reconnect: false,
      maxReconnectAttempts: 0,
      waitOnFirstConnect: false,
      timeout: Math.min(prepared.timeout ?? options.requestTimeoutMs, options.requestTimeoutMs),
    });
    return new OwnerConnection(nc);
  }

  /** The connection (closed or not: a request on a closed one fails at once). */
  getConnection(): NatsConnection {
    return this.nc;
  }

  /**
   * The connection, open or closed: it never waits for a reconnect, so a request on a closed one
   * already fails at once, as the migration expects.
   */
  connectedConnection(): NatsConnection {
    return this.nc;
  }

  /** Whether the server's INFO says it runs JetStream. */
  serverRunsJetStream(): boolean {
    return this.nc.info?.jetstream === true;
  }

  /** Whether it is still open. */
  isConnected(): boolean {
    return this.open && !this.nc.isClosed();
  }

  /**
   * Answers every request on `subject` for as long as the connection is open. Resolves once the
   * server has the subscription.
   * @throws when the server refuses the subscription (permissions) or the connection is closed
   */
  async answer(subject: string): Promise<void> {
    let refused: Error | undefined;
    const sub = this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) refused = err;
        else msg.respond();
      },
    });
    await this.nc.flush();
    // A refused subscription is reported by the server after the flush's PONG at the latest.
    if (refused || sub.isClosed()) throw refused ?? new Error(`the subscription to "${subject}" was closed by the server`);
  }

  /** Sends an empty request to `subject` and tells how it went (see {@link PingResult}). */
  async ping(subject: string, timeoutMs: number): Promise<PingResult> {
    try {
      await this.nc.request(subject, new Uint8Array(0), { timeout: timeoutMs });
      return 'answered';
    } catch (err) {
      const code = String((err as { code?: unknown }).code);
      if (code === '503') return 'no-responders';
      if (code === 'TIMEOUT') return 'no-answer';
      throw err;
    }
  }

  /** Closes the connection (idempotent). */
  async close(): Promise<void> {
    this.markClosed();
    if (!this.nc.isClosed()) await this.nc.close().catch(() => undefined);
  }

  private markClosed(): void {
    this.open = false;
  }
}
