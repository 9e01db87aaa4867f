/**
 * How a service asks for its connection's options with every default applied
 * (`@Inject(STREAMS_RESOLVED_OPTIONS) options: ResolvedStreamsOptions`). No module provides this
 * token itself: each connection builds its services with its own options in its place (see
 * `connection-providers.ts`).
 */
export const STREAMS_RESOLVED_OPTIONS = Symbol('STREAMS_RESOLVED_OPTIONS');

/** The name of the connection registered by `forRoot` / `forRootAsync` without a `name`. */
export const DEFAULT_CONNECTION = 'default';

/** Logger context of the library, naming the connection when it is not the default one. */
export function logContext(connection: string): string {
  return connection === DEFAULT_CONNECTION ? 'StreamsModule' : `StreamsModule:${connection}`;
}
