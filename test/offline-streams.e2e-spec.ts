// A stream the server holds but cannot run (nats-server 2.12+ lists it "offline", e.g. after a
// downgrade below what one of its consumers needs) is not missing: never created again, never
// changed, reported offline in plans and health. Older servers have no such state.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import {
  ConnectionService,
  StreamBatchError,
  StreamMonitor,
  StreamOfflineError,
  StreamService,
  type ConsumerDeclaration,
} from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { JsApiSpy } from './support/js-api-spy.js';
import { startStreamsApp } from './support/streams-app.js';
import { uniqueName } from './support/streams-fixture.js';
import { waitFor } from './support/wait.js';

/** The requests that change a stream or a consumer. */
const writes = (requests: string[]): string[] => requests.filter((r) => /^(STREAM|CONSUMER)\.(CREATE|UPDATE|DELETE|PURGE|PAUSE)\./.test(r));

describe('a stream the server has offline', () => {
  let server: NatsTestServer;
  let app: INestApplication;

  beforeAll(async () => {
    server = await startNatsServer();
    app = await startStreamsApp({ connection: { servers: server.url, reconnectTimeWait: 200 }, cacheTtlMs: 0 }, { logger: false });
  });

  afterAll(async () => {
    await app?.close();
    await server?.dispose();
  });

  it('is neither created again nor changed, and is reported offline by plans and health', async () => {
    const streams = app.get(StreamService);
    const connection = app.get(ConnectionService);
    const name = uniqueName('OFFLINE');
    const consumers: ConsumerDeclaration[] = [{ durable_name: 'billing' }];
    await streams.ensureStream(name, [`${name}.>`], { consumers });
    const version = connection.getConnection().info?.version ?? '0.0.0';
    const knowsOffline = version.localeCompare('2.12', undefined, { numeric: true }) >= 0;

    // What a server that is too old for the consumer sees: it needs a higher API level.
    await server.stop();
    const meta = join(server.storeDir, 'jetstream', '$G', 'streams', name, 'obs', 'billing', 'meta.inf');
    const text = await readFile(meta, 'utf8');
    await writeFile(meta, text.replace(/"_nats\.req\.level":"\d+"/, '"_nats.req.level":"99"'));
    await server.restart();
    await waitFor(
      async () => connection.isConnected(),
      (up) => up,
      { what: 'the reconnect' },
    );
    const spy = await JsApiSpy.start(server.url);
    try {
      const one = await spy.during(connection.getConnection(), () => streams.ensureStream(name, [`${name}.>`], { consumers }));
      const batch = await spy.during(connection.getConnection(), () =>
        streams.ensureStreams([{ name, subjects: [`${name}.>`], consumers }]),
      );
      const plan = await streams.planStream(name, [`${name}.>`], { consumers });
      const plans = await streams.planStreams([{ name, subjects: [`${name}.>`], consumers }]);
      const snapshot = await app.get(StreamMonitor).read(0);
      const record = await app.get(StreamMonitor).healthCheck(name);

      if (!knowsOffline) {
        // 2.9 and 2.10 know no API levels: the stream runs as before.
        expect(one.result?.action).toBe('unchanged');
        expect(plan.action).toBe('unchanged');
        expect(snapshot.streams[name]?.healthy).toBe(true);
        return;
      }
      expect(one.error).toBeInstanceOf(StreamOfflineError);
      expect((one.error as Error).message).toMatch(/is offline on the server \(stopped - unsupported consumer "billing"\)/);
      expect(batch.error).toBeInstanceOf(StreamBatchError);
      expect((batch.error as StreamBatchError).results[0]).toMatchObject({ name, action: 'failed', error: expect.any(StreamOfflineError) });
      expect(writes([...one.requests, ...batch.requests])).toEqual([]);
      expect(plan).toMatchObject({ action: 'offline', error: expect.any(StreamOfflineError) });
      expect(plans[0]).toMatchObject({ action: 'offline', error: expect.any(StreamOfflineError) });
      expect(snapshot.streams[name]).toMatchObject({ healthy: false, status: 'down', reason: 'offline' });
      expect(record).toMatchObject({ healthy: false, status: 'down', reason: 'offline' });
    } finally {
      await spy.close();
    }
  });
});
