import { type DynamicModule, Module } from '@nestjs/common';
import { StreamsModule } from 'nestjs-jetstream-streams';
import { BillingModule } from './billing.module.js';
import { ShippingModule } from './shipping.module.js';

/** The root module configures the connection once; features bring their own streams. */
@Module({})
export class FeatureStreamsAppModule {
  static register(natsUrl: string): DynamicModule {
    return {
      module: FeatureStreamsAppModule,
      imports: [StreamsModule.forRoot({ isGlobal: true, connection: { servers: natsUrl } }), BillingModule, ShippingModule],
    };
  }
}
