import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { InjectStreamService, StreamService, StreamsModule } from '@app/streams';
import {
  createStreamsTestingModule,
  overrideStreamsConnection,
  startNatsCluster,
  startNatsServer,
  type NatsTestCluster,
  type NatsTestServer,
} from '@app/streams/testing';
import { getJson } from './support/get-json.js';

@Injectable()
class OrdersService {
  constructor(readonly streams: StreamService) {}
}

/** The testing entry point users get: a real server and a Nest testing module pointed at it. */
describe('testing kit: createStreamsTestingModule', () => {
  let server: NatsTestServer | undefined;
  let cluster: NatsTestCluster | undefined;

  afterEach(async () => {
    await server?.dispose();
    await cluster?.dispose();
    server = cluster = undefined;
  });

  it('builds a testing module on a single server with the user’s providers and declared streams', async () => {
    server = await startNatsServer();
    const moduleRef = await createStreamsTestingModule(
      server,
      { streams: [{ name: 'kit_orders', subjects: ['kit.orders.>'] }] },
      {
        providers: [OrdersService],
      },
    ).compile();
    const app = await moduleRef.createNestApplication().init();

    const names = await app.get(OrdersService).streams.listStreams();

    expect(names).toEqual(['kit_orders']);
    await app.close();
  });

  it('accepts isGlobal and a connection name', async () => {
    server = await startNatsServer();
    @Injectable()
    class EuOrders {
      constructor(@InjectStreamService('eu') readonly streams: StreamService) {}
    }
    const moduleRef = await createStreamsTestingModule(
      server,
      { isGlobal: true, name: 'eu', streams: [{ name: 'kit_eu', subjects: ['kit.eu.>'] }] },
      {
        providers: [EuOrders],
      },
    ).compile();
    const app = await moduleRef.createNestApplication().init();

    expect(await app.get(EuOrders).streams.listStreams()).toEqual(['kit_eu']);
    await app.close();
  });

  it("runs a whole app's own forRootAsync (production URL, declared streams) against the test server, on one connection", async () => {
    server = await startNatsServer();
    @Module({
      imports: [
        StreamsModule.forRootAsync({
          isGlobal: true,
          useFactory: () => ({
            connection: { servers: 'nats://nats.production.invalid:4222', name: 'orders-service' },
            streams: [{ name: 'app_orders', subjects: ['app.orders.>'], max_age: '7d' }],
          }),
        }),
      ],
    })
    class AppModule {}

    const moduleRef = await overrideStreamsConnection(Test.createTestingModule({ imports: [AppModule] }), server, {
      requestTimeoutMs: 2_000,
    }).compile();
    const app = await moduleRef.createNestApplication().init();

    const info = await app.get(StreamService).getStreamInfo('app_orders');
    const connz = (await getJson(`${server.monitorUrl}/connz`)) as { connections: Array<{ name?: string }> };

    expect(info.config.max_age).toBe(7 * 24 * 3_600e9);
    // The connection, and the one beside it that follows stream advisories.
    expect(connz.connections.map((c) => c.name).sort()).toEqual(['orders-service', 'orders-service (advisories)']);
    await app.close();
  });

  it('connects to every node of a cluster and ensures a replicated stream', async () => {
    cluster = await startNatsCluster({ size: 3 });
    const moduleRef = await createStreamsTestingModule(cluster, {
      streams: [{ name: 'kit_r3', subjects: ['kit.r3.>'], num_replicas: 3 }],
    }).compile();
    const app = await moduleRef.createNestApplication().init();

    const info = await app.get(StreamService).getStreamInfo('kit_r3');

    expect(info.config.num_replicas).toBe(3);
    expect(info.cluster?.leader).toBeTruthy();
    await app.close();
  });
});
