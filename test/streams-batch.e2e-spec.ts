import { Module, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  ConnectionService,
  InvalidStreamConfigError,
  StreamBatchError,
  StreamService,
  StreamsModule,
  type StreamDeclaration,
  type StreamsModuleOptions,
} from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { JsApiSpy } from './support/js-api-spy.js';
import { startStreamsApp, type ModuleImports } from './support/streams-app.js';
import { uniqueName } from './support/streams-fixture.js';

const SECOND = 1_000_000_000;

async function boot(
  url: string,
  options: Partial<StreamsModuleOptions> = {},
  imports: ModuleImports = [],
): Promise<INestApplicationContext> {
  const app = await startStreamsApp({ connection: { servers: url }, ...options }, { imports, logger: false });
  await app.get(ConnectionService).getJetStreamManager();
  return app;
}

async function namesWithPrefix(jsm: JetStreamManager, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const name of jsm.streams.names()) if (name.startsWith(prefix)) names.push(name);
  return names.sort();
}

describe('StreamService batches against a real nats-server', () => {
  let server: NatsTestServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const apps: INestApplicationContext[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    jsm = await nc.jetstreamManager();
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
  });

  it('8 app instances ensuring the same 20 streams at once all succeed and leave 20 streams with the declared config', async () => {
    const prefix = uniqueName('race');
    const declarations: StreamDeclaration[] = Array.from({ length: 20 }, (_, i) => ({
      name: `${prefix}_${i}`,
      subjects: [`${prefix}.${i}.>`],
      max_age: `${10 + i}m`,
      max_msgs: 1_000 + i,
      storage: 'memory',
    }));
    apps.push(...(await Promise.all(Array.from({ length: 8 }, () => boot(server.url)))));

    const outcomes = await Promise.allSettled(apps.map((app) => app.get(StreamService).ensureStreams(declarations)));

    expect(outcomes.map((o) => o.status)).toEqual(Array(8).fill('fulfilled'));
    const results = outcomes.flatMap((o) => (o.status === 'fulfilled' ? o.value : []));
    expect(results.every((r) => ['created', 'unchanged'].includes(r.action))).toBe(true);
    expect(await namesWithPrefix(jsm, prefix)).toEqual(declarations.map((d) => d.name).sort());
    for (const [i, d] of declarations.entries()) {
      const { config } = await jsm.streams.info(d.name);
      expect(config).toMatchObject({ subjects: d.subjects, max_age: (10 + i) * 60 * SECOND, max_msgs: 1_000 + i, storage: 'memory' });
    }
    const again = await apps[0].get(StreamService).ensureStreams(declarations);
    expect(again.map((r) => r.action)).toEqual(Array(20).fill('unchanged'));
  });

  it('a batch with an invalid and overlapping declarations applies the valid ones and rejects naming each failure', async () => {
    const p = uniqueName('batch');
    const existing = `${p}_existing`;
    await jsm.streams.add({ name: existing, subjects: [`${p}.taken.>`] });

    const app = await boot(server.url);
    apps.push(app);

    const error = await app
      .get(StreamService)
      .ensureStreams([
        { name: `${p}_ok1`, subjects: [`${p}.ok1`] },
        { name: `${p} bad`, subjects: [`${p}.bad`] },
        { name: `${p}_first`, subjects: [`${p}.shared.>`] },
        { name: `${p}_second`, subjects: [`${p}.shared.x`] },
        { name: `${p}_server`, subjects: [`${p}.taken.x`] },
        { name: `${p}_ok2`, subjects: [`${p}.ok2`] },
      ])
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StreamBatchError);
    const results = (error as StreamBatchError).results;
    expect(results.map((r) => [r.name, r.action])).toEqual([
      [`${p}_ok1`, 'created'],
      [`${p} bad`, 'failed'],
      [`${p}_first`, 'created'],
      [`${p}_second`, 'failed'],
      [`${p}_server`, 'failed'],
      [`${p}_ok2`, 'created'],
    ]);
    expect(results[1].error).toBeInstanceOf(InvalidStreamConfigError);
    expect(results[1].error).toMatchObject({ field: 'name' });
    expect(results[3].error).toBeInstanceOf(InvalidStreamConfigError);
    expect(results[3].error).toMatchObject({ field: 'subjects', otherStream: `${p}_first` });
    expect(results[4].error).toBeInstanceOf(InvalidStreamConfigError);
    expect(results[4].error).toMatchObject({ field: 'subjects', otherStream: existing });
    expect((error as StreamBatchError).failures).toHaveLength(3);
    expect(await namesWithPrefix(jsm, p)).toEqual([`${p}_existing`, `${p}_first`, `${p}_ok1`, `${p}_ok2`].sort());
  });

  it('ensures streams declared with forRoot and forFeature during app.init()', async () => {
    const root = uniqueName('root');
    const feature = uniqueName('feature');
    @Module({ imports: [StreamsModule.forFeature([{ name: feature, subjects: [`${feature}.>`], max_age: '5m' }])] })
    class FeatureModule {}

    apps.push(await boot(server.url, { streams: [{ name: root, subjects: [`${root}.>`], max_msgs: 42 }] }, [FeatureModule]));

    expect((await jsm.streams.info(root)).config.max_msgs).toBe(42);
    expect((await jsm.streams.info(feature)).config.max_age).toBe(300 * SECOND);
  });

  it('stops start-up with StreamBatchError when a declared stream fails, and starts with onStartupError warn', async () => {
    const good = uniqueName('startgood');
    const bad = uniqueName('startbad');
    const streams: StreamDeclaration[] = [
      { name: good, subjects: [`${good}.>`] },
      { name: bad, subjects: [`${bad}.>`], num_replicas: 3 },
    ];

    const error = await boot(server.url, { streams }).catch((e: unknown) => e);
    const warned = await boot(server.url, { streams, onStartupError: 'warn' });
    apps.push(warned);

    expect(error).toBeInstanceOf(StreamBatchError);
    const failures = (error as StreamBatchError).failures;
    expect(failures.map((f) => f.name)).toEqual([bad]);
    expect(failures[0].error).toMatchObject({ field: 'num_replicas' });
    expect(await namesWithPrefix(jsm, good)).toEqual([good]);
    expect(await warned.get(StreamService).streamExists(bad)).toBe(false);
    expect(warned.get(ConnectionService).isConnected()).toBe(true);
  });

  it('closes its NATS connection when start-up fails, so nothing keeps the process alive', async () => {
    const bad = uniqueName('startclosed');
    const moduleRef = await Test.createTestingModule({
      imports: [
        StreamsModule.forRoot({ connection: { servers: server.url }, streams: [{ name: bad, subjects: [`${bad}.>`], num_replicas: 3 }] }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });

    const error = await app.init().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StreamBatchError);
    const connection = moduleRef.get(ConnectionService);
    expect(connection.currentStatus.type).toBe('closed');
    expect(connection.getConnection().isClosed()).toBe(true);
  });
});

describe('StreamService with 600 streams on the server', () => {
  let server: NatsTestServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let app: INestApplicationContext;
  let spy: JsApiSpy;
  const COUNT = 600;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    jsm = await nc.jetstreamManager();
    const names = Array.from({ length: COUNT }, (_, i) => `many_${String(i).padStart(3, '0')}`);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(
        names.slice(i, i + 50).map((name) => jsm.streams.add({ name, subjects: [`${name}.>`], storage: 'memory' as never })),
      );
    }
    app = await boot(server.url);
    spy = await JsApiSpy.start(server.url);
  });

  afterAll(async () => {
    await spy?.close();
    await app?.close();
    await nc?.close();
    await server?.dispose();
  });

  it('listStreams returns every one of them, across pages', async () => {
    const names = await app.get(StreamService).listStreams();
    expect(names).toHaveLength(COUNT);
    expect(new Set(names).size).toBe(COUNT);
    expect(await app.get(StreamService).listStreams({ subject: 'many_599.x' })).toEqual(['many_599']);
  });

  it('ensureStreams on a matching set reads the state with one STREAM.LIST per page of 256 and writes nothing', async () => {
    const service = app.get(StreamService);
    const declarations = Array.from({ length: 20 }, (_, i) => ({
      name: `matching_${i}`,
      subjects: [`matching.${i}`],
      storage: 'memory' as const,
    }));
    await service.ensureStreams(declarations);
    const connection = app.get(ConnectionService).getConnection();

    const { result, requests } = await spy.during(connection, () => service.ensureStreams(declarations));

    expect(result?.map((r) => r.action)).toEqual(Array(20).fill('unchanged'));
    expect(requests).toEqual(Array(Math.ceil((COUNT + 20) / 256)).fill('STREAM.LIST'));
  });
});
