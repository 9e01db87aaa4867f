import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { NatsHealthIndicator, StreamsHealthIndicator } from '@app/streams/health';

/**
 * Probes: `GET /health/live` (the process answers: no dependency, so an outage of NATS or a drifted
 * stream never gets the pod restarted, which would not fix either), and `GET /health/ready` (also
 * `GET /health`): the NATS connection and every declared stream, 503 when any is down, so traffic
 * goes elsewhere until NATS is back or the drift is fixed.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly nats: NatsHealthIndicator,
    private readonly streams: StreamsHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get(['', 'ready'])
  @HealthCheck()
  ready() {
    return this.health.check([() => this.nats.isHealthy('nats'), () => this.streams.isHealthy('streams')]);
  }
}
