import { Module } from '@nestjs/common';
import { StreamsModule } from 'nestjs-jetstream-streams';

/** Shipping declares its own stream, independently of billing. */
@Module({
  imports: [StreamsModule.forFeature([{ name: 'shipments', subjects: ['shipments.*'], max_msgs_per_subject: 10 }])],
})
export class ShippingModule {}
