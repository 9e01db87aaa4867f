import { Controller, Get, type INestApplication, type Provider } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { NatsHealthIndicator, StreamsHealthIndicator, StreamsModule, type StreamsModuleOptions } from '@app/streams';
import { connect, type NatsConnection } from 'nats';
import { setTimeout as delay } from 'node:timers/promises';

/** The /health endpoint an app using the library would write: connection and streams. */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly nats: NatsHealthIndicator,
    private readonly streams: StreamsHealthIndicator,
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.nats.isHealthy('nats'), () => this.streams.isHealthy('streams')]);
  }
}

/**
 * Boots a real HTTP Nest app (platform-express) with `StreamsModule.forRoot(options)` and
 * `GET /health`, listening on a free 127.0.0.1 port. Close it with `app.close()`.
 */
export async function startHealthTestApp(options: StreamsModuleOptions, providers: Provider[] = []): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [StreamsModule.forRoot(options), TerminusModule],
    controllers: [HealthController],
    providers,
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

/**
 * Counts the JetStream API requests every client of the server makes, through a raw connection
 * subscribed to `$JS.API.>` (a plain subscriber in the same account sees each request).
 */
export class JsApiCounter {
  readonly subjects: string[] = [];

  private constructor(private readonly nc: NatsConnection) {}

  static async start(url: string): Promise<JsApiCounter> {
    const nc = await connect({ servers: url, name: 'js-api-counter' });
    const counter = new JsApiCounter(nc);
    nc.subscribe('$JS.API.>', { callback: (_err, msg) => counter.subjects.push(msg.subject) });
    await nc.flush();
    return counter;
  }

  /** How many `$JS.API.STREAM.LIST` requests were seen so far. */
  get lists(): number {
    return this.subjects.filter((s) => s === '$JS.API.STREAM.LIST').length;
  }

  /** Makes sure every request published so far has reached this subscriber. */
  async settle(): Promise<void> {
    await delay(100);
    await this.nc.flush();
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}

/** Polls `probe` until it returns a value `done` accepts, or fails after `timeoutMs` with the last value. */
export async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    }
    await delay(everyMs);
    last = await probe();
  }
  return last;
}
