import { Test } from '@nestjs/testing';
import {
  ConnectionService,
  InvalidArgumentError,
  InvalidStreamConfigError,
  StreamBatchError,
  StreamMonitor,
  StreamService,
  StreamsModule,
  type StreamDeclaration,
} from '@app/streams';
import { StreamsHealthIndicator } from '@app/streams/health';
import { startNatsServer } from '@app/streams/testing';
import { readFileSync } from 'node:fs';
import { uniqueName, useStreamsFixture } from './support/streams-fixture.js';
import { startStreamsApp, startTestApp } from './support/streams-app.js';
import { waitFor } from './support/wait.js';

/**
 * Hostile and mistaken inputs (issue #12): each is refused with the library's typed error before
 * any request, and none deletes a message.
 */
describe('hostile inputs against a real nats-server', () => {
  const fx = useStreamsFixture();

  async function streamWith(name: string, counts: Record<string, number>): Promise<void> {
    await fx.streams.ensureStream(name, [`${name}.>`]);
    const js = fx.raw.jetstream();
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
      ['a filter that is undefined (it would widen to every message)', () => ({ filter: undefined })],
      ['a keep that is undefined', () => ({ keep: undefined })],
    ])('refuses %s, purging nothing', async (_label, selection) => {
      const name = uniqueName('purge');
      await streamWith(name, { a: 10, b: 10 });

      const { error, requests } = await fx.spy.during(fx.nc, () => fx.streams.purgeStream(name, selection() as never));

      expect(error).toBeInstanceOf(InvalidStreamConfigError);
      expect(requests).toEqual([]);
      expect((await fx.jsm.streams.info(name)).state.messages).toBe(20);
    });

    it('reads a getter once and sends its value', async () => {
      const name = uniqueName('getter');
      await streamWith(name, { a: 10, b: 10 });
      let reads = 0;
      const selection = {
        get filter() {
          reads += 1;
          return `${name}.a`;
        },
      };

      const result = await fx.streams.purgeStream(name, selection);

      expect(result.purged).toBe(10);
      expect(reads).toBe(1);
      expect((await fx.jsm.streams.info(name)).state.messages).toBe(10);
    });
  });

  it("deleteStreams('orders') (a string, from JavaScript) deletes nothing", async () => {
    const letters = ['o', 'r', 'd', 'e', 's'];
    for (const letter of letters) await fx.jsm.streams.add({ name: letter, subjects: [`${letter}-${process.pid}.>`] });

    const { error, requests } = await fx.spy.during(fx.nc, () => fx.streams.deleteStreams('orders' as never));

    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(requests).toEqual([]);
    for (const letter of letters) expect((await fx.jsm.streams.info(letter)).config.name).toBe(letter);
  });

  it('a declaration with a prototype of its own is refused: a prototype cannot turn a conflict into a recreate', async () => {
    const name = uniqueName('proto');
    await streamWith(name, { a: 10 });
    const inherit = { onConflict: 'recreate', allowDataLoss: true };
    const config = Object.assign(Object.create(inherit) as object, { storage: 'memory' }) as StreamDeclaration;
    const declaration = Object.assign(Object.create(inherit) as object, {
      name,
      subjects: [`${name}.>`],
      storage: 'memory',
    }) as StreamDeclaration;

    const single = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], config));
    const batch = await fx.spy.during(fx.nc, () => fx.streams.ensureStreams([declaration]));

    expect(single.error).toBeInstanceOf(InvalidArgumentError);
    expect(single.requests).toEqual([]);
    expect((batch.error as StreamBatchError).failures[0].error).toBeInstanceOf(InvalidStreamConfigError);
    expect(batch.requests.filter((r) => !/^STREAM\.(INFO|LIST)/.test(r))).toEqual([]);
    expect((await fx.jsm.streams.info(name)).state.messages).toBe(10);
  });

  it.each([
    ['ensureStream(name, subjects, { mode: null })', { mode: null }, 'mode'],
    ['ensureStream(name, subjects, { allowDataLoss: null })', { allowDataLoss: null }, 'allowDataLoss'],
    [
      "ensureStream(name, subjects, { metadata: { ['__proto__']: 'x' } })",
      { metadata: JSON.parse('{"__proto__":"x"}') as object },
      'metadata',
    ],
  ])('%s is an InvalidStreamConfigError naming the field, before any request', async (_label, config, field) => {
    const name = uniqueName('null');

    const { error, requests } = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], config as never));

    expect(error).toBeInstanceOf(InvalidStreamConfigError);
    expect((error as InvalidStreamConfigError).field).toBe(field);
    expect(requests).toEqual([]);
  });

  it.each([
    ['ensureStreams(null)', (s: StreamService): Promise<unknown> => s.ensureStreams(null as never)],
    ['ensureStreams(123)', (s: StreamService): Promise<unknown> => s.ensureStreams(123 as never)],
    ['planStreams("orders")', (s: StreamService): Promise<unknown> => s.planStreams('orders' as never)],
    ['listStreams(null)', (s: StreamService): Promise<unknown> => s.listStreams(null as never)],
    ['listStreams({ subjects }) (a misspelt option)', (s: StreamService): Promise<unknown> => s.listStreams({ subjects: 'x.>' } as never)],
    ["ensureBucket('bk', { bucket: 'other' })", (s: StreamService): Promise<unknown> => s.ensureBucket('bk', { bucket: 'other' } as never)],
    [
      'ensureStreams(new Map(...))',
      (s: StreamService): Promise<unknown> => s.ensureStreams(new Map([['o', { subjects: ['o.>'] }]]) as never),
    ],
    [
      "ensureStream('o', ['o.>'], { name: 'other' })",
      (s: StreamService): Promise<unknown> => s.ensureStream('o', ['o.>'], { name: 'other' } as never),
    ],
    [
      "ensureStream('o', ['o.>'], { subjects: ['p.>'] })",
      (s: StreamService): Promise<unknown> => s.ensureStream('o', ['o.>'], { subjects: ['p.>'] } as never),
    ],
    ["ensureStream('o', ['o.>'], new Date())", (s: StreamService): Promise<unknown> => s.ensureStream('o', ['o.>'], new Date() as never)],
    ["planStream('o', ['o.>'], new Map())", (s: StreamService): Promise<unknown> => s.planStream('o', ['o.>'], new Map() as never)],
    [
      'ensureStreams({ key: { name: other } })',
      (s: StreamService): Promise<unknown> => s.ensureStreams({ orders: { name: 'other', subjects: ['o.>'] } as never }),
    ],
  ])('%s is an InvalidArgumentError before any request', async (_label, act) => {
    const { error, requests } = await fx.spy.during(fx.nc, () => act(fx.streams));

    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(requests).toEqual([]);
  });

  it('deleteStreams checks every name before deleting any stream', async () => {
    const good = uniqueName('keep');
    await fx.streams.ensureStream(good, [`${good}.>`]);

    const { error, requests } = await fx.spy.during(fx.nc, () => fx.streams.deleteStreams([good, 'bad.name']));

    expect(error).toMatchObject({ name: 'InvalidArgumentError', argument: 'names[1]' });
    expect(requests).toEqual([]);
    expect(await fx.streams.streamExists(good)).toBe(true);
  });

  it.each([
    [
      "a work-queue stream's consumer without explicit acks",
      { retention: 'workqueue' as const, consumers: [{ durable_name: 'c', ack_policy: 'none' as const }] },
    ],
    [
      'two consumers sharing a work-queue stream',
      { retention: 'workqueue' as const, consumers: [{ durable_name: 'a' }, { durable_name: 'b' }] },
    ],
    [
      "a deliver_subject among the stream's own subjects",
      (name: string) => ({ consumers: [{ durable_name: 'c', deliver_subject: `${name}.out` }] }),
    ],
    ['a max_waiting of 2^31 (it hangs a 2.9 server)', { consumers: [{ durable_name: 'c', max_waiting: 2 ** 31 }] }],
  ])('%s is refused before the stream is created', async (_label, declared) => {
    const name = uniqueName('wq');
    const config = typeof declared === 'function' ? declared(name) : declared;

    const { error, requests } = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], config));

    expect(error).toBeInstanceOf(InvalidStreamConfigError);
    expect(requests).toEqual([]);
  });

  it('plan and read calls reject (never throw synchronously) on bad input', async () => {
    const calls = [
      () => fx.streams.planStream('a b', ['x']),
      () => fx.streams.planStreams(null as never),
      () => fx.streams.planBucket('a b'),
      () => fx.streams.getStreamInfo('a.b'),
      () => fx.streams.listStreams(null as never),
    ];
    for (const call of calls) {
      let pending: Promise<unknown> | undefined;
      expect(() => (pending = call())).not.toThrow();
      await expect(pending).rejects.toMatchObject({ name: expect.stringMatching(/^Invalid/) });
    }
  });

  it('streamScope with a non-function creates nothing', async () => {
    const name = uniqueName('scope');

    const { error, requests } = await fx.spy.during(fx.nc, () =>
      fx.streams.streamScope(name, [`${name}.>`], {}, 'not a function' as never),
    );

    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(requests).toEqual([]);
  });

  it('a result from getStreamInfo cannot change what ensureStream compares against', async () => {
    const name = uniqueName('frozen');
    await fx.streams.ensureStream(name, [`${name}.>`], { max_msgs: 100 });
    const info = await fx.streams.getStreamInfo(name);

    expect(() => {
      (info.config as { max_msgs: number }).max_msgs = 5;
    }).toThrow(TypeError);
    expect((await fx.streams.ensureStream(name, [`${name}.>`], { max_msgs: 100 })).action).toBe('unchanged');
  });

  it('streams named after Object.prototype keys are plain entries of the snapshot and the indicator', async () => {
    const names = ['constructor', 'toString', '__proto__'];
    for (const name of names) await fx.streams.ensureStream(name, [`${name}-${process.pid}.>`]);

    const snapshot = await fx.app.get(StreamMonitor).read(0);
    const health = await fx.app.get(StreamsHealthIndicator).isHealthy('streams', { streams: names, details: 'full' });

    for (const name of names) expect(Object.hasOwn(snapshot.streams, name) && snapshot.streams[name].status).toBe('up');
    expect(health.streams.status).toBe('up');
    expect(Object.keys((health.streams as unknown as { streams: object }).streams)).toEqual(names);
    for (const name of names) await fx.jsm.streams.delete(name);
  });

  it('a declaration error found after the connection opened fails start-up and closes the connection', async () => {
    const name = uniqueName('twice');
    const moduleRef = await Test.createTestingModule({
      imports: [
        StreamsModule.forRoot({ connection: { servers: fx.server.url }, streams: [{ name, subjects: [`${name}.a`] }] }),
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
    const name = uniqueName('twice');
    const started = await startTestApp(
      [
        StreamsModule.forRoot({
          connection: { servers: fx.server.url },
          onStartupError: 'warn',
          streams: [{ name, subjects: [`${name}.a`] }],
        }),
        StreamsModule.forFeature([{ name, subjects: [`${name}.b`] }]),
      ],
      { logger: false },
    );

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
      await waitFor(
        async () => readFileSync(`/proc/${paused.pid}/stat`, 'utf8').split(') ')[1]?.[0],
        (state) => state === 'T',
        {
          everyMs: 10,
          what: 'the server stopped',
        },
      );
      const pending = connection.rtt(60_000).catch((e: unknown) => e);
      await own.close();

      expect(await pending).toBeInstanceOf(Error);
    } finally {
      process.kill(paused.pid, 'SIGCONT');
      await paused.dispose();
    }
  });
});
