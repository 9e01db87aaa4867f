// Start-up is bounded, closes what it opened whenever it fails, stops when the app closes, and
// fails at once where waiting cannot help (issue #22 item 4, #21 item 4, #22 item 7).
import { createServer, type Server, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { ConsoleLogger, Injectable, Module, type INestApplication, type OnModuleInit } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  ConnectionService,
  InvalidOptionsError,
  JetStreamUnavailableError,
  NatsConnectionError,
  StreamBatchError,
  StreamsModule,
  StreamsStartupError,
  StreamMonitor,
  StreamService,
  type StreamDeclaration,
  type StreamsModuleOptions,
} from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { connect } from 'nats';
import { getJson } from './support/get-json.js';
import { JsApiSpy } from './support/js-api-spy.js';
import { freePort } from './support/ports.js';
import { uniqueName } from './support/streams-fixture.js';
import { waitFor } from './support/wait.js';

/** A Nest logger that keeps every line, with its level. */
class KeepingLogger extends ConsoleLogger {
  readonly lines: string[] = [];
  constructor() {
    super();
    this.setLogLevels(['log', 'warn', 'error', 'debug']);
  }
  protected override printMessages(messages: unknown[], _context?: string, level?: string): void {
    this.lines.push(`${level}: ${messages.map((m) => (typeof m === 'string' ? m : inspect(m))).join(' ')}`);
  }
}

/** An HTTP app with `StreamsModule.forRoot(options)` (and more imports), not yet initialised. */
async function createApp(options: StreamsModuleOptions, imports: unknown[] = [], logger: ConsoleLogger | false = false) {
  const moduleRef = await Test.createTestingModule({ imports: [StreamsModule.forRoot(options), ...(imports as never[])] }).compile();
  return moduleRef.createNestApplication({ logger });
}

/** Client connections the server holds, from its monitoring endpoint. */
async function connectionCount(server: NatsTestServer): Promise<number> {
  return ((await getJson(`${server.monitorUrl}/connz`)) as { num_connections: number }).num_connections;
}

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
    expect(logger.lines.filter((l) => l.startsWith('debug:') && l.includes('StreamConfigConflictError'))).toHaveLength(1);
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

describe('start-up with the server frozen (SIGSTOP) while the declared streams are ensured', () => {
  let server: NatsTestServer;
  const streams = (prefix: string) => Array.from({ length: 80 }, (_, i) => ({ name: `${prefix}_${i}`, subjects: [`${prefix}_${i}.>`] }));

  beforeEach(async () => {
    server = await startNatsServer();
  });

  afterEach(async () => {
    process.kill(server.pid, 'SIGCONT');
    await server.dispose();
  });

  /** Starts the app, freezes the server 150 ms later and thaws it after `frozenMs` (never, if undefined). */
  async function startFreezing(options: StreamsModuleOptions, frozenMs?: number): Promise<{ app: INestApplication; error: unknown }> {
    const app = await createApp(options);
    const init = app.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    setTimeout(() => {
      process.kill(server.pid, 'SIGSTOP');
      if (frozenMs !== undefined) setTimeout(() => process.kill(server.pid, 'SIGCONT'), frozenMs);
    }, 150);
    return { app, error: await init };
  }

  it('80 streams, the server frozen for good: start-up fails at startup.streamsTimeoutMs, not stream by stream, and closes', async () => {
    // Stream by stream, each waiting operationTimeoutMs (15 s), 80 streams 8 at a time took 150 s.
    const { app, error } = await startFreezing({
      connection: { servers: server.url },
      streams: streams('frozen'),
      startup: { streamsTimeoutMs: 3_000 },
    });

    expect(error).toBeInstanceOf(StreamBatchError);
    expect((error as Error).message).toMatch(/startup\.streamsTimeoutMs \(3000 ms\) passed before the server answered/);
    expect(app.get(ConnectionService).getConnection().isClosed()).toBe(true);
  }, 30_000);

  it('80 streams, the server frozen for 2 s: start-up waits it out within startup.streamsTimeoutMs and ensures them all', async () => {
    // Each request alone would give up after operationTimeoutMs (1 s).
    const options = { connection: { servers: server.url }, streams: streams('thawed'), requestTimeoutMs: 500, operationTimeoutMs: 1_000 };
    const { app, error } = await startFreezing({ ...options, startup: { streamsTimeoutMs: 20_000 } }, 2_000);
    apps.push(app);

    expect(error).toBeUndefined();
    expect((await app.get(StreamService).listStreams()).filter((n) => n.startsWith('thawed_'))).toHaveLength(80);
  }, 40_000);
});

describe('start-up that a server does not answer', () => {
  let blackHole: Server;
  const accepted: Socket[] = [];

  beforeAll(async () => {
    // Accepts TCP connections and never says a word (a frozen server, a black-holing proxy).
    blackHole = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    accepted.forEach((s) => s.destroy());
    await new Promise((resolve) => blackHole.close(resolve));
  });

  it('closes the sockets of connect attempts that timed out, so nothing keeps the process alive', async () => {
    const port = (blackHole.address() as { port: number }).port;
    const closed = new Set<Socket>();
    const app = await createApp({ connection: { servers: `127.0.0.1:${port}` }, startup: { timeoutMs: 1_500, retryIntervalMs: 100 } });

    const error = await app.init().catch((e: unknown) => e);
    for (const socket of accepted) {
      if (socket.destroyed || socket.readableEnded) closed.add(socket);
      else socket.once('close', () => closed.add(socket));
    }

    expect(error).toBeInstanceOf(NatsConnectionError);
    expect((error as NatsConnectionError).code).toBe('TIMEOUT');
    expect(accepted.length).toBeGreaterThan(0);
    await waitFor(
      async () => closed.size,
      (n) => n === accepted.length,
      { what: 'every attempt socket closed by the app' },
    );
  });

  it('app.close() during a start-up that still waits for a server stops it: it never connects afterwards', async () => {
    const later = await startNatsServer();
    const url = later.url;
    await later.stop('SIGKILL');
    try {
      const app = await createApp({ connection: { servers: url }, startup: { timeoutMs: 30_000, retryIntervalMs: 50 } });
      const init = app.init().catch((e: unknown) => e);
      await waitFor(
        async () => app.get(ConnectionService).currentStatus.type,
        (t) => t === 'connecting',
      );

      await app.close();
      const error = await init;
      await later.restart();
      // Longer than several retry intervals of the stopped start-up: it would have connected by now.
      await new Promise((resolve) => setTimeout(resolve, 500));

      expect(error).toBeInstanceOf(StreamsStartupError);
      expect(error).toMatchObject({ reason: 'closed' });
      expect(await connectionCount(later)).toBe(0);
      expect(app.get(ConnectionService).currentStatus.type).toBe('closed');
    } finally {
      await later.dispose();
    }
  });
});
