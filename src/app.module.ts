import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { StreamsModule } from '@app/streams';
import { StreamsHealthModule } from '@app/streams/health';
import { StreamsDashboardModule } from '@app/streams/dashboard';
import { DEMO_BUCKETS, DEMO_STREAMS } from './demo-streams.js';
import { HealthController } from './health.controller.js';
import { DemoMetricsModule } from './metrics.module.js';
import { OrdersModule } from './orders/orders.module.js';
import { StreamsController } from './streams.controller.js';

/**
 * The demo app: declared streams (one with a durable consumer) and a key-value bucket, the
 * dashboard at `/`, `/health`, `/streams`, and `/metrics` (Prometheus). NATS_URL says where NATS is.
 */
@Module({
  imports: [
    DemoMetricsModule,
    StreamsModule.forRootAsync({
      isGlobal: true,
      useFactory: () => ({
        connection: { servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', name: 'streams-demo' },
        streams: DEMO_STREAMS,
        buckets: DEMO_BUCKETS,
        monitorIntervalMs: 2_000,
      }),
    }),
    StreamsDashboardModule.register({ path: '/' }),
    TerminusModule,
    StreamsHealthModule,
    OrdersModule,
  ],
  controllers: [HealthController, StreamsController],
})
export class AppModule {}
