import type { ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { StreamsModule } from '../streams.module.js';
import type { StreamsModuleExtras } from '../streams.module-definition.js';
import type { StreamsModuleOptions } from '../streams.options.js';
import { getStreamsOptionsOverrideToken } from '../streams.tokens.js';
import type { NatsTestCluster } from './nats-cluster.js';
import type { NatsTestServer } from './nats-test-server.js';

/** A test server or cluster to connect to. */
export type NatsTestTarget = NatsTestServer | NatsTestCluster;

function serversOf(target: NatsTestTarget): string | string[] {
  return 'urls' in target ? target.urls : target.url;
}

/**
 * A Nest testing module with `StreamsModule.forRoot` connected to a test server or cluster, plus
 * your own module metadata. Every module option is accepted, `isGlobal` and `name` included.
 * Override providers on the builder as usual, then `compile()`. To test a whole app that calls
 * `forRoot`/`forRootAsync` itself, use {@link overrideStreamsConnection} instead (one connection).
 *
 * @example
 * const server = await startNatsServer();
 * const moduleRef = await createStreamsTestingModule(server, { streams: [{ name: 'orders', subjects: ['orders.>'] }] }, {
 *   providers: [OrdersService],
 * }).compile();
 * const app = await moduleRef.createNestApplication().init();
 */
export function createStreamsTestingModule(
  target: NatsTestTarget,
  options: Partial<StreamsModuleOptions> & StreamsModuleExtras = {},
  metadata: ModuleMetadata = {},
): TestingModuleBuilder {
  return Test.createTestingModule({
    ...metadata,
    imports: [
      StreamsModule.forRoot({ ...options, connection: { ...options.connection, servers: serversOf(target) } }),
      ...(metadata.imports ?? []),
    ],
  });
}

/**
 * Points an app's own `StreamsModule.forRoot` / `forRootAsync` (with its production settings) at a
 * test server or cluster: its connection's servers are replaced, everything else it declares
 * (streams, defaults, health settings, the connection's other options) is kept, and `options` may
 * override more (e.g. shorter timeouts). One connection, the app's own: no second module.
 *
 * @param connection the `name` the app gave `forRoot`; the default connection when omitted
 * @example
 * const server = await startNatsServer();
 * const moduleRef = await overrideStreamsConnection(Test.createTestingModule({ imports: [AppModule] }), server).compile();
 * const app = await moduleRef.createNestApplication().init();
 */
export function overrideStreamsConnection(
  builder: TestingModuleBuilder,
  target: NatsTestTarget,
  options: Partial<StreamsModuleOptions> = {},
  connection?: string,
): TestingModuleBuilder {
  const override = { ...options, connection: { ...options.connection, servers: serversOf(target) } };
  return builder.overrideProvider(getStreamsOptionsOverrideToken(connection)).useValue(override);
}
