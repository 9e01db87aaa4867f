import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { ConnectionService, StreamService, type StreamsModuleOptions } from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { JsApiSpy } from './js-api-spy.js';
import { startStreamsApp } from './streams-app.js';

let counter = 0;

/** `prefix` made unique in this run and across parallel Jest workers (`orders_4242_7`). */
export const uniqueName = (prefix: string): string => `${prefix}_${process.pid}_${++counter}`;

/**
 * What most e2e specs start from, filled in by the `beforeAll` that {@link useStreamsFixture}
 * registers: read the fields inside tests and hooks, never at the top of a `describe`.
 */
export interface StreamsFixture {
  /** A fresh nats-server with JetStream, of the version the e2e run is on. */
  server: NatsTestServer;
  /** The app under test: `StreamsModule.forRoot` connected to {@link server}. */
  app: INestApplication;
  /** The app's `StreamService`. */
  streams: StreamService;
  /** The app's own NATS connection. */
  nc: NatsConnection;
  /** A second connection, standing for other tooling (the `nats` CLI, another service). */
  raw: NatsConnection;
  /** The JetStream manager of {@link raw}. */
  jsm: JetStreamManager;
  /** Records every JetStream API request sent to the server. */
  spy: JsApiSpy;
  /** Whether the server is 2.10 or later (fields and APIs 2.9 does not have). */
  modern: boolean;
  /** Further apps a test starts; closed, newest first, after all tests. */
  apps: INestApplicationContext[];
}

/**
 * Registers a `beforeAll` that starts a server and an app with `StreamsModule.forRoot({ ...options,
 * connection: { servers } })` (Nest's logger off), and an `afterAll` that closes everything.
 *
 * @example
 * const fx = useStreamsFixture({ cacheTtlMs: 0 });
 * it('creates', async () => { await fx.streams.ensureStream('orders', ['orders.>']); });
 */
export function useStreamsFixture(options: Omit<StreamsModuleOptions, 'connection'> = {}): StreamsFixture {
  const fx = { apps: [] as INestApplicationContext[] } as StreamsFixture;

  beforeAll(async () => {
    fx.server = await startNatsServer();
    fx.app = await startStreamsApp({ ...options, connection: { servers: fx.server.url } }, { logger: false });
    fx.streams = fx.app.get(StreamService);
    fx.nc = fx.app.get(ConnectionService).getConnection();
    fx.raw = await connect({ servers: fx.server.url });
    fx.jsm = await fx.raw.jetstreamManager();
    fx.spy = await JsApiSpy.start(fx.server.url);
    const [major, minor] = (fx.raw.info?.version ?? '0.0').split('.').map(Number);
    fx.modern = major > 2 || minor >= 10;
  });

  afterAll(async () => {
    for (const extra of fx.apps.splice(0).reverse()) await extra.close();
    await fx.spy?.close();
    await fx.raw?.close();
    await fx.app?.close();
    await fx.server?.dispose();
  });

  return fx;
}
