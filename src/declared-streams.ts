import type { StreamDeclaration } from '@app/streams';
import { DEMO_STREAMS, ORDERS_FEATURE_STREAMS } from './demo-streams.js';

/**
 * Every stream the demo declares (its `forRoot` streams and those of its feature modules): the
 * module `npm run streams:plan` points the plan command at.
 */
export const streams: StreamDeclaration[] = [...DEMO_STREAMS, ...ORDERS_FEATURE_STREAMS];
