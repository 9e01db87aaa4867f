import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ConnectionService, withTimeout } from '../connection/connection.service.js';
import { STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';

/**
 * Terminus indicator of the NATS connection: up when connected and a round trip to the server
 * completes within the timeout. Never throws; every failure is `down` with a reason.
 *
 * @example
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.nats.isHealthy('nats')]); }
 */
@Injectable()
export class NatsHealthIndicator {
  private readonly defaultTimeoutMs: number;

  constructor(
    private readonly connection: ConnectionService,
    private readonly health: HealthIndicatorService,
    @Inject(STREAMS_RESOLVED_OPTIONS) options: ResolvedStreamsOptions,
  ) {
    this.defaultTimeoutMs = options.health.rttTimeoutMs;
  }

  /** Checks the connection; `timeoutMs` bounds the round trip (default `health.rttTimeoutMs`). */
  async isHealthy<const Key extends string>(key: Key, options: { timeoutMs?: number } = {}): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.health.check(key);
    const servers = this.connection.servers;
    if (this.connection.isShuttingDown) return indicator.down({ reason: 'shutting down', servers });
    if (!this.connection.isConnected()) {
      return indicator.down({ reason: `NATS not connected (${this.connection.currentStatus.type})`, servers });
    }
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    try {
      const rttMs = await withTimeout(this.connection.rtt(), timeoutMs);
      return indicator.up({ server: this.connection.currentStatus.server, rttMs });
    } catch (err) {
      return indicator.down({ reason: `NATS round trip failed: ${(err as Error).message}`, servers });
    }
  }
}
