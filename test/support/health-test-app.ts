import { Controller, Get, type INestApplication, type Provider, type Type } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { StreamsModule, type StreamsModuleOptions } from '@app/streams';
import { NatsHealthIndicator, StreamsHealthIndicator, StreamsHealthModule } from '@app/streams/health';

/**
 * The `/health` endpoint an app using the library writes: each connection's NATS link and declared
 * streams, as `nats` / `streams` for the default connection and `nats-<name>` / `streams-<name>`
 * for another.
 */
export function healthControllerFor(connections: readonly string[] = ['default']): Type {
  @Controller('health')
  class HealthController {
    constructor(
      private readonly health: HealthCheckService,
      private readonly nats: NatsHealthIndicator,
      private readonly streams: StreamsHealthIndicator,
    ) {}

    @Get()
    @HealthCheck()
    check() {
      return this.health.check(
        connections.flatMap((connection) => {
          const suffix = connection === 'default' ? '' : `-${connection}`;
          return [
            () => this.nats.isHealthy(`nats${suffix}`, { connection }),
            () => this.streams.isHealthy(`streams${suffix}`, { connection }),
          ];
        }),
      );
    }
  }
  return HealthController;
}

/**
 * Boots a real HTTP Nest app (platform-express) with `StreamsModule.forRoot(options)` and
 * `GET /health`, listening on a free 127.0.0.1 port. Close it with `app.close()`.
 */
export async function startHealthTestApp(options: StreamsModuleOptions, providers: Provider[] = []): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [StreamsModule.forRoot(options), TerminusModule, StreamsHealthModule],
    controllers: [healthControllerFor()],
    providers,
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return app;
}
