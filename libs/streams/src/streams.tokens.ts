import { Inject } from '@nestjs/common';
import { ConnectionService } from './connection/connection.service.js';
import { StreamEvents } from './events/stream-events.js';
import { StreamMonitor } from './monitoring/stream-monitor.js';
import { DEFAULT_CONNECTION } from './streams.constants.js';
import { StreamService } from './streams/stream.service.js';

/** The services each connection gives the app (by class for the default one, by token for the others), by kind. */
export const PUBLIC_SERVICES = { StreamService, ConnectionService, StreamMonitor, StreamEvents } as const;
/** The kind of a public service, e.g. `'StreamService'`. */
export type ServiceKind = keyof typeof PUBLIC_SERVICES;

/**
 * The injection token of a connection's service: the class itself for the default connection,
 * a string naming the connection for the others (the way `@nestjs/typeorm` names data sources).
 */
export function getStreamsToken(
  kind: ServiceKind,
  connection: string = DEFAULT_CONNECTION,
): string | (typeof PUBLIC_SERVICES)[ServiceKind] {
  return connection === DEFAULT_CONNECTION ? PUBLIC_SERVICES[kind] : `nestjs-jetstream-streams:${connection}:${kind}`;
}

/** The token of the `StreamService` of `connection` (default: the default connection). */
export const getStreamServiceToken = (connection?: string) => getStreamsToken('StreamService', connection);
/** The token of the `ConnectionService` of `connection`. */
export const getConnectionServiceToken = (connection?: string) => getStreamsToken('ConnectionService', connection);
/** The token of the `StreamMonitor` of `connection`. */
export const getStreamMonitorToken = (connection?: string) => getStreamsToken('StreamMonitor', connection);
/** The token of the `StreamEvents` of `connection`. */
export const getStreamEventsToken = (connection?: string) => getStreamsToken('StreamEvents', connection);

/**
 * Injects the `StreamService` of a named connection.
 * @example
 * constructor(@InjectStreamService('eu') private readonly euStreams: StreamService) {}
 */
export const InjectStreamService = (connection?: string): ParameterDecorator => Inject(getStreamServiceToken(connection));
/** Injects the `ConnectionService` of a named connection. */
export const InjectConnectionService = (connection?: string): ParameterDecorator => Inject(getConnectionServiceToken(connection));
/** Injects the `StreamMonitor` of a named connection. */
export const InjectStreamMonitor = (connection?: string): ParameterDecorator => Inject(getStreamMonitorToken(connection));
/** Injects the `StreamEvents` of a named connection. */
export const InjectStreamEvents = (connection?: string): ParameterDecorator => Inject(getStreamEventsToken(connection));

/**
 * Internal: the token of connection `connection`'s own instance of a service class (or of a value
 * such as its resolved options, by name). Every connection builds its services under these tokens,
 * never under the classes: only the default connection's public module provides the classes, so a
 * lookup by class can never find another connection's service.
 */
export function connectionToken(type: { name: string } | string, connection: string): symbol {
  return Symbol.for(`nestjs-jetstream-streams:${connection}:${typeof type === 'string' ? type : type.name}`);
}

/**
 * The token a test overrides to change a connection's options while keeping the app's own
 * (e.g. point `forRoot`'s connection at a test server); see the testing entry point.
 */
export function getStreamsOptionsOverrideToken(connection: string = DEFAULT_CONNECTION): symbol {
  return Symbol.for(`nestjs-jetstream-streams:options-override:${connection}`);
}
