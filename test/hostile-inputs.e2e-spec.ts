import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import {
  ConnectionService,
  InvalidArgumentError,
  InvalidStreamConfigError,
  StreamBatchError,
  StreamConfigConflictError,
  StreamMonitor,
  StreamService,
  StreamsHealthIndicator,
  StreamsModule,
  type StreamDeclaration,
} from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { readFileSync } from 'node:fs';
import { JsApiSpy } from './support/js-api-spy.js';
import { startStreamsApp } from './support/streams-app.js';
import { waitFor } from './support/wait.js';

let counter = 0;
const unique = (prefix: string): string => `${prefix}_${process.pid}_${++counter}`;

/**
 * Hostile and mistaken inputs (issue #12): each is refused with the library's typed error before
 * any request, and none deletes a message.
 */
describe('hostile inputs against a real nats-server', () => {
  let server: NatsTestServer;
  let app: INestApplicationContext;
  let streams: StreamService;
  let nc: NatsConnection;
  let raw: NatsConnection;
  let jsm: JetStreamManager;
  let spy: JsApiSpy;

  beforeAll(async () => {
    server = await startNatsServer();
    app = await startStreamsApp({ connection: { servers: server.url } }, { logger: false });
    streams = app.get(StreamService);
    nc = app.get(ConnectionService).getConnection();
    raw = await connect({ servers: server.url });
    jsm = await raw.jetstreamManager();
    spy = await JsApiSpy.start(server.url);
  });

  afterAll(async () => {
    await spy?.close();
    await raw?.close();
    await app?.close();
    await server?.dispose();
  });

  async function streamWith(name: string, counts: Record<string, number>): Promise<void> {
    await streams.ensureStream(name, [`${name}.>`]);
    const js = raw.jetstream();
    for (const [subject, count] of Object.entries(counts)) {
      for (let i = 0; i < count; i++) await js.publish(`${name}.${subject}`);
    }
  }

  describe('purgeStream sends only what was validated', () => {
    it.each([
      ['a misspelt key', () => ({ filtr: 'x.a' })],
      ['a `subject` key', () => ({ subject: 'x.a' })],
      ['an inherited filter', () => Object.create({ filter: 'x.a' }) as object],
      ['an array', () => []],
      ['a class instance', () => new (class Selection {})()],
    ])('refuses %s, purging nothing', async (_label, selection) => {
      const name = unique('purge');
      await streamWith(name, { a: 10, b: 10 });

      const { error, requests } = await spy.during(nc, () => streams.purgeStream(name, selection() as never));

      expect(error).toBeInstanceOf(InvalidStreamConfigError);
      expect(requests).toEqual([]);
      expect((await jsm.streams.info(name)).state.messages).toBe(20);
    });

    it('reads a getter once and sends its value', async () => {
      const name = unique('getter');
      await streamWith(name, { a: 10, b: 10 });
      let reads = 0;
      const selection = {
        get filter() {
          reads += 1;
          return `${name}.a`;
        },
      };

      const result = await streams.purgeStream(name, selection);

      expect(result.purged).toBe(10);
      expect(reads).toBe(1);
      expect((await jsm.streams.info(name)).state.messages).toBe(10);
    });
  });

  it("deleteStreams('orders') (a string, from JavaScript) deletes nothing", async () => {
    const letters = ['o', 'r', 'd', 'e', 's'];
    for (const letter of letters) await jsm.streams.add({ name: letter, subjects: [`${letter}-${process.pid}.>`] });

    const { error, requests } = await spy.during(nc, () => streams.deleteStreams('orders' as never));

    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(requests).toEqual([]);
    for (const letter of letters) expect((await jsm.streams.info(letter)).config.name).toBe(letter);
  });

  it('a declaration reads only its own properties: a prototype cannot turn a conflict into a recreate', async () => {
    const name = unique('proto');
    await streamWith(name, { a: 10 });
    const inherit = { onConflict: 'recreate', allowDataLoss: true };
    const config = Object.assign(Object.create(inherit) as object, { storage: 'memory' }) as StreamDeclaration;
    const declaration = Object.assign(Object.create(inherit) as object, { name, subjects: [`${name}.>`], storage: 'memory' }) as StreamDeclaration;

    const single = await spy.during(nc, () => streams.ensureStream(name, [`${name}.>`], config));
    const batch = await spy.during(nc, () => streams.ensureStreams([declaration]));

    expect(single.error).toBeInstanceOf(StreamConfigConflictError);
    expect((batch.error as StreamBatchError).failures[0].error).toBeInstanceOf(StreamConfigConflictError);
    for (const call of [single, batch]) expect(call.requests.filter((r) => !/^STREAM\.(INFO|LIST)/.test(r))).toEqual([]);
    expect((await jsm.streams.info(name)).state.messages).toBe(10);
  });

  it.each([
    ['ensureStreams(null)', (s: StreamService): Promise<unknown> => s.ensureStreams(null as never)],
    ['ensureStreams(123)', (s: StreamService): Promise<unknown> => s.ensureStreams(123 as never)],
    ['planStreams("orders")', (s: StreamService): Promise<unknown> => s.planStreams('orders' as never)],
    ['listStreams(null)', (s: StreamService): Promise<unknown> => s.listStreams(null as never)],
  ])('%s is an InvalidArgumentError before any request', async (_label, act) => {
    const { error, requests } = await spy.during(nc, () => act(streams));

    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(requests).toEqual([]);
  });

  it('streamScope with a non-function creates nothing', async () => {
    const name = unique('scope');

    const { error, requests } = await spy.during(nc, () => streams.streamScope(name, [`${name}.>`], {}, 'not a function' as never));

    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(requests).toEqual([]);
  });

  it('a result from getStreamInfo cannot change what ensureStream compares against', async () => {
    const name = unique('frozen');
    await streams.ensureStream(name, [`${name}.>`], { max_msgs: 100 });
    const info = await streams.getStreamInfo(name);

    expect(() => {
      (info.config as { max_msgs: number }).max_msgs = 5;
    }).toThrow(TypeError);
    expect((await streams.ensureStream(name, [`${name}.>`], { max_msgs: 100 })).action).toBe('unchanged');
  });

  it('streams named after Object.prototype keys are plain entries of the snapshot and the indicator', async () => {
    const names = ['constructor', 'toString', '__proto__'];
    for (const name of names) await streams.ensureStream(name, [`${name}-${process.pid}.>`]);

    const snapshot = await app.get(StreamMonitor).read(0);
    const health = await app.get(StreamsHealthIndicator).isHealthy('streams', { streams: names, details: 'full' });

    for (const name of names) expect(Object.hasOwn(snapshot.streams, name) && snapshot.streams[name].status).toBe('up');
    expect(health.streams.status).toBe('up');
    expect(Object.keys((health.streams as unknown as { streams: object }).streams)).toEqual(names);
    for (const name of names) await jsm.streams.delete(name);
  });

  it('a declaration error found after the connection opened fails start-up and closes the connection', async () => {
    const name = unique('twice');
    const moduleRef = await Test.createTestingModule({
      imports: [
        StreamsModule.forRoot({ connection: { servers: server.url }, streams: [{ name, subjects: [`${name}.a`] }] }),
        StreamsModule.forFeature([{ name, subjects: [`${name}.b`] } as StreamDeclaration]),
      ],
    }).compile();
    const nest = moduleRef.createNestApplication({ logger: false });
    const connection = nest.get(ConnectionService);

    const error = await nest.init().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidStreamConfigError);
    expect((error as InvalidStreamConfigError).reason).toMatch(/declared twice/);
    expect(connection.currentStatus.type).toBe('closed');
    expect(connection.getConnection().isClosed()).toBe(true);
  });

  it("with onStartupError 'warn' the same error is logged and the app starts", async () => {
    const name = unique('twice');
    const started = await startTestModule([
      StreamsModule.forRoot({ connection: { servers: server.url }, onStartupError: 'warn', streams: [{ name, subjects: [`${name}.a`] }] }),
      StreamsModule.forFeature([{ name, subjects: [`${name}.b`] }]),
    ]);

    expect(started.get(ConnectionService).isConnected()).toBe(true);
    await started.close();
  });

  it('rtt() rejects instead of hanging when the connection closes during the ping', async () => {
    const paused = await startNatsServer();
    const own = await startStreamsApp({ connection: { servers: paused.url }, drainTimeoutMs: 500 }, { logger: false });
    const connection = own.get(ConnectionService);
    try {
      process.kill(paused.pid, 'SIGSTOP'); // the ping is never answered
      // A signal is delivered asynchronously: wait until the kernel reports the process stopped.
      await waitFor(async () => readFileSync(`/proc/${paused.pid}/stat`, 'utf8').split(') ')[1]?.[0], (state) => state === 'T', {
        everyMs: 10,
        what: 'the server stopped',
      });
      const pending = connection.rtt(60_000).catch((e: unknown) => e);
      await own.close();

      expect(await pending).toBeInstanceOf(Error);
    } finally {
      process.kill(paused.pid, 'SIGCONT');
      await paused.dispose();
    }
  });
});

async function startTestModule(imports: Parameters<typeof Test.createTestingModule>[0]['imports']): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({ imports }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}
