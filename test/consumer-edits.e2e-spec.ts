import type { INestApplication } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { connect, type NatsConnection } from 'nats';
import { StreamsHealthIndicator, StreamsHealthModule } from '@app/streams/health';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { startStreamsApp } from './support/streams-app.js';
import { uniqueName } from './support/streams-fixture.js';
import { waitFor } from './support/wait.js';

const MONITOR_INTERVAL_MS = 400;

/**
 * Issue 24: the server announces no consumer update, so a declared consumer changed elsewhere can
 * read as declared for a while. Health says for how long (`consumerChangesSeenWithinMs`), and shows
 * the change on a later snapshot.
 */
describe('a declared consumer changed elsewhere, in health', () => {
  let server: NatsTestServer;
  let app: INestApplication | undefined;
  let raw: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    raw = await connect({ servers: server.url });
  });

  afterAll(async () => {
    await app?.close();
    await raw?.close();
    await server?.dispose();
  });

  it('says within how long health sees it, and then reports the consumer drifted', async () => {
    const name = uniqueName('EDITED');
    app = await startStreamsApp(
      {
        connection: { servers: server.url },
        monitorIntervalMs: MONITOR_INTERVAL_MS,
        streams: [{ name, subjects: [`${name}.>`], consumers: [{ durable_name: 'worker', max_ack_pending: 100 }] }],
      },
      { logger: false, imports: [TerminusModule, StreamsHealthModule] },
    );
    const indicator = app.get(StreamsHealthIndicator);
    const check = async () => (await indicator.isHealthy('streams')).streams as Record<string, unknown>;

    const before = await waitFor(check, (details) => details.status === 'up', { what: 'the declared stream up in health' });
    const jsm = await raw.jetstreamManager();
    await jsm.consumers.update(name, 'worker', { max_ack_pending: 5 });
    const after = await waitFor(check, (details) => details.status === 'down', {
      timeoutMs: 30_000,
      what: 'health reporting the consumer changed elsewhere',
    });

    expect(before.consumerChangesSeenWithinMs).toBe(MONITOR_INTERVAL_MS);
    expect(after).toMatchObject({
      consumerChangesSeenWithinMs: MONITOR_INTERVAL_MS,
      streams: { [name]: { consumers: { worker: { reason: 'drifted', drift: [expect.objectContaining({ field: 'max_ack_pending' })] } } } },
    });
  });
});
