import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { startNatsServer } from '@app/streams/testing';
import { AppModule } from './app.module.js';

/**
 * Starts the demo. Without NATS_URL it first starts a private JetStream nats-server (temporary
 * store, free port); the server is killed and its store removed when the process exits.
 */
async function bootstrap(): Promise<void> {
  const logger = new Logger('Demo');
  if (!process.env.NATS_URL) {
    const server = await startNatsServer();
    process.once('exit', () => rmSync(server.dir, { recursive: true, force: true }));
    process.env.NATS_URL = server.url;
    logger.log(`No NATS_URL set: started a private nats-server ${server.version} at ${server.url}`);
  }
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port, '127.0.0.1');
  logger.log(`Demo listening on http://127.0.0.1:${port} (GET /health, /streams, /streams/:name)`);
}

void bootstrap();
