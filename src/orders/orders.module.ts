import { Module } from '@nestjs/common';
import { StreamsModule } from '@app/streams';

/** A feature module that declares its own stream with `forFeature`. */
@Module({
  imports: [
    StreamsModule.forFeature([
      { name: 'payments', subjects: ['payments.>'], max_age: '30d', duplicate_window: '5m', max_bytes: 64 * 1024 * 1024 },
    ]),
  ],
})
export class OrdersModule {}
