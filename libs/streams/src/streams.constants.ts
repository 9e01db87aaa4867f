/** Injection token of the module options with every default applied (`ResolvedStreamsOptions`). */
export const STREAMS_RESOLVED_OPTIONS = Symbol('STREAMS_RESOLVED_OPTIONS');

/** The name of the connection registered by `forRoot` / `forRootAsync` without a `name`. */
export const DEFAULT_CONNECTION = 'default';

/** Logger context of the library, naming the connection when it is not the default one. */
export function logContext(connection: string): string {
  return connection === DEFAULT_CONNECTION ? 'StreamsModule' : `StreamsModule:${connection}`;
}
