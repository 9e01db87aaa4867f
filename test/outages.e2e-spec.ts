// Calls made while the connection is known to be down fail at once, naming the state, instead of
// waiting operationTimeoutMs (issue #21 item 4).
import type { INestApplication } from '@nestjs/common';
import { ConnectionService, NatsNotConnectedError, StreamMonitor, StreamService } from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { startStreamsApp } from './support/streams-app.js';
import { uniqueName } from './support/streams-fixture.js';
import { waitFor } from './support/wait.js';

describe('an outage as a StreamService user meets it', () => {
  let server: NatsTestServer;
  let app: INestApplication;

  beforeAll(async () => {
    server = await startNatsServer();
    // Waiting would take a minute per call: the test's own timeout is far shorter.
    app = await startStreamsApp(
      { connection: { servers: server.url, reconnectTimeWait: 200 }, operationTimeoutMs: 60_000, drainTimeoutMs: 500 },
      { logger: false },
    );
  });

  afterAll(async () => {
    await app?.close();
    await server?.dispose();
  });

  it('fails at once with NatsNotConnectedError naming the state while disconnected, and works again once reconnected', async () => {
    const streams = app.get(StreamService);
    const connection = app.get(ConnectionService);
    const name = uniqueName('outage');
    await streams.ensureStream(name, [`${name}.>`]);

    await server.stop('SIGKILL');
    await waitFor(
      async () => connection.isConnected(),
      (up) => !up,
      { what: 'the disconnect' },
    );
    const calls = await Promise.all([
      streams.ensureStream(uniqueName('during'), ['during.>']).catch((e: unknown) => e),
      streams.getStreamInfo(name, { fresh: true }).catch((e: unknown) => e),
      streams.listStreams().catch((e: unknown) => e),
      streams.deleteStream(name).catch((e: unknown) => e),
    ]);
    const snapshot = await app.get(StreamMonitor).read();

    for (const error of calls) {
      expect(error).toBeInstanceOf(NatsNotConnectedError);
      expect((error as NatsNotConnectedError).state).toMatch(/^(disconnected|reconnecting)$/);
      expect((error as Error).message).toMatch(/was not sent: NATS is not connected \((disconnected|reconnecting)\)/);
    }
    expect(calls.map((e) => (e as NatsNotConnectedError).operation)).toEqual([
      'ensureStream',
      'getStreamInfo',
      'listStreams',
      'deleteStream',
    ]);
    expect(snapshot).toMatchObject({ healthy: false, error: expect.stringMatching(/NATS is not connected/) });

    await server.restart();
    await waitFor(
      async () => connection.isConnected(),
      (up) => up,
      { what: 'the reconnect' },
    );
    await expect(streams.streamExists(name)).resolves.toBe(true);
  }, 20_000);
});
