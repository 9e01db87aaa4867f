import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { ConnectionService, JetStreamUnavailableError, NatsConnectionError, StreamsModule, type ConnectionStatus } from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { firstValueFrom, filter, take, timeout, toArray, type Observable } from 'rxjs';
import { createServer, type Server } from 'node:net';
import { startStreamsApp, startTestApp } from './support/streams-app.js';

function next(status$: Observable<ConnectionStatus>, type: ConnectionStatus['type'], ms = 15_000): Promise<ConnectionStatus> {
  return firstValueFrom(
    status$.pipe(
      filter((s) => s.type === type),
      timeout({ first: ms }),
    ),
  );
}

/**
 * A TCP listener that hangs up on every connection at once (the client sees CONNECTION_REFUSED)
 * and counts them: the start-up's connection attempts, without a clock.
 */
class RefusingListener {
  attempts = 0;
  /** The port it listens on (set once listening). */
  port = 0;

  private constructor(private readonly server: Server) {}

  static start(): Promise<RefusingListener> {
    return new Promise((resolve) => {
      const listener: RefusingListener = new RefusingListener(
        createServer((socket) => {
          listener.attempts += 1;
          socket.destroy();
        }),
      );
      listener.server.listen(0, '127.0.0.1', () => {
        listener.port = (listener.server.address() as { port: number }).port;
        resolve(listener);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('ConnectionService against a real nats-server', () => {
  let server: NatsTestServer | undefined;
  let app: INestApplicationContext | undefined;

  afterEach(async () => {
    await app?.close();
    await server?.dispose();
    app = undefined;
    server = undefined;
  });

  it('connects with forRoot and the JetStream manager answers $JS.API.INFO', async () => {
    server = await startNatsServer();
    app = await startStreamsApp({ connection: { servers: server.url, name: 'forRoot-test' } });
    const connection = app.get(ConnectionService);

    const jsm = await connection.getJetStreamManager();
    const account = await jsm.getAccountInfo();

    expect(connection.isConnected()).toBe(true);
    expect(account.limits).toBeDefined();
    expect(await connection.getJetStreamManager()).toBe(jsm);
    expect(connection.getJetStream()).toBe(connection.getJetStream());
    expect(await connection.rtt()).toBeGreaterThanOrEqual(0);
  });

  it('connects with forRootAsync and options from an injected config provider', async () => {
    server = await startNatsServer();
    const url = server.url;
    @Injectable()
    class AppConfig {
      readonly natsUrl = url;
    }
    @Module({ providers: [AppConfig], exports: [AppConfig] })
    class ConfigModule {}

    app = await startTestApp([
      StreamsModule.forRootAsync({
        imports: [ConfigModule],
        inject: [AppConfig],
        useFactory: (config: AppConfig) => ({ connection: { servers: config.natsUrl } }),
      }),
    ]);

    const jsm = await app.get(ConnectionService).getJetStreamManager();
    expect((await jsm.getAccountInfo()).streams).toBe(0);
  });

  it('gives up start-up after the timeout, naming the server, when no server answers', async () => {
    const refusing = await RefusingListener.start();

    const error = await startStreamsApp({
      connection: { servers: `nats://127.0.0.1:${refusing.port}` },
      startup: { wait: true, timeoutMs: 2_000, retryIntervalMs: 500 },
    })
      .catch((e: unknown) => e)
      .finally(() => refusing.close());

    expect(error).toBeInstanceOf(NatsConnectionError);
    expect((error as Error).message).toContain(`127.0.0.1:${refusing.port}`);
    expect((error as NatsConnectionError).waitedMs).toBeGreaterThanOrEqual(1_900);
    // It retried, and each attempt is bounded by the time left: about one attempt per interval, none after the timeout.
    expect(refusing.attempts).toBeGreaterThanOrEqual(2);
    expect(refusing.attempts).toBeLessThanOrEqual(2_000 / 500 + 1);
  });

  it('fails after one attempt without waiting when wait is false', async () => {
    const refusing = await RefusingListener.start();

    const error = await startStreamsApp({
      connection: { servers: `127.0.0.1:${refusing.port}` },
      startup: { wait: false, timeoutMs: 10_000 },
    })
      .catch((e: unknown) => e)
      .finally(() => refusing.close());

    expect(error).toBeInstanceOf(NatsConnectionError);
    expect(refusing.attempts).toBe(1);
  });

  it('waits for a server that starts 1 s after the app', async () => {
    server = await startNatsServer();
    const url = server.url;
    await server.stop('SIGKILL');
    const later = new Promise((resolve) => setTimeout(resolve, 1_000)).then(() => server!.restart());

    app = await startStreamsApp({ connection: { servers: url }, startup: { wait: true, timeoutMs: 10_000, retryIntervalMs: 200 } });
    await later;

    expect(app.get(ConnectionService).isConnected()).toBe(true);
  });

  it('reports a disconnect and a reconnect on status$, and JetStream works again', async () => {
    server = await startNatsServer();
    app = await startStreamsApp({ connection: { servers: server.url, reconnectTimeWait: 200 } });
    const connection = app.get(ConnectionService);
    const jsm = await connection.getJetStreamManager();
    await jsm.streams.add({ name: 'before', subjects: ['before.>'] });

    const disconnected = next(connection.status$, 'disconnected');
    await server.stop('SIGKILL');
    await disconnected;
    expect(connection.isConnected()).toBe(false);

    const reconnected = next(connection.status$, 'reconnected');
    await server.restart();
    const status = await reconnected;

    expect(status.connected).toBe(true);
    expect((await jsm.streams.info('before')).config.name).toBe('before');
  });

  it('replays the current status to a late subscriber and completes on close', async () => {
    server = await startNatsServer();
    app = await startStreamsApp({ connection: { servers: server.url } });
    const connection = app.get(ConnectionService);
    const all = firstValueFrom(connection.status$.pipe(toArray()));

    const current = await firstValueFrom(connection.status$.pipe(take(1)));
    await app.close();
    app = undefined;

    expect(current.type).toBe('connected');
    expect((await all).map((s) => s.type)).toEqual(['connected', 'draining', 'closed']);
  });

  it('closes the connection when the server is already gone (its subscriptions cannot drain), and close is idempotent', async () => {
    server = await startNatsServer();
    // Declared streams: the app subscribes to advisories, so the client's drain has subscriptions
    // to drain while the server is gone (it then resolved without closing, and its reconnect and
    // ping timers kept the process alive).
    app = await startStreamsApp({ connection: { servers: server.url }, streams: [{ name: 'gone', subjects: ['gone.>'] }] });
    const connection = app.get(ConnectionService);
    const nc = connection.getConnection();
    await server.stop('SIGKILL');
    await next(connection.status$, 'disconnected');

    await app.close();
    await connection.onApplicationShutdown();
    app = undefined;

    expect(nc.isClosed()).toBe(true);
    expect(connection.currentStatus.type).toBe('closed');
  });

  it('rejects a wrong password with an authorization error that shows no credentials', async () => {
    server = await startNatsServer({ auth: { user: 'app', password: 's3cret-pw' } });
    const port = server.port;

    const error = await startStreamsApp({
      connection: { servers: `nats://app:wrong-pw@127.0.0.1:${port}` },
      startup: { timeoutMs: 3_000 },
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(NatsConnectionError);
    expect((error as NatsConnectionError).code).toBe('AUTHORIZATION_VIOLATION');
    const text = `${(error as Error).message} ${String((error as Error).cause)} ${JSON.stringify(error)}`;
    expect(text).not.toContain('wrong-pw');
    expect(text).not.toContain('app:');
    expect((error as Error).message).toContain(`nats://***@127.0.0.1:${port}`);
  });

  it('connects with credentials given in the URL, and never shows them', async () => {
    server = await startNatsServer({ auth: { user: 'app', password: 's3cret-pw' } });
    app = await startStreamsApp({ connection: { servers: `nats://app:s3cret-pw@127.0.0.1:${server.port}` } });
    const connection = app.get(ConnectionService);

    expect(connection.isConnected()).toBe(true);
    expect(connection.servers).toEqual([`nats://***@127.0.0.1:${server.port}`]);
    expect(JSON.stringify(connection.currentStatus)).not.toContain('s3cret-pw');
  });

  it('connects with a token given in the URL', async () => {
    server = await startNatsServer({ auth: { token: 'tok-123' } });
    app = await startStreamsApp({ connection: { servers: `nats://tok-123@127.0.0.1:${server.port}` } });

    expect(app.get(ConnectionService).isConnected()).toBe(true);
  });

  it('reports a server without JetStream with a typed error', async () => {
    server = await startNatsServer({ jetstream: false });
    app = await startStreamsApp({ connection: { servers: server.url } });

    const error = await app
      .get(ConnectionService)
      .getJetStreamManager()
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(JetStreamUnavailableError);
    expect((error as Error).message).toMatch(/JetStream is not available/);
  });
});
