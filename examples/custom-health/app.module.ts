import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { StreamsModule } from 'nestjs-jetstream-streams';
import { StreamsHealthModule } from 'nestjs-jetstream-streams/health';
import { CustomHealthController } from './health.controller.js';

@Module({})
export class CustomHealthAppModule {
  static register(natsUrl: string): DynamicModule {
    return {
      module: CustomHealthAppModule,
      imports: [
        StreamsModule.forRoot({
          connection: { servers: natsUrl },
          streams: [{ name: 'orders', subjects: ['orders.>'] }],
          health: { usageThreshold: 0.95, degradedReplicas: 'up' },
        }),
        TerminusModule,
        StreamsHealthModule,
      ],
      controllers: [CustomHealthController],
    };
  }
}
