/** Logger context of the library. */
export const LOG_CONTEXT = 'StreamsModule';
