// Start-up checks every declaration first, prints a refusal in a few lines, says an unreachable
// server at a falling rate, closes what it opened whenever it fails, and fails at once where
// waiting cannot help (issue #22 items 4 and 7, #21 item 4). Start-ups that stall: startup-stalls.
import { Injectable, Module, type INestApplication, type OnModuleInit } from '@nestjs/common';
import { inspect } from 'node:util';
import { Test } from '@nestjs/testing';
import {
  ConnectionService,
  InvalidOptionsError,
  JetStreamUnavailableError,
  NatsConnectionError,
  StreamBatchError,
  StreamsModule,
  StreamMonitor,
  StreamService,
  type StreamDeclaration,
} from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { connect } from 'nats';
import { JsApiSpy } from './support/js-api-spy.js';
import { freePort } from './support/ports.js';
import { connectionCount, createStreamsApp as createApp, KeepingLogger } from './support/startup-app.js';
import { uniqueName } from './support/streams-fixture.js';
import { waitFor } from './support/wait.js';

/** Apps a test started, closed after it. */
const apps: INestApplication[] = [];

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close().catch(() => undefined);
});

describe('start-up against a real nats-server', () => {
  let server: NatsTestServer;

  beforeAll(async () => {
    server = await startNatsServer();
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('refuses every invalid declaration before any request: nothing is created', async () => {
    const good = uniqueName('good');
    const other = uniqueName('other');
    const spy = await JsApiSpy.start(server.url);
    const streams: StreamDeclaration[] = [
      { name: good, subjects: [`${good}.>`] },
      { name: 'bad.name', subjects: ['bad.>'] },
      { name: other, subjects: [`${other}.>`], max_age: '1x' },
    ];
    const app = await createApp({ connection: { servers: server.url }, streams });
    apps.push(app);

    const error = await app.init().catch((e: unknown) => e);
    await spy.settle();
    await spy.close();

    expect(error).toBeInstanceOf(StreamBatchError);
    const batch = error as StreamBatchError;
    expect(batch.results.map((r) => `${r.name} ${r.action}`)).toEqual([`${good} skipped`, 'bad.name failed', `${other} failed`]);
    expect(batch.message).toMatch(/^ensureStreams: 2 of 3 failed: bad\.name: .*; and 1 more/);
    expect(spy.subjects).toEqual([]);
    expect(app.get(ConnectionService).currentStatus.type).toBe('closed');
  });

  it('prints a refused start-up in a few lines, with each failure in full at debug level', async () => {
    const name = uniqueName('conflict');
    const raw = await connect({ servers: server.url });
    await (await raw.jetstreamManager()).streams.add({ name, subjects: [`${name}.>`] });
    await raw.close();
    const logger = new KeepingLogger();
    const others = Array.from({ length: 30 }, (_, i) => ({ name: `${name}_${i}`, subjects: [`${name}_${i}.>`] }));
    const app = await createApp(
      { connection: { servers: server.url }, streams: [{ name, subjects: [`${name}.>`], storage: 'memory' }, ...others] },
      [],
      logger,
    );
    apps.push(app);

    const error = await app.init().catch((e: unknown) => e);
    const printed = inspect(error);

    expect(error).toBeInstanceOf(StreamBatchError);
    expect((error as Error).message).toMatch(
      new RegExp(`^ensureStreams: 1 of 31 failed: ${name}: Stream "${name}" cannot be updated in place: storage "file" -> "memory"`),
    );
    expect((error as Error).message).toContain("Declare onConflict: 'migrate'");
    // The message, the stack and two fields: not the results of the 31 streams.
    expect(printed.split('\n').length).toBeLessThan(20);
    expect(logger.lines.filter((l) => l.startsWith('debug ') && l.includes('StreamConfigConflictError'))).toHaveLength(1);
  });

  it('says once that the server is unreachable, then at a falling rate', async () => {
    const port = await freePort();
    const logger = new KeepingLogger();
    const app = await createApp(
      { connection: { servers: `127.0.0.1:${port}` }, startup: { timeoutMs: 3_000, retryIntervalMs: 50 } },
      [],
      logger,
    );
    apps.push(app);

    const error = await app.init().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(NatsConnectionError);
    const warnings = logger.lines.filter((l) => l.includes('not reachable'));
    const attempts = Number(/after (\d+) attempts/.exec(warnings.at(-1) ?? '')?.[1]);
    expect(warnings[0]).toContain('not reachable (CONNECTION_REFUSED); retrying every 50 ms');
    // Said after attempts 1, 2, 4, 8, ...: one line per doubling, whatever the number of attempts.
    expect(attempts).toBe(2 ** (warnings.length - 1));
  });

  it('refuses an address the client cannot parse when the module is created, not after the start-up timeout', async () => {
    const bad = Test.createTestingModule({
      imports: [
        StreamsModule.forRootAsync({ useFactory: () => ({ connection: { servers: ['nats://127.0.0.1:4222', 'nats://bad host:4222'] } }) }),
      ],
    });

    const error = await bad.compile().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toMatchObject({ option: 'connection.servers[1]' });
    expect(() => StreamsModule.forRoot({ connection: { servers: 'nats://h:99999' } })).toThrow(/not a NATS server URL/);
  });

  it('closes the connection a first forRoot opened when a second one fails to start', async () => {
    const refused = await freePort();
    const app = await createApp({ connection: { servers: server.url }, streams: [{ name: uniqueName('first'), subjects: ['first.>'] }] }, [
      StreamsModule.forRoot({ name: 'eu', connection: { servers: `127.0.0.1:${refused}` }, startup: { wait: false } }),
    ]);
    apps.push(app);

    const error = await app.init().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(NatsConnectionError);
    const first = app.get(ConnectionService);
    await waitFor(
      async () => first.currentStatus.type,
      (t) => t === 'closed',
      { what: 'the first connection closed' },
    );
    await waitFor(
      () => connectionCount(server),
      (n) => n === 0,
      { what: 'no connection left on the server' },
    );
  });

  it('closes its connections when another module fails to start after NATS connected, once the app is closed', async () => {
    @Injectable()
    class FailingService implements OnModuleInit {
      onModuleInit(): void {
        throw new Error('the database is down');
      }
    }
    @Module({ providers: [FailingService] })
    class FailingModule {}
    const app = await createApp({ connection: { servers: server.url } }, [FailingModule]);

    const error = await app.init().catch((e: unknown) => e);
    await app.close();

    expect((error as Error).message).toBe('the database is down');
    expect(app.get(ConnectionService).getConnection().isClosed()).toBe(true);
    await waitFor(
      () => connectionCount(server),
      (n) => n === 0,
      { what: 'no connection left on the server' },
    );
  });

  it('JetStream disabled on the server: start-up, ensureStream and the monitor fail at once', async () => {
    const plain = await startNatsServer({ jetstream: false });
    try {
      const timeouts = { operationTimeoutMs: 120_000, startup: { streamsTimeoutMs: 120_000 } };
      const failing = await createApp({
        connection: { servers: plain.url },
        streams: [{ name: 'js_off', subjects: ['js_off.>'] }],
        ...timeouts,
      });
      apps.push(failing);
      const started = await createApp({ connection: { servers: plain.url }, ...timeouts });
      apps.push(started);

      const error = await failing.init().catch((e: unknown) => e);
      await started.init();
      const ensure = await started
        .get(StreamService)
        .ensureStream('js_off', ['js_off.>'])
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(JetStreamUnavailableError);
      const snapshot = await started.get(StreamMonitor).read();

      expect(ensure).toBeInstanceOf(JetStreamUnavailableError);
      expect((ensure as Error).message).toMatch(/runs without JetStream/);
      expect(snapshot).toMatchObject({ healthy: false, error: expect.stringMatching(/runs without JetStream/) });
    } finally {
      for (const app of apps.splice(0)) await app.close();
      await plain.dispose();
    }
  }, 20_000);
});
