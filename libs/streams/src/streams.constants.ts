/** Injection token of the per-feature stream declarations collected by `StreamsModule.forFeature`. */
export const STREAMS_FEATURE_DECLARATIONS = Symbol('STREAMS_FEATURE_DECLARATIONS');

/** Logger context of the library. */
export const LOG_CONTEXT = 'StreamsModule';
