import { inspect } from 'node:util';
import { ConsoleLogger, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { StreamsModule, type StreamsModuleOptions } from '@app/streams';
import type { NatsTestServer } from '@app/streams/testing';
import { getJson } from './get-json.js';

/**
 * A Nest logger that keeps every line it is given, as `<level> [<context>] <message>`, debug
 * included (Terminus logs a failed check through it; the library its start-up details).
 */
export class KeepingLogger extends ConsoleLogger {
  readonly lines: string[] = [];

  constructor() {
    super();
    this.setLogLevels(['log', 'warn', 'error', 'debug']);
  }

  protected override printMessages(messages: unknown[], context?: string, level?: string): void {
    this.lines.push(`${level} [${context}] ${messages.map((m) => (typeof m === 'string' ? m : inspect(m))).join(' ')}`);
  }
}

/**
 * An HTTP app with `StreamsModule.forRoot(options)` first in its imports, not yet initialised:
 * the test calls `init()` and sees how start-up ends.
 */
export async function createStreamsApp(
  options: StreamsModuleOptions,
  imports: unknown[] = [],
  logger: ConsoleLogger | false = false,
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [StreamsModule.forRoot(options), ...(imports as never[])] }).compile();
  return moduleRef.createNestApplication({ logger });
}

/** Client connections the server holds now, from its monitoring endpoint. */
export async function connectionCount(server: NatsTestServer): Promise<number> {
  return ((await getJson(`${server.monitorUrl}/connz`)) as { num_connections: number }).num_connections;
}
