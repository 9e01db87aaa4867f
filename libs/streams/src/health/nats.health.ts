import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { ConnectionService } from '../connection/connection.service.js';
import { StreamsRegistry } from '../streams-registry.js';
import { checkOptions, connectionName, timeoutMs, type OptionCheck } from './check-options.js';
import { checkConnection } from './connection-check.js';

/** Options of one {@link NatsHealthIndicator.isHealthy} check. */
export interface NatsHealthCheckOptions {
  /** The connection to check, as named in `forRoot({ name })`. @default 'default' */
  connection?: string;
  /** Bound of the round trip, in ms. @default the connection's `health.rttTimeoutMs` */
  timeoutMs?: number;
}

const NATS_CHECKS: Record<keyof NatsHealthCheckOptions, OptionCheck> = {
  connection: connectionName('NatsHealthIndicator.isHealthy'),
  timeoutMs: timeoutMs('NatsHealthIndicator.isHealthy'),
};

/**
 * Terminus indicator of a NATS connection: up when connected and a round trip to the server
 * completes within the timeout. Checks that arrive while a round trip of the same connection and
 * timeout is on its way share it, so a burst of probes costs the server one PING at a time.
 * Never throws for a failure: every one is `down` with a reason (invalid options reject).
 *
 * @example
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.nats.isHealthy('nats'), () => this.nats.isHealthy('nats-eu', { connection: 'eu' })]); }
 */
@Injectable()
export class NatsHealthIndicator {
  /** The round trip on its way, per connection and timeout. */
  private readonly inflight = new WeakMap<ConnectionService, Map<number, Promise<number>>>();

  constructor(
    private readonly registry: StreamsRegistry,
    private readonly health: HealthIndicatorService,
  ) {}

  /**
   * Checks the connection (the default one unless `options.connection` names another). `null` or
   * no options mean the defaults.
   * @throws (rejects with) InvalidArgumentError for invalid options (an unknown key, a timeout that
   *   is not a number of ms above 0 and at most 2^31-1): a programming error, not a health verdict
   */
  async isHealthy<const Key extends string>(key: Key, given?: NatsHealthCheckOptions | null): Promise<HealthIndicatorResult<Key>> {
    const options = checkOptions<NatsHealthCheckOptions>('NatsHealthIndicator.isHealthy', given, NATS_CHECKS);
    return checkConnection(this.health, this.registry, key, options.connection, async (indicator, { connection, options: settings }) => {
      const servers = connection.servers;
      if (!connection.isConnected()) {
        return indicator.down({ reason: `NATS is not connected (${connection.currentStatus.type})`, servers });
      }
      try {
        const rttMs = await this.roundTrip(connection, options.timeoutMs ?? settings.health.rttTimeoutMs);
        return indicator.up({ server: connection.currentStatus.server, rttMs });
      } catch (err) {
        return indicator.down({ reason: `NATS round trip failed: ${(err as Error).message}`, servers });
      }
    });
  }

  /** A round trip of `connection` within `timeoutMs`, shared with the checks that ask meanwhile. */
  private roundTrip(connection: ConnectionService, timeoutMs: number): Promise<number> {
    let byTimeout = this.inflight.get(connection);
    if (!byTimeout) this.inflight.set(connection, (byTimeout = new Map()));
    let pending = byTimeout.get(timeoutMs);
    if (!pending) {
      const started = connection.rtt(timeoutMs).finally(() => byTimeout.delete(timeoutMs));
      byTimeout.set(timeoutMs, (pending = started));
    }
    return pending;
  }
}
