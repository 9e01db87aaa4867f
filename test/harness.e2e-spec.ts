import { existsSync } from 'node:fs';

import { connect, type ConnectionOptions, type NatsConnection, StringCodec } from 'nats';

import {
  NatsServerStartError,
  startNatsCluster,
  startNatsServer,
  type NatsServerOptions,
  type NatsTestCluster,
  type NatsTestServer,
} from '../libs/streams/src/testing/index.js';

import { connectError } from './support/ports.js';

const servers: NatsTestServer[] = [];
const connections: NatsConnection[] = [];

async function server(options?: NatsServerOptions): Promise<NatsTestServer> {
  const started = await startNatsServer(options);
  servers.push(started);
  return started;
}

async function client(options: ConnectionOptions): Promise<NatsConnection> {
  const nc = await connect({ reconnect: false, ...options });
  connections.push(nc);
  return nc;
}

afterEach(async () => {
  await Promise.all(connections.splice(0).map((nc) => nc.close()));
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

describe('startNatsServer', () => {
  it('starts a JetStream server that a client can use', async () => {
    const nats = await server();

    const nc = await client({ servers: nats.url });
    const account = await (await nc.jetstreamManager()).getAccountInfo();

    expect(nats.url).toBe(`nats://127.0.0.1:${nats.port}`);
    expect(nats.monitorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(nats.running).toBe(true);
    expect(nats.pid).toBeGreaterThan(0);
    expect(nc.info?.version).toBe(nats.version);
    expect(account.streams).toBe(0);
  });

  it('configures JetStream with its store directory and limits', async () => {
    const nats = await server({ maxFileStore: 8 * 1024 * 1024, maxMemoryStore: 1024 * 1024 });

    const response = await fetch(`${nats.monitorUrl}/jsz`);
    const jsz = (await response.json()) as { config: { store_dir: string; max_storage: number; max_memory: number } };

    expect(jsz.config.store_dir.startsWith(nats.storeDir)).toBe(true);
    expect(jsz.config.max_storage).toBe(8 * 1024 * 1024);
    expect(jsz.config.max_memory).toBe(1024 * 1024);
  });

  it('refuses connections after stop with SIGKILL', async () => {
    const nats = await server();

    await nats.stop('SIGKILL');

    expect(nats.running).toBe(false);
    await expect(connectError(nats.port)).resolves.toBe('ECONNREFUSED');
  });

  it('restarts on the same port with the same store', async () => {
    const nats = await server();
    const before = { port: nats.port, monitorUrl: nats.monitorUrl, pid: nats.pid };
    const first = await client({ servers: nats.url });
    const jsm = await first.jetstreamManager();
    await jsm.streams.add({ name: 'KEPT', subjects: ['kept.>'] });
    await first.jetstream().publish('kept.one', StringCodec().encode('hello'));

    await nats.restart();

    const second = await client({ servers: nats.url });
    const info = await (await second.jetstreamManager()).streams.info('KEPT');
    expect(nats.port).toBe(before.port);
    expect(nats.monitorUrl).toBe(before.monitorUrl);
    expect(nats.pid).not.toBe(before.pid);
    expect(info.state.messages).toBe(1);
  });

  it('requires the user and password it is given', async () => {
    const nats = await server({ auth: { user: 'alice', password: 's3cret' } });

    await expect(client({ servers: nats.url })).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
    await expect(client({ servers: nats.url, user: 'alice', pass: 'wrong' })).rejects.toMatchObject({
      code: 'AUTHORIZATION_VIOLATION',
    });
    const nc = await client({ servers: nats.url, user: 'alice', pass: 's3cret' });
    await expect(nc.flush()).resolves.toBeUndefined();
  });

  it('requires the token it is given', async () => {
    const nats = await server({ auth: { token: 't0ken' } });

    await expect(client({ servers: nats.url })).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
    const nc = await client({ servers: nats.url, token: 't0ken' });
    await expect(nc.flush()).resolves.toBeUndefined();
  });

  it('runs without JetStream when asked to', async () => {
    const nats = await server({ jetstream: false });

    const nc = await client({ servers: nats.url });

    await expect(nc.jetstreamManager()).rejects.toThrow();
  });

  it('fails with the server output when the server cannot start', async () => {
    const failure = startNatsServer({ extraConfig: 'no_such_option_xyz: true' });

    await expect(failure).rejects.toBeInstanceOf(NatsServerStartError);
    await expect(failure).rejects.toMatchObject({ logs: expect.stringContaining('no_such_option_xyz') });
  });

  it('removes its directory on dispose, and dispose is idempotent', async () => {
    const nats = await startNatsServer();
    expect(existsSync(nats.storeDir)).toBe(true);

    await nats.dispose();
    await nats.dispose();

    expect(nats.running).toBe(false);
    expect(existsSync(nats.dir)).toBe(false);
    await expect(connectError(nats.port)).resolves.toBe('ECONNREFUSED');
  });
});

describe('startNatsCluster', () => {
  let cluster: NatsTestCluster | undefined;

  afterAll(async () => {
    await cluster?.dispose();
  });

  it('elects a meta leader and accepts an R3 stream', async () => {
    cluster = await startNatsCluster({ size: 3 });

    const leader = await cluster.waitForMetaLeader();
    const nc = await client({ servers: cluster.urls });
    const info = await (await nc.jetstreamManager()).streams.add({
      name: 'R3',
      subjects: ['r3.>'],
      num_replicas: 3,
    });

    expect(['n1', 'n2', 'n3']).toContain(leader);
    expect(cluster.urls).toHaveLength(3);
    expect(info.cluster?.replicas).toHaveLength(2);
  });

  it('restarts a node on its ports, and it rejoins the cluster', async () => {
    cluster ??= await startNatsCluster({ size: 3 });
    const node = cluster.nodes[0];
    const port = node.port;

    await node.stop('SIGKILL');
    await node.restart();
    const leader = await cluster.waitForMetaLeader();

    expect(node.running).toBe(true);
    expect(node.port).toBe(port);
    expect(['n1', 'n2', 'n3']).toContain(leader);
  });
});
