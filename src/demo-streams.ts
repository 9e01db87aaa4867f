import type { StreamDeclaration } from '@app/streams';

/** The streams the demo app declares in `StreamsModule.forRoot`. */
export const DEMO_STREAMS: StreamDeclaration[] = [
  { name: 'orders', subjects: ['orders.>'], max_age: '7d', description: 'Order events' },
  { name: 'notifications', subjects: ['notify.*'], max_msgs_per_subject: 1_000, max_age: '1d' },
];

/** The streams the orders feature module declares with `forFeature`. */
export const ORDERS_FEATURE_STREAMS: StreamDeclaration[] = [
  { name: 'payments', subjects: ['payments.>'], max_age: '30d', duplicate_window: '5m', max_bytes: 64 * 1024 * 1024 },
];
