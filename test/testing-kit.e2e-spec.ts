import { Injectable } from '@nestjs/common';
import { StreamService } from '@app/streams';
import { createStreamsTestingModule, startNatsCluster, startNatsServer, type NatsTestCluster, type NatsTestServer } from '@app/streams/testing';

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
    const moduleRef = await createStreamsTestingModule(server, { streams: [{ name: 'kit_orders', subjects: ['kit.orders.>'] }] }, {
      providers: [OrdersService],
    }).compile();
    const app = await moduleRef.createNestApplication().init();

    const names = await app.get(OrdersService).streams.listStreams();

    expect(names).toEqual(['kit_orders']);
    await app.close();
  });

  it('connects to every node of a cluster and ensures a replicated stream', async () => {
    cluster = await startNatsCluster({ size: 3 });
    const moduleRef = await createStreamsTestingModule(cluster, { streams: [{ name: 'kit_r3', subjects: ['kit.r3.>'], num_replicas: 3 }] }).compile();
    const app = await moduleRef.createNestApplication().init();

    const info = await app.get(StreamService).getStreamInfo('kit_r3');

    expect(info.config.num_replicas).toBe(3);
    expect(info.cluster?.leader).toBeTruthy();
    await app.close();
  });
});
