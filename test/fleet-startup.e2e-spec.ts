// Fleet mode when the connection is not open as the app boots: the election starts once it opens.
import { Injectable, type INestApplication, type OnModuleInit } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { firstValueFrom, filter } from 'rxjs';
import { ConnectionService, StreamMonitor, StreamsModule, type StreamsModuleOptions } from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { AppLogs } from './support/app-logs.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { waitFor } from './support/wait.js';

const INTERVAL_MS = 1_000;
const LEASE_MS = 3_000;
const OUTAGE_MS = 2_000;

describe('Fleet mode with the connection down at application bootstrap', () => {
  let server: NatsTestServer | undefined;
  let proxy: TcpProxy | undefined;
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    await proxy?.close();
    await server?.dispose();
    app = proxy = server = undefined;
  });

  it('elects itself once the connection is back, and the monitor then takes the snapshots as leader', async () => {
    server = await startNatsServer();
    proxy = await TcpProxy.start(server.port);
    const network = proxy;
    /** Cuts the app's network after the module's start-up and before bootstrap, and waits until the client knows it. */
    @Injectable()
    class CutBeforeBootstrap implements OnModuleInit {
      constructor(private readonly connection: ConnectionService) {}
      async onModuleInit(): Promise<void> {
        network.cut(OUTAGE_MS);
        await firstValueFrom(this.connection.status$.pipe(filter((s) => !s.connected)));
      }
    }
    const options: StreamsModuleOptions = {
      connection: { servers: proxy.url, reconnectTimeWait: 200 },
      streams: [{ name: 'boot_orders', subjects: ['boot_orders.>'] }],
      monitorIntervalMs: INTERVAL_MS,
      requestTimeoutMs: 1_000,
      drainTimeoutMs: 1_000,
      fleet: { group: 'boot-api', leaseMs: LEASE_MS },
    };
    const logs = new AppLogs();
    const moduleRef = await Test.createTestingModule({
      imports: [StreamsModule.forRoot(options)],
      providers: [CutBeforeBootstrap],
    }).compile();
    app = moduleRef.createNestApplication({ logger: logs });
    const connection = app.get(ConnectionService);

    await app.init();
    const downAtBootstrap = connection.isConnected();
    const monitor = app.get(StreamMonitor);
    const snapshot = await waitFor(
      () => monitor.read(0),
      (s) => s.fleet?.role === 'leader',
      { what: 'a snapshot taken as the fleet leader', timeoutMs: OUTAGE_MS + LEASE_MS + 2 * INTERVAL_MS + 10_000 },
    );

    expect(downAtBootstrap).toBe(false);
    expect(snapshot.healthy).toBe(true);
    expect(snapshot.streams.boot_orders).toMatchObject({ healthy: true });
    expect(logs.has(/Leads fleet group "boot-api"/)).toBe(true);
  }, 60_000);
});
