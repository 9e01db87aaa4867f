import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import {
  ConnectionService,
  getStreamServiceToken,
  InjectConnectionService,
  InjectStreamMonitor,
  InjectStreamService,
  InvalidOptionsError,
  StreamMonitor,
  StreamService,
  StreamsModule,
} from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { connect } from 'nats';
import request from 'supertest';
import { healthControllerFor } from './support/health-test-app.js';
import { startTestApp } from './support/streams-app.js';
import { waitFor } from './support/wait.js';

/** A feature module that declares streams on both connections and uses both, without `isGlobal`. */
@Injectable()
class Billing {
  constructor(
    readonly streams: StreamService,
    readonly connection: ConnectionService,
    @InjectStreamService('eu') readonly euStreams: StreamService,
    @InjectConnectionService('eu') readonly euConnection: ConnectionService,
    @InjectStreamMonitor('eu') readonly euMonitor: StreamMonitor,
  ) {}
}

@Module({
  imports: [
    StreamsModule.forFeature([{ name: 'invoices', subjects: ['invoices.>'] }]),
    StreamsModule.forFeature([{ name: 'eu_invoices', subjects: ['eu.invoices.>'] }], 'eu'),
  ],
  providers: [Billing],
})
class BillingModule {}

describe('Several named connections in one app: default and eu, on two servers', () => {
  let main: NatsTestServer;
  let eu: NatsTestServer;
  let app: INestApplication;

  beforeAll(async () => {
    [main, eu] = await Promise.all([startNatsServer(), startNatsServer()]);
    const moduleRef = await Test.createTestingModule({
      imports: [
        StreamsModule.forRoot({
          connection: { servers: main.url, reconnectTimeWait: 200 },
          drainTimeoutMs: 1_000,
          monitorIntervalMs: 300,
          streams: [{ name: 'orders', subjects: ['orders.>'] }],
        }),
        StreamsModule.forRoot({
          name: 'eu',
          connection: { servers: eu.url, reconnectTimeWait: 200 },
          drainTimeoutMs: 1_000,
          monitorIntervalMs: 300,
          streams: [{ name: 'eu_orders', subjects: ['eu.orders.>'] }],
        }),
        BillingModule,
        TerminusModule,
      ],
      controllers: [healthControllerFor(['default', 'eu'])],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([main?.dispose(), eu?.dispose()]);
  });

  it('gives each connection its own server, declarations (forRoot and forFeature) and services, injected by name', async () => {
    const billing = app.get(Billing);
    expect([billing.connection.name, billing.euConnection.name]).toEqual(['default', 'eu']);
    expect(billing.connection.servers).toEqual([main.url]);
    expect(billing.euConnection.servers).toEqual([eu.url]);
    expect((await billing.streams.listStreams()).sort()).toEqual(['invoices', 'orders']);
    expect((await billing.euStreams.listStreams()).sort()).toEqual(['eu_invoices', 'eu_orders']);
    // The raw servers agree: nothing of one connection landed on the other.
    for (const [server, names] of [
      [main, ['invoices', 'orders']],
      [eu, ['eu_invoices', 'eu_orders']],
    ] as const) {
      const nc = await connect({ servers: server.url });
      const listed: string[] = [];
      for await (const name of (await nc.jetstreamManager()).streams.names()) listed.push(name);
      await nc.close();
      expect(listed.sort()).toEqual([...names]);
    }
    // From the app, a named connection's services are found by their tokens.
    expect(app.get(getStreamServiceToken('eu'))).toBe(billing.euStreams);
    // By class, the app finds the default connection's services, never a named one's.
    expect(app.get(StreamService)).toBe(billing.streams);
    expect(app.get(ConnectionService).name).toBe('default');
    const snapshot = await billing.euMonitor.read(0);
    expect(Object.keys(snapshot.streams).sort()).toEqual(['eu_invoices', 'eu_orders']);
  });

  it('takes only the killed server’s indicators down in /health', async () => {
    const before = await request(app.getHttpServer()).get('/health');
    expect(before.status).toBe(200);
    expect(Object.keys(before.body.details)).toEqual(['nats', 'streams', 'nats-eu', 'streams-eu']);

    await eu.stop('SIGKILL');
    const down = await waitFor(
      () => request(app.getHttpServer()).get('/health'),
      (res) => res.status === 503 && res.body.details['nats-eu'].status === 'down' && res.body.details['streams-eu'].status === 'down',
      { timeoutMs: 10_000, everyMs: 100, what: 'the eu indicators down' },
    );
    expect(down.body.details.nats).toMatchObject({ status: 'up' });
    expect(down.body.details.streams).toMatchObject({ status: 'up' });
    expect(Object.keys(down.body.error)).toEqual(['nats-eu', 'streams-eu']);
    // The default connection keeps working.
    await expect(app.get(Billing).streams.ensureStream('orders', ['orders.>'])).resolves.toMatchObject({ action: 'unchanged' });

    await eu.restart();
    await waitFor(
      () => request(app.getHttpServer()).get('/health'),
      (res) => res.status === 200,
      { timeoutMs: 15_000, everyMs: 100, what: 'eu back up' },
    );
  });
});

describe('forFeature without forRoot', () => {
  it.each([
    ['no forRoot at all', [], undefined, /StreamsModule\.forFeature\(\) needs StreamsModule\.forRoot\(\) or forRootAsync\(\) in the app/],
    ["a connection forRoot did not name ('eu')", ['default'], 'eu', /needs StreamsModule\.forRoot\(\) or forRootAsync\(\) with name 'eu'/],
  ])('fails start-up with a clear error: %s', async (_case, roots, connection, message) => {
    const server = await startNatsServer();
    try {
      const imports = [
        ...roots.map(() => StreamsModule.forRoot({ connection: { servers: server.url }, drainTimeoutMs: 1_000 })),
        StreamsModule.forFeature([{ name: 'lonely', subjects: ['lonely.>'] }], connection),
      ];
      const failure = await startTestApp(imports, { logger: false }).then(
        (app) => app.close().then(() => undefined),
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(InvalidOptionsError);
      expect((failure as Error).message).toMatch(message);
      const nc = await connect({ servers: server.url });
      const names: string[] = [];
      for await (const name of (await nc.jetstreamManager()).streams.names()) names.push(name);
      await nc.close();
      expect(names).toEqual([]);
    } finally {
      await server.dispose();
    }
  });
});
