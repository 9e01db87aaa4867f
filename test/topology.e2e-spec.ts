import { connect, type ConnectionOptions, type NatsConnection, StringCodec } from 'nats';

import { InvalidNatsTestOptionsError, startNatsLeafTopology, type NatsLeafTopology } from '../libs/streams/src/testing/index.js';

const sc = StringCodec();

interface Leafz {
  leafnodes: number;
  leafs: { account: string }[];
}

interface Varz {
  jetstream?: { config?: { domain?: string } };
}

async function monitor<T>(monitorUrl: string, path: string): Promise<T> {
  return (await (await fetch(`${monitorUrl}${path}`)).json()) as T;
}

describe('startNatsLeafTopology', () => {
  let topology: NatsLeafTopology;
  const connections: NatsConnection[] = [];

  async function client(options: ConnectionOptions): Promise<NatsConnection> {
    const nc = await connect({ reconnect: false, ...options });
    connections.push(nc);
    return nc;
  }

  beforeAll(async () => {
    topology = await startNatsLeafTopology();
  });

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close()));
  });

  afterAll(async () => {
    await topology?.dispose();
  });

  it('resolves with the leaf node connected to the hub, each server in its own JetStream domain', async () => {
    const [hubLeafz, leafLeafz, hubVarz, leafVarz] = await Promise.all([
      monitor<Leafz>(topology.hub.monitorUrl, '/leafz'),
      monitor<Leafz>(topology.leaf.monitorUrl, '/leafz'),
      monitor<Varz>(topology.hub.monitorUrl, '/varz'),
      monitor<Varz>(topology.leaf.monitorUrl, '/varz'),
    ]);

    expect(hubLeafz.leafnodes).toBe(1);
    expect(leafLeafz.leafnodes).toBe(1);
    expect(leafLeafz.leafs[0].account).toBe('$G');
    expect([topology.hubDomain, topology.leafDomain]).toEqual(['hub', 'leaf']);
    expect(hubVarz.jetstream?.config?.domain).toBe('hub');
    expect(leafVarz.jetstream?.config?.domain).toBe('leaf');
    expect(topology.hub.ports.leafnode).toBeGreaterThan(0);
  });

  it("lets a client of the leaf create a stream in the hub's domain, publish to it, and the hub store it", async () => {
    const leafClient = await client({ servers: topology.leaf.url });
    const hubJsm = await leafClient.jetstreamManager({ domain: 'hub' });

    const created = await hubJsm.streams.add({ name: 'IN_HUB', subjects: ['in.hub.>'] });
    const ack = await leafClient.jetstream({ domain: 'hub' }).publish('in.hub.one', sc.encode('from the leaf'));
    const hubClient = await client({ servers: topology.hub.url });
    const onHub = await hubClient.jetstreamManager();
    const info = await onHub.streams.info('IN_HUB');
    const stored = await onHub.streams.getMessage('IN_HUB', { seq: 1 });
    const leafLocal = await leafClient.jetstreamManager();

    expect(created.config.name).toBe('IN_HUB');
    expect((await hubJsm.getAccountInfo()).domain).toBe('hub');
    expect(ack).toMatchObject({ stream: 'IN_HUB', domain: 'hub', seq: 1 });
    expect(info.state.messages).toBe(1);
    expect(sc.decode(stored.data)).toBe('from the leaf');
    await expect(leafLocal.streams.info('IN_HUB')).rejects.toMatchObject({ api_error: { err_code: 10059 } });
  });

  it("lets a client of the leaf manage a stream in the leaf's own domain, which the hub does not hold", async () => {
    const leafClient = await client({ servers: topology.leaf.url });
    const leafJsm = await leafClient.jetstreamManager({ domain: 'leaf' });

    await leafJsm.streams.add({ name: 'IN_LEAF', subjects: ['in.leaf.>'] });
    const ack = await leafClient.jetstream().publish('in.leaf.one', sc.encode('local'));
    const updated = await leafJsm.streams.update('IN_LEAF', { max_msgs: 10 });
    const viaPlainApi = await (await leafClient.jetstreamManager()).streams.info('IN_LEAF');
    const hubJsm = await (await client({ servers: topology.hub.url })).jetstreamManager();

    expect((await leafJsm.getAccountInfo()).domain).toBe('leaf');
    expect(ack).toMatchObject({ stream: 'IN_LEAF', domain: 'leaf', seq: 1 });
    expect(updated.config.max_msgs).toBe(10);
    expect(viaPlainApi.state.messages).toBe(1);
    await expect(hubJsm.streams.info('IN_LEAF')).rejects.toMatchObject({ api_error: { err_code: 10059 } });
  });

  it('reconnects the leaf to a restarted hub on the same leaf-node port, with the hub stream kept', async () => {
    const ports = topology.hub.ports;

    await topology.hub.restart();
    await topology.waitForLeafConnection();
    const leafClient = await client({ servers: topology.leaf.url });
    const info = await (await leafClient.jetstreamManager({ domain: 'hub' })).streams.info('IN_HUB');

    expect(topology.hub.ports).toEqual(ports);
    expect(info.state.messages).toBe(1);
  });
});

describe('startNatsLeafTopology with accounts', () => {
  let topology: NatsLeafTopology | undefined;

  afterAll(async () => {
    await topology?.dispose();
  });

  it("binds the leaf connection to the JetStream account, whose users reach the hub's domain from the leaf", async () => {
    topology = await startNatsLeafTopology({
      hubDomain: 'central',
      leafDomain: 'edge',
      accounts: {
        PLAIN: { users: [{ user: 'plain', password: 'plain-pw' }] },
        APP: { jetstream: true, users: [{ user: 'app', password: 'app-pw' }] },
      },
    });
    const nc = await connect({ servers: topology.leaf.url, user: 'app', pass: 'app-pw', reconnect: false });

    try {
      const central = await nc.jetstreamManager({ domain: 'central' });
      await central.streams.add({ name: 'APP_CENTRAL', subjects: ['app.central.>'] });
      const ack = await nc.jetstream({ domain: 'central' }).publish('app.central.one', sc.encode('x'));
      const leafz = await monitor<Leafz>(topology.leaf.monitorUrl, '/leafz');

      expect(leafz.leafs.map((leaf) => leaf.account)).toEqual(['APP']);
      expect((await central.getAccountInfo()).domain).toBe('central');
      expect((await (await nc.jetstreamManager()).getAccountInfo()).domain).toBe('edge');
      expect(ack).toMatchObject({ stream: 'APP_CENTRAL', domain: 'central', seq: 1 });
    } finally {
      await nc.close();
    }
  });

  it('refuses equal domains and an unknown leaf account before starting anything', async () => {
    await expect(startNatsLeafTopology({ hubDomain: 'same', leafDomain: 'same' })).rejects.toBeInstanceOf(InvalidNatsTestOptionsError);
    await expect(startNatsLeafTopology({ accounts: { APP: { jetstream: true, users: [] } }, leafAccount: 'NOPE' })).rejects.toMatchObject({
      option: 'leafAccount',
    });
  });
});
