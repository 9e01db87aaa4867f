import type { INestApplication, Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { StreamsModule, type StreamsModuleOptions } from '@app/streams';
// The /health endpoint an app using the library would write (connection and streams): the demo's own.
import { HealthController } from '../../src/health.controller.js';

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
