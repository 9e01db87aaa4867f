import { Module } from '@nestjs/common';
import { StreamsModule } from '@app/streams';
import { ORDERS_FEATURE_STREAMS } from '../demo-streams.js';

/** A feature module that declares its own stream with `forFeature`. */
@Module({
  imports: [StreamsModule.forFeature(ORDERS_FEATURE_STREAMS)],
})
export class OrdersModule {}
