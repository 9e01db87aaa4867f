import type { BucketDeclaration, StreamDeclaration } from '@app/streams';

/** The streams the demo app declares in `StreamsModule.forRoot`, with the durable consumer of the orders stream. */
export const DEMO_STREAMS: StreamDeclaration[] = [
  {
    name: 'orders',
    subjects: ['orders.>'],
    max_age: '7d',
    description: 'Order events',
    consumers: [{ durable_name: 'billing', filter_subject: 'orders.created', ack_policy: 'explicit', max_deliver: 5, ack_wait: '30s' }],
  },
  { name: 'notifications', subjects: ['notify.*'], max_msgs_per_subject: 1_000, max_age: '1d' },
];

/** The key-value bucket the demo app declares in `StreamsModule.forRoot` (the stream `KV_sessions`). */
export const DEMO_BUCKETS: BucketDeclaration[] = [{ bucket: 'sessions', history: 5, ttl: '1h', max_bytes: 16 * 1024 * 1024 }];

/** The streams the orders feature module declares with `forFeature`. */
export const ORDERS_FEATURE_STREAMS: StreamDeclaration[] = [
  { name: 'payments', subjects: ['payments.>'], max_age: '30d', duplicate_window: '5m', max_bytes: 64 * 1024 * 1024 },
];
