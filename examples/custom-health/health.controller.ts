import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { NatsHealthIndicator, StreamsHealthIndicator } from 'nestjs-jetstream-streams/health';

/**
 * Liveness answers only for the connection (a restart cannot fix a drifted stream); readiness
 * also checks the streams this instance needs before it takes traffic.
 */
@Controller('health')
export class CustomHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly nats: NatsHealthIndicator,
    private readonly streams: StreamsHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([() => this.nats.isHealthy('nats', { timeoutMs: 1_000 })]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.nats.isHealthy('nats'), () => this.streams.isHealthy('streams', { streams: ['orders'] })]);
  }
}
