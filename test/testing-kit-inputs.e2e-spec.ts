import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { StreamsModule } from '@app/streams';
import {
  createStreamsTestingModule,
  InvalidNatsTestOptionsError,
  overrideStreamsConnection,
  resolveNatsServerBinary,
  startNatsCluster,
  startNatsLeafTopology,
  startNatsServer,
  type NatsTestCluster,
  type NatsTestServer,
} from '@app/streams/testing';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { getJson } from './support/get-json.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Bad input to the testing kit fails with a typed error before any nats-server runs. Every call
 * goes through a wrapper executable that logs each run of the real binary (`--version` included),
 * so "nothing was spawned" is an observation, checked against a valid call that does log.
 */
describe('testing kit: inputs are checked before anything starts', () => {
  let dir: string;
  let binary: string;
  let runs: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kit-inputs-'));
    binary = join(dir, 'nats-server');
    runs = join(dir, 'runs.log');
    await writeFile(binary, `#!/bin/sh\necho "$*" >> '${runs}'\nexec '${resolveNatsServerBinary()}' "$@"\n`);
    await chmod(binary, 0o755);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function runCount(): Promise<number> {
    const text = await readFile(runs, 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).length;
  }

  async function expectRejectedBeforeStart(start: Promise<unknown>, option: string, detail: string): Promise<void> {
    const before = await runCount();
    const error = await start.then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(InvalidNatsTestOptionsError);
    expect(error).toMatchObject({ option, message: expect.stringContaining(detail) });
    expect(await runCount()).toBe(before);
  }

  it('runs the binary for valid options (the wrapper does observe a start)', async () => {
    const before = await runCount();
    const server = await startNatsServer({ binary, startTimeoutMs: 10_000 });
    await server.dispose();

    expect(await runCount()).toBeGreaterThan(before);
  });

  it.each([
    ['startTimeoutMs', { startTimeoutMs: '300' }, 'got "300"'],
    ['startTimeoutMs', { startTimeoutMs: 0 }, 'got 0'],
    ['startTimeoutMs', { startTimeoutMs: NaN }, 'got NaN'],
    ['startTimeoutMs', { startTimeoutMs: -1 }, 'got -1'],
    ['startTimeoutMs', { startTimeoutMs: 2 ** 31 }, '<= 2147483647'],
    ['maxFileStore', { maxFileStore: 'abc' }, 'got "abc"'],
    ['maxMemoryStore', { maxMemoryStore: NaN }, 'got NaN'],
    ['jetstream', { jetstream: 'false' }, 'got "false"'],
    ['users[0].user', { users: [{ user: '', password: 'pw' }] }, 'got ""'],
    ['users', { users: [] }, 'at least one user'],
    ['auth.token', { auth: { token: '' } }, 'got ""'],
    ['startNatsServer options', { jetStreamDomain: 'hub' }, 'unknown key "jetStreamDomain"; known keys: jetstream, jetstreamDomain'],
  ])('startNatsServer refuses %s in %p without running nats-server', async (option, bad, detail) => {
    await expectRejectedBeforeStart(startNatsServer({ binary, ...bad } as never), option, detail);
  });

  it.each([
    ['startNatsServer', () => startNatsServer(null as never)],
    ['startNatsCluster', () => startNatsCluster(null as never)],
    ['startNatsLeafTopology', () => startNatsLeafTopology(null as never)],
  ])('%s(null) is a typed error, not a TypeError', async (name, start) => {
    await expectRejectedBeforeStart(start(), `${name} options`, 'must be a plain object, got null');
  });

  it('an empty binary path is a typed error naming the option', async () => {
    await expectRejectedBeforeStart(startNatsServer({ binary: '' }), 'binary', 'got ""');
  });

  it.each([
    ['size', { size: 1 }, 'from 3 to 9, got 1'],
    ['size', { size: 2 }, 'from 3 to 9, got 2'],
    ['size', { size: 10 }, 'from 3 to 9, got 10'],
    ['startTimeoutMs', { startTimeoutMs: '300' }, 'got "300"'],
    ['maxFileStore', { maxFileStore: 'abc' }, 'got "abc"'],
    ['startNatsCluster options', { clustername: 'c' }, 'unknown key "clustername"'],
  ])('startNatsCluster refuses %s in %p without running nats-server', async (option, bad, detail) => {
    await expectRejectedBeforeStart(startNatsCluster({ binary, ...bad } as never), option, detail);
  });

  it.each([
    ['startTimeoutMs', { startTimeoutMs: '300' }, 'got "300"'],
    ['hubDomain', { hubDomain: 5 }, 'must be a string, got 5'],
    ['accounts.APP.users', { accounts: { APP: { jetstream: true, users: 'app' } } }, 'must be an array'],
    ['startNatsLeafTopology options', { hubdomain: 'x' }, 'unknown key "hubdomain"'],
  ])('startNatsLeafTopology refuses %s in %p without running nats-server', async (option, bad, detail) => {
    await expectRejectedBeforeStart(startNatsLeafTopology({ binary, ...bad } as never), option, detail);
  });
});

describe('testing kit: wait timeouts of a running cluster and topology', () => {
  let cluster: NatsTestCluster | undefined;

  afterEach(async () => {
    await cluster?.dispose();
    cluster = undefined;
  });

  it('waitForMetaLeader rejects a string or non-finite timeout at once, and still works with a number', async () => {
    cluster = await startNatsCluster();

    await expect(cluster.waitForMetaLeader('300' as never)).rejects.toMatchObject({
      option: 'timeoutMs',
      message: expect.stringContaining('got "300"'),
    });
    await expect(cluster.waitForMetaLeader(Infinity)).rejects.toBeInstanceOf(InvalidNatsTestOptionsError);
    expect(await cluster.waitForMetaLeader(30_000)).toMatch(/^n[123]$/);
  });

  it('waitForLeafConnection rejects a string timeout at once, and still works with a number', async () => {
    const topology = await startNatsLeafTopology();
    try {
      await expect(topology.waitForLeafConnection('300' as never)).rejects.toBeInstanceOf(InvalidNatsTestOptionsError);
      await expect(topology.waitForLeafConnection(-5)).rejects.toMatchObject({ option: 'timeoutMs' });
      await expect(topology.waitForLeafConnection(30_000)).resolves.toBeUndefined();
    } finally {
      await topology.dispose();
    }
  });
});

describe('testing kit: overrideStreamsConnection inputs', () => {
  let server: NatsTestServer;

  beforeAll(async () => {
    server = await startNatsServer();
  });

  afterAll(async () => {
    await server.dispose();
  });

  @Module({
    imports: [StreamsModule.forRoot({ name: 'eu', connection: { servers: 'nats://nats.production.invalid:4222', name: 'kit-inputs-eu' } })],
  })
  class EuAppModule {}

  it('refuses a connection name the app does not register at compile(), before anything connects', async () => {
    const builder = overrideStreamsConnection(Test.createTestingModule({ imports: [EuAppModule] }), server, {}, 'us');

    const error = await builder.compile().then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(InvalidNatsTestOptionsError);
    expect(error).toMatchObject({ option: 'connection', message: expect.stringContaining('named "us" (its connections: "eu")') });
    const connz = (await getJson(`${server.monitorUrl}/connz`)) as { connections: unknown[] };
    expect(connz.connections).toEqual([]);
  });

  it('overrides the connection the app does register', async () => {
    const moduleRef = await overrideStreamsConnection(Test.createTestingModule({ imports: [EuAppModule] }), server, {}, 'eu').compile();
    const app = await moduleRef.createNestApplication().init();
    try {
      const connz = (await getJson(`${server.monitorUrl}/connz`)) as { connections: Array<{ name?: string }> };

      // The connection, and the one beside it that follows stream advisories.
      expect(connz.connections.map((c) => c.name).sort()).toEqual(['kit-inputs-eu', 'kit-inputs-eu (advisories)']);
    } finally {
      await app.close();
    }
  });

  it('createStreamsTestingModule refuses null options or metadata with a typed error, before anything connects', async () => {
    const refused = (call: () => unknown) => {
      try {
        call();
      } catch (err) {
        return err;
      }
      return undefined;
    };

    const nullOptions = refused(() => createStreamsTestingModule(server, null as never));
    const nullMetadata = refused(() => createStreamsTestingModule(server, {}, null as never));

    expect(nullOptions).toBeInstanceOf(InvalidNatsTestOptionsError);
    expect(nullOptions).toMatchObject({
      option: 'options',
      message: expect.stringContaining('must be a plain object of StreamsModule options, got null'),
    });
    expect(nullMetadata).toMatchObject({ option: 'metadata', message: expect.stringContaining('got null') });
    const connz = (await getJson(`${server.monitorUrl}/connz`)) as { connections: unknown[] };
    expect(connz.connections).toEqual([]);
  });

  it('refuses a null target or an empty connection name at once', () => {
    const builder = () => Test.createTestingModule({ imports: [EuAppModule] });

    expect(() => overrideStreamsConnection(builder(), null as never)).toThrow(InvalidNatsTestOptionsError);
    expect(() => overrideStreamsConnection(builder(), null as never)).toThrow(/option target: must be a server/);
    expect(() => overrideStreamsConnection(builder(), server, {}, '')).toThrow(expect.objectContaining({ option: 'connection' }));
  });
});
