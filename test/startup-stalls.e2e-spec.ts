// Start-ups that stall: a server frozen while the declared streams are ensured (one bound for
// them all, a freeze shorter than it ridden out), a server that accepts TCP and never answers
// (the sockets it was dialled on closed), and an app closed while start-up waits (issue #22 item 4).
import { createServer, type Server, type Socket } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import {
  ConnectionService,
  NatsConnectionError,
  StreamBatchError,
  StreamsStartupError,
  StreamService,
  type StreamsModuleOptions,
} from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { connect, type NatsConnection } from 'nats';
import { connectionCount, createStreamsApp as createApp } from './support/startup-app.js';
import { waitFor } from './support/wait.js';

/** Apps a test started, closed after it. */
const apps: INestApplication[] = [];

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close().catch(() => undefined);
});

describe('start-up with the server frozen (SIGSTOP) while the declared streams are ensured', () => {
  let server: NatsTestServer;
  /** Sees the app's first STREAM.CREATE, and freezes the server then. */
  let watcher: NatsConnection | undefined;
  const streams = (prefix: string) => Array.from({ length: 80 }, (_, i) => ({ name: `${prefix}_${i}`, subjects: [`${prefix}_${i}.>`] }));

  beforeEach(async () => {
    server = await startNatsServer();
  });

  afterEach(async () => {
    process.kill(server.pid, 'SIGCONT');
    await watcher?.close();
    watcher = undefined;
    await server.dispose();
  });

  /**
   * Starts the app, freezes the server as soon as it sees the app's first stream create (a few
   * creates may still be answered, never all 80) and thaws it after `frozenMs` (never, if undefined).
   */
  async function startFreezing(options: StreamsModuleOptions, frozenMs?: number): Promise<{ app: INestApplication; error: unknown }> {
    watcher = await connect({ servers: server.url });
    let frozen = false;
    watcher.subscribe('$JS.API.STREAM.CREATE.>', {
      callback: () => {
        if (frozen) return;
        frozen = true;
        process.kill(server.pid, 'SIGSTOP');
        if (frozenMs !== undefined) setTimeout(() => process.kill(server.pid, 'SIGCONT'), frozenMs);
      },
    });
    await watcher.flush();
    const app = await createApp(options);
    const error = await app.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(frozen).toBe(true);
    return { app, error };
  }

  it('80 streams, the server frozen for good: start-up fails at startup.streamsTimeoutMs, not stream by stream, and closes', async () => {
    // Stream by stream, each waiting operationTimeoutMs (15 s), 80 streams 8 at a time took 150 s.
    const { app, error } = await startFreezing({
      connection: { servers: server.url },
      streams: streams('frozen'),
      startup: { streamsTimeoutMs: 3_000 },
    });

    // Every request stops at the bound, so the batch fails with it; on a machine too busy to
    // settle it within 1 s more, start-up stops waiting for it.
    if (error instanceof StreamBatchError) {
      expect(error.message).toMatch(/startup\.streamsTimeoutMs \(3000 ms\) passed before the server answered/);
    } else {
      expect(error).toBeInstanceOf(StreamsStartupError);
      expect(error).toMatchObject({ reason: 'timeout' });
    }
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
