import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { NatsHealthIndicator, StreamsHealthIndicator } from '@app/streams';

/** `GET /health`: the NATS connection and every declared stream (503 when any is down). */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly nats: NatsHealthIndicator,
    private readonly streams: StreamsHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.nats.isHealthy('nats'), () => this.streams.isHealthy('streams')]);
  }
}
