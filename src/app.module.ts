import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { StreamsModule } from '@app/streams';
import { DEMO_STREAMS } from './demo-streams.js';
import { DashboardController } from './dashboard.controller.js';
import { HealthController } from './health.controller.js';
import { OrdersModule } from './orders/orders.module.js';
import { StreamsController } from './streams.controller.js';

/** The demo app: declared streams, /health, /streams. NATS_URL says where NATS is. */
@Module({
  imports: [
    StreamsModule.forRootAsync({
      isGlobal: true,
      useFactory: () => ({
        connection: { servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', name: 'streams-demo' },
        streams: DEMO_STREAMS,
        monitorIntervalMs: 2_000,
      }),
    }),
    TerminusModule,
    OrdersModule,
  ],
  controllers: [HealthController, StreamsController, DashboardController],
})
export class AppModule {}
