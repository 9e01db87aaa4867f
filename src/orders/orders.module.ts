import { Module } from '@nestjs/common';
import { StreamsModule, type StreamDeclaration } from '@app/streams';

/** The streams the orders feature declares. */
export const ORDERS_FEATURE_STREAMS: StreamDeclaration[] = [
  { name: 'payments', subjects: ['payments.>'], max_age: '30d', duplicate_window: '5m', max_bytes: 64 * 1024 * 1024 },
];

/** A feature module that declares its own stream with `forFeature`. */
@Module({
  imports: [StreamsModule.forFeature(ORDERS_FEATURE_STREAMS)],
})
export class OrdersModule {}
