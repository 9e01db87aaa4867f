/** Injection token of the module options with every default applied (`ResolvedStreamsOptions`). */
export const STREAMS_RESOLVED_OPTIONS = Symbol('STREAMS_RESOLVED_OPTIONS');

/** Logger context of the library. */
export const LOG_CONTEXT = 'StreamsModule';
