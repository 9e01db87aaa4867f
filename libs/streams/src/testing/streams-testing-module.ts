import type { ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { StreamsModule } from '../streams.module.js';
import type { StreamsModuleOptions } from '../streams.options.js';
import type { NatsTestCluster } from './nats-cluster.js';
import type { NatsTestServer } from './nats-server.js';

/**
 * A Nest testing module with `StreamsModule.forRoot` connected to a test server or cluster, plus
 * your own module metadata. Override providers on the builder as usual, then `compile()`.
 *
 * @example
 * const server = await startNatsServer();
 * const moduleRef = await createStreamsTestingModule(server, { streams: [{ name: 'orders', subjects: ['orders.>'] }] }, {
 *   providers: [OrdersService],
 * }).compile();
 * const app = await moduleRef.createNestApplication().init();
 */
export function createStreamsTestingModule(
  target: NatsTestServer | NatsTestCluster,
  options: Partial<StreamsModuleOptions> = {},
  metadata: ModuleMetadata = {},
): TestingModuleBuilder {
  const servers = 'urls' in target ? target.urls : target.url;
  return Test.createTestingModule({
    ...metadata,
    imports: [
      StreamsModule.forRoot({ ...options, connection: { ...options.connection, servers } }),
      ...(metadata.imports ?? []),
    ],
  });
}
