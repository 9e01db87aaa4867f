import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { StreamsModule, type StreamsModuleOptions } from '@app/streams';
import { StreamsHealthModule } from '@app/streams/health';

/** Modules, dynamic modules or forward references, as `@Module({ imports })` takes them. */
export type ModuleImports = NonNullable<ModuleMetadata['imports']>;

/** How {@link startTestApp} builds the app. */
export interface TestAppOptions {
  /**
   * `false` silences Nest's logger (for specs that provoke errors on purpose).
   * @default Nest's console logger
   */
  logger?: false;
}

/**
 * Compiles a testing module from `imports` and runs `app.init()` (no HTTP listener). When init
 * fails the half-started app is closed before the error is rethrown, so nothing keeps running.
 * `StreamsHealthModule` is imported too, so that specs can `app.get()` the health indicators.
 * Close the app with `app.close()`.
 */
export async function startTestApp(imports: ModuleImports, options: TestAppOptions = {}): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [...imports, StreamsHealthModule] }).compile();
  const app = moduleRef.createNestApplication(options.logger === false ? { logger: false } : undefined);
  try {
    await app.init();
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  return app;
}

/**
 * {@link startTestApp} with `StreamsModule.forRoot(streams)` first in the imports: connected,
 * and every declared stream ensured, when it resolves.
 *
 * @example
 * const app = await startStreamsApp({ connection: { servers: server.url } }, { logger: false });
 * const streams = app.get(StreamService);
 */
export function startStreamsApp(
  streams: StreamsModuleOptions,
  options: TestAppOptions & { imports?: ModuleImports } = {},
): Promise<INestApplication> {
  const { imports = [], ...appOptions } = options;
  return startTestApp([StreamsModule.forRoot(streams), ...imports], appOptions);
}
