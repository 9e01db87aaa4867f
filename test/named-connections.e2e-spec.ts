import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import {
  ConnectionService,
  getConnectionServiceToken,
  getStreamEventsToken,
  getStreamMonitorToken,
  getStreamServiceToken,
  InjectConnectionService,
  InjectStreamEvents,
  InjectStreamMonitor,
  InjectStreamService,
  InvalidOptionsError,
  StreamEvents,
  StreamMonitor,
  StreamService,
  StreamsModule,
} from '@app/streams';
import { StreamsHealthModule } from '@app/streams/health';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { connect } from 'nats';
import request from 'supertest';
import { getJson } from './support/get-json.js';
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
        StreamsHealthModule,
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

/**
 * Injects every public service of both connections: by class (the default connection's, whatever
 * the order of the `forRoot` calls) and by name.
 */
@Injectable()
class BothConnections {
  constructor(
    readonly streams: StreamService,
    readonly connection: ConnectionService,
    readonly monitor: StreamMonitor,
    readonly events: StreamEvents,
    @InjectStreamService('eu') readonly euStreams: StreamService,
    @InjectConnectionService('eu') readonly euConnection: ConnectionService,
    @InjectStreamMonitor('eu') readonly euMonitor: StreamMonitor,
    @InjectStreamEvents('eu') readonly euEvents: StreamEvents,
  ) {}
}

describe.each([
  ['the default forRoot first', ['default', 'eu']],
  ['the eu forRoot first', ['eu', 'default']],
])('The class means the default connection, the token the named one (%s)', (_order, order) => {
  let main: NatsTestServer;
  let eu: NatsTestServer;
  let app: INestApplication;

  beforeAll(async () => {
    [main, eu] = await Promise.all([startNatsServer(), startNatsServer()]);
    const roots = {
      default: StreamsModule.forRoot({
        connection: { servers: main.url, reconnectTimeWait: 200 },
        drainTimeoutMs: 1_000,
        streams: [{ name: 'orders', subjects: ['orders.>'] }],
      }),
      eu: StreamsModule.forRoot({
        name: 'eu',
        connection: { servers: eu.url, reconnectTimeWait: 200 },
        drainTimeoutMs: 1_000,
        streams: [{ name: 'eu_orders', subjects: ['eu.orders.>'] }],
      }),
    };
    // One module imports both forRoot and a forFeature of eu, and injects by class and by name.
    @Module({
      imports: [
        ...order.map((name) => roots[name as 'default' | 'eu']),
        StreamsModule.forFeature([{ name: 'eu_refunds', subjects: ['eu.refunds.>'] }], 'eu'),
      ],
      providers: [BothConnections],
    })
    class AppModule {}
    app = await startTestApp([AppModule], { logger: false });
    await eu.stop('SIGKILL');
    await waitFor(
      async () => app.get<ConnectionService>(getConnectionServiceToken('eu')).isConnected(),
      (connected) => !connected,
      { timeoutMs: 10_000, everyMs: 50, what: 'the eu connection down' },
    );
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([main?.dispose(), eu?.dispose()]);
  });

  it('app.get(Class) and injection by class give the default connection, never the last one registered', () => {
    const both = app.get(BothConnections);
    const byClass = [app.get(StreamService), app.get(ConnectionService), app.get(StreamMonitor), app.get(StreamEvents)];
    const byDefaultToken = [getStreamServiceToken(), getConnectionServiceToken(), getStreamMonitorToken(), getStreamEventsToken()].map(
      (token) => app.get(token),
    );
    const byEuToken = [
      getStreamServiceToken('eu'),
      getConnectionServiceToken('eu'),
      getStreamMonitorToken('eu'),
      getStreamEventsToken('eu'),
    ].map((token) => app.get(token));

    const byClassInjected = [both.streams, both.connection, both.monitor, both.events];
    const byNameInjected = [both.euStreams, both.euConnection, both.euMonitor, both.euEvents];
    // Identity per kind (StreamService, ConnectionService, StreamMonitor, StreamEvents).
    const same = (a: unknown[], b: unknown[]) => a.map((service, i) => service === b[i]);

    expect(same(byClass, byClassInjected)).toEqual([true, true, true, true]);
    expect(same(byDefaultToken, byClass)).toEqual([true, true, true, true]);
    expect(same(byEuToken, byNameInjected)).toEqual([true, true, true, true]);
    expect(same(byEuToken, byClass)).toEqual([false, false, false, false]);
    expect([app.get(ConnectionService).name, both.euConnection.name]).toEqual(['default', 'eu']);
  });

  it('with the eu server down, the default connection services found by class answer from the main server', async () => {
    const both = app.get(BothConnections);

    const listed = await app.get(StreamService).listStreams();
    const ensured = await both.streams.ensureStream('orders', ['orders.>']);
    const snapshot = await app.get(StreamMonitor).read(0);

    expect(listed).toEqual(['orders']);
    expect(ensured.action).toBe('unchanged');
    expect(Object.keys(snapshot.streams)).toEqual(['orders']);
    expect(app.get(ConnectionService).isConnected()).toBe(true);
    expect(both.euConnection.isConnected()).toBe(false);
  });

  it('closes both factory-made connections when the app closes (their lifecycle hooks run)', async () => {
    const both = app.get(BothConnections);

    await app.close();
    app = undefined as never;

    expect([both.connection.currentStatus.type, both.euConnection.currentStatus.type]).toEqual(['closed', 'closed']);
    // The server sees the socket close a moment after the client does.
    await waitFor(
      async () => ((await getJson(`${main.monitorUrl}/connz`)) as { connections: unknown[] }).connections,
      (connections) => connections.length === 0,
      { timeoutMs: 5_000, everyMs: 50, what: 'no connection left on the main server' },
    );
  });
});
