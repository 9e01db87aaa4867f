import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { AppModule } from './app.module.js';

const logger = new Logger('Demo');
let app: INestApplication | undefined;
let server: NatsTestServer | undefined;
let stopping: Promise<void> | undefined;

/**
 * Starts the demo. Without NATS_URL it first starts a private JetStream nats-server (temporary
 * store, free port). On SIGINT, SIGTERM, SIGHUP or a crash the app is closed, then the private
 * server is stopped and its store removed, and only then does the process end: once the demo has
 * exited, its server is gone.
 */
async function bootstrap(): Promise<void> {
  if (!process.env.NATS_URL) {
    server = await startNatsServer();
    process.env.NATS_URL = server.url;
    logger.log(
      `No NATS_URL set: started a private nats-server ${server.version} at ${server.url} (pid ${server.pid}, store ${server.dir})`,
    );
    logger.log(`Plan the demo's streams against it: NATS_URL=${server.url} npm run streams:plan`);
  }
  app = await NestFactory.create(AppModule);
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port, '127.0.0.1');
  logger.log(`Demo listening on http://127.0.0.1:${port} (GET /health, /streams, /streams/:name)`);
}

/** Closes the app (hooks run, NATS drained), then stops the private server and removes its store. Runs once. */
function stop(): Promise<void> {
  stopping ??= (async () => {
    await app?.close().catch((err: Error) => logger.error(`Closing the app failed: ${err.message}`));
    await server?.dispose();
  })();
  return stopping;
}

// Nest's enableShutdownHooks() would re-raise the signal as soon as the app is closed, before the
// private server is stopped; the demo handles the signals itself and re-raises them afterwards.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    logger.log(`${signal}: shutting down`);
    void stop().then(() => process.kill(process.pid, signal));
  });
}

function crash(err: unknown): void {
  logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  void stop().finally(() => process.exit(1));
}
process.on('uncaughtException', crash);

// Last resort for an exit the handlers above did not see (process.exit() elsewhere): synchronous only.
process.once('exit', () => {
  if (server?.running) process.kill(server.pid, 'SIGKILL');
  if (server) rmSync(server.dir, { recursive: true, force: true });
});

bootstrap().catch(crash);
