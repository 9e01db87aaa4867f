import type { StreamDeclaration } from '@app/streams';

/** The streams the demo app declares in `StreamsModule.forRoot`. */
export const DEMO_STREAMS: StreamDeclaration[] = [
  { name: 'orders', subjects: ['orders.>'], max_age: '7d', description: 'Order events' },
  { name: 'notifications', subjects: ['notify.*'], max_msgs_per_subject: 1_000, max_age: '1d' },
];
