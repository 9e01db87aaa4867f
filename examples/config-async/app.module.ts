import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { StreamsModule } from 'nestjs-jetstream-streams';

/**
 * Options from `@nestjs/config`: NATS_URL (credentials may be in the URL, they are never logged),
 * and a longer start-up wait in production.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    StreamsModule.forRootAsync({
      isGlobal: true,
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        connection: {
          servers: config.getOrThrow<string>('NATS_URL'),
          name: config.get<string>('APP_NAME', 'orders-service'),
        },
        startup: { wait: true, timeoutMs: config.get<string>('NODE_ENV') === 'production' ? 60_000 : 5_000 },
        streamDefaults: { max_age: '7d', num_replicas: Number(config.get('NATS_REPLICAS', 1)) },
        streams: [{ name: 'orders', subjects: ['orders.>'] }],
      }),
    }),
  ],
})
export class ConfigAsyncAppModule {}
