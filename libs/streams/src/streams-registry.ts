import { Global, Injectable, Module } from '@nestjs/common';
import type { ConnectionService } from './connection/connection.service.js';
import { InvalidArgumentError } from './errors/invalid-argument.error.js';
import { InvalidOptionsError } from './errors/invalid-options.error.js';
import type { StreamMonitor } from './monitoring/stream-monitor.js';
import { DEFAULT_CONNECTION } from './streams.constants.js';
import type { ResolvedStreamsOptions } from './streams.options.js';
import type { DeclaredStreams } from './streams/declared-streams.js';

/** What the health indicators need of one connection. */
export interface RegisteredConnection {
  connection: ConnectionService;
  monitor: StreamMonitor;
  declared: DeclaredStreams;
  options: ResolvedStreamsOptions;
}

/**
 * The app's connections by name, one per `forRoot` / `forRootAsync`, for the services that serve
 * all of them (the health indicators take a connection name).
 */
@Injectable()
export class StreamsRegistry {
  private readonly connections = new Map<string, RegisteredConnection>();

  /** Registers a connection's services under its name. */
  add(name: string, entry: RegisteredConnection): void {
    if (this.connections.has(name)) {
      throw new InvalidOptionsError(
        'name',
        name,
        'is used by two StreamsModule.forRoot/forRootAsync calls; give each connection its own name',
      );
    }
    this.connections.set(name, entry);
  }

  /** The names of the registered connections, in the order their modules were created. */
  names(): string[] {
    return [...this.connections.keys()];
  }

  /** Every registered connection's services, in registration order. */
  all(): RegisteredConnection[] {
    return [...this.connections.values()];
  }

  /**
   * The services of the connection `name`.
   * @throws InvalidArgumentError when no `forRoot` / `forRootAsync` registered that name
   */
  get(name: string = DEFAULT_CONNECTION): RegisteredConnection {
    const entry = this.connections.get(name);
    if (!entry) {
      const known = [...this.connections.keys()].map((n) => `'${n}'`).join(', ') || 'none';
      throw new InvalidArgumentError(
        'health check',
        'connection',
        `'${name}' is not registered by StreamsModule.forRoot/forRootAsync (known: ${known})`,
      );
    }
    return entry;
  }
}

/**
 * What every connection shares, and what the indicators and the dashboard read: the registry of
 * connections by name. Global and static, so there is one registry per app, whichever module
 * imports it first.
 */
@Global()
@Module({ providers: [StreamsRegistry], exports: [StreamsRegistry] })
export class StreamsSharedModule {}
