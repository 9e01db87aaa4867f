import type { LoggerService } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { StreamCapacityError, StreamService, StreamsModule, type StreamOptionsInput } from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { AckPolicy, connect, type JetStreamManager, type NatsConnection } from 'nats';
import { seedStream } from './fixtures/migration/migration-data.js';
import { JsApiSpy } from './support/js-api-spy.js';

const MB = 1024 * 1024;

/**
 * Issue #12 item 3 and #10.6: `onConflict: 'recreate'` proves the new config creatable before it
 * deletes anything, and names the consumers it drops.
 */
describe("onConflict 'recreate'", () => {
  let server: NatsTestServer;
  let moduleRef: TestingModule;
  let streams: StreamService;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let spy: JsApiSpy;
  const warnings: string[] = [];

  beforeAll(async () => {
    // A server whose memory store holds 8 MiB: a 64 MiB memory stream cannot be created on it.
    server = await startNatsServer({ maxMemoryStore: 8 * MB });
    const logger: LoggerService = {
      log: () => undefined,
      error: () => undefined,
      warn: (message: unknown) => warnings.push(String(message)),
    };
    moduleRef = await Test.createTestingModule({ imports: [StreamsModule.forRoot({ connection: { servers: server.url } })] }).compile();
    moduleRef.useLogger(logger);
    await moduleRef.init();
    streams = moduleRef.get(StreamService);
    nc = await connect({ servers: server.url });
    jsm = await nc.jetstreamManager();
    spy = await JsApiSpy.start(server.url);
  });

  afterAll(async () => {
    await spy?.close();
    await nc?.close();
    await moduleRef?.close();
    await server?.dispose();
  });

  const declared = (extra: StreamOptionsInput): StreamOptionsInput => ({
    max_msgs: -1,
    max_msgs_per_subject: -1,
    max_age: 0,
    onConflict: 'recreate',
    allowDataLoss: true,
    ...extra,
  });

  it('refuses a target the server cannot create (64 MiB memory on an 8 MiB memory store) before deleting, leaving the stream untouched', async () => {
    const name = 'too_big';
    await seedStream(nc, jsm, name, 1_000);
    await jsm.consumers.add(name, { durable_name: 'keep', ack_policy: AckPolicy.Explicit });
    const before = await jsm.streams.info(name);

    const { error, requests } = await spy.during(nc, () =>
      streams.ensureStream(name, [`${name}.>`], declared({ storage: 'memory', max_bytes: 64 * MB })),
    );

    expect(error).toBeInstanceOf(StreamCapacityError);
    expect((error as StreamCapacityError).stream).toBe(name);
    expect(requests.filter((r) => r === `STREAM.DELETE.${name}`)).toEqual([]);
    const after = await jsm.streams.info(name);
    expect({ config: after.config, state: after.state }).toEqual({ config: before.config, state: before.state });
    expect((await jsm.consumers.list(name).next()).map((c) => c.name)).toEqual(['keep']);
    expect((await jsm.streams.names().next()).filter((n) => n.startsWith(name))).toEqual([name]);
  });

  it('names the consumers it drops in its plan, its result and its log line', async () => {
    const name = 'recreated';
    await seedStream(nc, jsm, name, 100);
    await jsm.consumers.add(name, { durable_name: 'billing', ack_policy: AckPolicy.Explicit });
    await jsm.consumers.add(name, { durable_name: 'audit', ack_policy: AckPolicy.Explicit });
    const target = declared({ storage: 'memory', max_bytes: 4 * MB });

    const plan = await streams.planStream(name, [`${name}.>`], target);
    const result = await streams.ensureStream(name, [`${name}.>`], target);

    expect(plan.action).toBe('recreate');
    expect([...(plan.droppedConsumers ?? [])].sort()).toEqual(['audit', 'billing']);
    expect(result.action).toBe('recreated');
    expect([...(result.droppedConsumers ?? [])].sort()).toEqual(['audit', 'billing']);
    expect(warnings.find((w) => w.includes(`Recreating stream "${name}"`))).toMatch(
      /100 messages are deleted, consumers dropped: (billing, audit|audit, billing)/,
    );
    const info = await jsm.streams.info(name);
    expect(info.config.storage).toBe('memory');
    expect(info.state.messages).toBe(0);
    expect(await jsm.consumers.list(name).next()).toEqual([]);
  });
});
