import { NestFactory } from '@nestjs/core';
import { StreamService, StreamsModule, type StreamPlan } from '../index.js';
import type { PlanArgs } from './cli-args.js';
import { loadDeclarations } from './load-declarations.js';

/**
 * Loads the declarations named by `args.module` and asks the server what ensuring them would do.
 * Writes nothing: the module is started without `streams`, so start-up ensures none, and
 * `planStreams` only reads.
 *
 * @throws {DeclarationsModuleError} for an unusable module; the library's errors (e.g.
 * `NatsConnectionError`, `JetStreamUnavailableError`) when the server cannot be asked.
 */
export async function planDeclaredStreams(args: PlanArgs, cwd: string): Promise<StreamPlan[]> {
  const { streams, streamDefaults } = await loadDeclarations(args.module, cwd);
  const app = await NestFactory.createApplicationContext(
    StreamsModule.forRoot({
      connection: { servers: args.servers, name: 'nestjs-jetstream-streams plan' },
      startup: { wait: true, timeoutMs: args.timeoutMs },
      streamDefaults,
    }),
    { logger: false, abortOnError: false },
  );
  try {
    return await app.get(StreamService).planStreams(streams);
  } finally {
    await app.close();
  }
}

/** Where the plan was checked, for the report: scheme, host and port of each server, never credentials. */
export function describeServers(servers: readonly string[]): string {
  return servers
    .map((server) => {
      try {
        const url = new URL(server.includes('://') ? server : `nats://${server}`);
        return `${url.protocol}//${url.host}`;
      } catch {
        return '(unparsable server address)';
      }
    })
    .join(', ');
}
