import { Controller, Get, type INestApplication, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { StreamsModule, type StreamDeclaration, type StreamsModuleOptions } from '@app/streams';
import { NatsHealthIndicator, StreamsHealthIndicator, StreamsHealthModule } from '@app/streams/health';
import { nanos, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from 'nats';

/** N declarations with the library defaults only: `<prefix>_<i>` capturing `<prefix>.<i>.>`. */
export function declarations(prefix: string, n: number): StreamDeclaration[] {
  return Array.from({ length: n }, (_, i) => ({ name: `${prefix}_${i}`, subjects: [`${prefix}.${i}.>`] }));
}

/**
 * What a hand-written reconcile would send for a declaration: the same config the library
 * creates from `{ name, subjects }` with its default `streamDefaults`, written out by hand.
 */
export function rawConfig(d: StreamDeclaration): Partial<StreamConfig> {
  return {
    name: d.name,
    subjects: [...(d.subjects ?? [])].sort(),
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_msgs: 1_000_000,
    max_msgs_per_subject: 100_000,
    max_age: nanos(60 * 60 * 1000),
    num_replicas: 1,
  };
}

const COMPARED: Array<keyof StreamConfig> = ['retention', 'storage', 'max_msgs', 'max_msgs_per_subject', 'max_age', 'num_replicas'];

/** The hand-written comparison: the declared fields, subjects as a set. */
export function rawMatches(want: Partial<StreamConfig>, have: StreamConfig | undefined): boolean {
  if (!have) return false;
  const a = [...(want.subjects ?? [])].sort().join(' ');
  const b = [...(have.subjects ?? [])].sort().join(' ');
  return a === b && COMPARED.every((k) => want[k] === have[k]);
}

/** Deletes every stream on the server, 16 at a time (setup, never timed). */
export async function deleteAllStreams(jsm: JetStreamManager): Promise<void> {
  const names: string[] = [];
  for await (const name of jsm.streams.names()) names.push(name);
  let next = 0;
  const worker = async () => {
    while (next < names.length) await jsm.streams.delete(names[next++]);
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** Creates the streams by the raw client, 16 at a time (setup, never timed). */
export async function createStreams(jsm: JetStreamManager, decls: StreamDeclaration[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < decls.length) await jsm.streams.add(rawConfig(decls[next++]));
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

@Controller()
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly nats: NatsHealthIndicator,
    private readonly streams: StreamsHealthIndicator,
  ) {}

  /** The app's real health endpoint: connection round trip and every declared stream. */
  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.nats.isHealthy('nats'), () => this.streams.isHealthy('streams')]);
  }

  /** The connection indicator alone (one round trip, shared by concurrent checks). */
  @Get('health/nats')
  @HealthCheck()
  natsOnly() {
    return this.health.check([() => this.nats.isHealthy('nats')]);
  }

  /** The streams indicator alone (the monitor's snapshot, details computed once per snapshot). */
  @Get('health/streams')
  @HealthCheck()
  streamsOnly() {
    return this.health.check([() => this.streams.isHealthy('streams')]);
  }

  /** The same terminus endpoint with no indicator: what Nest + terminus + express cost alone. */
  @Get('health/baseline')
  @HealthCheck()
  baseline() {
    return this.health.check([]);
  }
}

function appModule(options: StreamsModuleOptions, http: boolean) {
  @Module({ imports: [StreamsModule.forRoot(options), TerminusModule, StreamsHealthModule], controllers: http ? [HealthController] : [] })
  class BenchAppModule {}
  return BenchAppModule;
}

/** A Nest application context with the module (no HTTP), initialised. */
export async function startContext(options: StreamsModuleOptions): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(appModule(options, false), { logger: false, abortOnError: false });
  await app.init();
  return app;
}

/** A Nest HTTP app (platform-express) with the /health controller, listening on a free port. */
export async function startHttpApp(options: StreamsModuleOptions): Promise<{ app: INestApplication; baseUrl: string }> {
  const app = await NestFactory.create(appModule(options, true), { logger: false, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, baseUrl: `http://127.0.0.1:${address.port}` };
}
