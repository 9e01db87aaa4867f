import { Injectable, Module, type INestApplication } from '@nestjs/common';
import {
  ConnectionService,
  InjectConnectionService,
  InjectStreamEvents,
  InjectStreamMonitor,
  InjectStreamService,
  StreamEvents,
  StreamMonitor,
  StreamService,
  StreamsModule,
  type StreamEvent,
} from '@app/streams';
import { StreamsHealthIndicator } from '@app/streams/health';
import { startNatsLeafTopology, type NatsLeafTopology } from '@app/streams/testing';
import { connect, StringCodec, type JetStreamManager, type NatsConnection } from 'nats';
import { startTestApp } from './support/streams-app.js';
import { setTimeout as delay } from 'node:timers/promises';
import { waitFor } from './support/wait.js';

const sc = StringCodec();

/** The services of both connections, injected the way an app does: by class, and by name. */
@Injectable()
class Connections {
  constructor(
    readonly hubStreams: StreamService,
    readonly hubConnection: ConnectionService,
    readonly hubMonitor: StreamMonitor,
    readonly hubEvents: StreamEvents,
    @InjectStreamService('local') readonly localStreams: StreamService,
    @InjectConnectionService('local') readonly localConnection: ConnectionService,
    @InjectStreamMonitor('local') readonly localMonitor: StreamMonitor,
    @InjectStreamEvents('local') readonly localEvents: StreamEvents,
  ) {}
}

/**
 * One app connected to the LEAF node with two connections: the default one manages streams in the
 * hub's JetStream domain (`jetstream: { domain: 'hub' }`), `local` those of the leaf's own domain.
 * A stream named `dom_same` exists in both domains, declared differently by each connection.
 */
describe('JetStream domains: an app on a leaf node managing the hub domain and its own', () => {
  let topology: NatsLeafTopology;
  let app: INestApplication;
  let leafRaw: NatsConnection;
  let hubRaw: NatsConnection;
  let leafJsm: JetStreamManager;
  let hubJsm: JetStreamManager;
  let hub: { streams: StreamService; connection: ConnectionService; monitor: StreamMonitor; watch: StreamEvents; events: StreamEvent[] };
  let local: typeof hub;

  beforeAll(async () => {
    topology = await startNatsLeafTopology();
    const servers = topology.leaf.url;
    const root = StreamsModule.forRoot({
      connection: { servers, name: 'hub-app' },
      jetstream: { domain: topology.hubDomain },
      drainTimeoutMs: 1_000,
      streams: [
        { name: 'dom_hub', subjects: ['dom.hub.>'] },
        { name: 'dom_same', subjects: ['dom.same.hub.>'], max_msgs: 100 },
      ],
    });
    const named = StreamsModule.forRoot({
      name: 'local',
      connection: { servers, name: 'leaf-app' },
      drainTimeoutMs: 1_000,
      streams: [
        { name: 'dom_leaf', subjects: ['dom.leaf.>'] },
        { name: 'dom_same', subjects: ['dom.same.leaf.>'], max_msgs: 200 },
      ],
    });
    @Module({ imports: [root, named], providers: [Connections] })
    class AppModule {}
    app = await startTestApp([AppModule], { logger: false });
    const c = app.get(Connections);
    const record = (watch: StreamEvents) => {
      const events: StreamEvent[] = [];
      watch.events$.subscribe((e) => events.push(e));
      return events;
    };
    hub = { streams: c.hubStreams, connection: c.hubConnection, monitor: c.hubMonitor, watch: c.hubEvents, events: record(c.hubEvents) };
    local = {
      streams: c.localStreams,
      connection: c.localConnection,
      monitor: c.localMonitor,
      watch: c.localEvents,
      events: record(c.localEvents),
    };
    leafRaw = await connect({ servers, name: 'leaf-raw' });
    hubRaw = await connect({ servers: topology.hub.url, name: 'hub-raw' });
    leafJsm = await leafRaw.jetstreamManager();
    hubJsm = await hubRaw.jetstreamManager();
  });

  afterAll(async () => {
    await app?.close();
    await leafRaw?.close();
    await hubRaw?.close();
    await topology?.dispose();
  });

  it('ensured each connection’s declared streams in its own domain at start-up', async () => {
    expect((await hubJsm.streams.info('dom_hub')).config.subjects).toEqual(['dom.hub.>']);
    expect((await hubJsm.streams.info('dom_same')).config).toMatchObject({ subjects: ['dom.same.hub.>'], max_msgs: 100 });
    expect((await leafJsm.streams.info('dom_leaf')).config.subjects).toEqual(['dom.leaf.>']);
    expect((await leafJsm.streams.info('dom_same')).config).toMatchObject({ subjects: ['dom.same.leaf.>'], max_msgs: 200 });
    await expect(leafJsm.streams.info('dom_hub')).rejects.toMatchObject({ api_error: { err_code: 10059 } });
    await expect(hubJsm.streams.info('dom_leaf')).rejects.toMatchObject({ api_error: { err_code: 10059 } });
  });

  it('creates, updates (STREAM.UPDATE sent whole), lists, publishes and deletes through the hub domain from the leaf', async () => {
    const ack = await hub.streams.streamScope('dom_tmp', ['dom.tmp.>'], (js) => js.publish('dom.tmp.one', sc.encode('x')));
    expect(ack).toMatchObject({ stream: 'dom_tmp', domain: 'hub', seq: 1 });

    const updated = await hub.streams.ensureStream('dom_tmp', ['dom.tmp.>'], { max_msgs: 5, description: 'via the leaf' });
    expect(updated).toMatchObject({
      action: 'updated',
      changes: expect.arrayContaining([expect.objectContaining({ field: 'max_msgs', desired: 5 })]),
    });
    expect((await hubJsm.streams.info('dom_tmp')).config).toMatchObject({ max_msgs: 5, description: 'via the leaf' });
    // Removing a field from the declaration removes it on the server: the update carries the whole config.
    await hub.streams.ensureStream('dom_tmp', ['dom.tmp.>'], { max_msgs: 5 });
    expect((await hubJsm.streams.info('dom_tmp')).config.description).toBeUndefined();

    expect((await hub.streams.listStreams()).sort()).toEqual(['dom_hub', 'dom_same', 'dom_tmp']);
    expect((await local.streams.listStreams()).sort()).toEqual(['dom_leaf', 'dom_same']);
    expect(await hub.streams.listStreams({ subject: 'dom.tmp.one' })).toEqual(['dom_tmp']);
    await expect(hub.streams.deleteStream('dom_tmp')).resolves.toBe(true);
    await expect(hubJsm.streams.info('dom_tmp')).rejects.toMatchObject({ api_error: { err_code: 10059 } });
  });

  it('reports health per domain: each connection sees only its own domain’s streams', async () => {
    const indicator = app.get(StreamsHealthIndicator);
    await expect(indicator.isHealthy('hub', { details: 'full' })).resolves.toMatchObject({ hub: { status: 'up' } });
    await expect(indicator.isHealthy('leaf', { connection: 'local', details: 'full' })).resolves.toMatchObject({ leaf: { status: 'up' } });
    const [hubSnapshot, localSnapshot] = await Promise.all([hub.monitor.read(0), local.monitor.read(0)]);
    expect(Object.keys(hubSnapshot.streams).sort()).toEqual(['dom_hub', 'dom_same']);
    expect(Object.keys(localSnapshot.streams).sort()).toEqual(['dom_leaf', 'dom_same']);
    expect(hubSnapshot.streams.dom_same.subjects).toEqual(['dom.same.hub.>']);
    expect(localSnapshot.streams.dom_same.subjects).toEqual(['dom.same.leaf.>']);
  });

  it('follows the advisories of its own domain only, although both domains’ advisories reach every connection', async () => {
    expect([hub.watch.watch, local.watch.watch]).toEqual(['watching', 'watching']);
    const witnessed: Array<string | undefined> = [];
    const witness = leafRaw.subscribe('$JS.EVENT.ADVISORY.STREAM.UPDATED.dom_same', {
      callback: (_err, msg) => witnessed.push((JSON.parse(sc.decode(msg.data)) as { domain?: string }).domain),
    });
    await leafRaw.flush();
    const before = { hub: hub.events.length, local: local.events.length };

    const inLeaf = await leafJsm.streams.info('dom_same');
    await leafJsm.streams.update('dom_same', { ...inLeaf.config, description: 'changed in the leaf' });
    const inHub = await hubJsm.streams.info('dom_same');
    await hubJsm.streams.update('dom_same', { ...inHub.config, description: 'changed in the hub' });

    // Once the witness (a connection of the same leaf server) has both, the server has sent both to
    // the app's connections too; their flush makes sure they have arrived.
    await waitFor(
      async () => [...witnessed].sort(),
      (d) => d.length === 2 && d[0] === 'hub' && d[1] === 'leaf',
      { timeoutMs: 5_000, everyMs: 10, what: 'both advisories' },
    );
    witness.unsubscribe();

    const updates = (events: StreamEvent[], from: number) =>
      events.slice(from).filter((e) => e.stream === 'dom_same' && e.type === 'updated');
    // The app follows advisories on a connection of its own, in 20 ms batches: once each app has
    // emitted its own domain's update, the other domain's (sent at the same moment) is given ten
    // batches to show up, which it must not.
    await waitFor(
      async () => [updates(hub.events, before.hub).length, updates(local.events, before.local).length],
      ([h, l]) => h > 0 && l > 0,
      { timeoutMs: 5_000, everyMs: 10, what: 'each domain’s update' },
    );
    await delay(200);
    expect(updates(hub.events, before.hub)).toEqual([expect.objectContaining({ domain: 'hub', declared: true })]);
    expect(updates(local.events, before.local)).toEqual([expect.objectContaining({ domain: 'leaf', declared: true })]);

    // Each connection checked its own stream against its own declaration.
    const drift = (events: StreamEvent[], from: number) =>
      waitFor(
        async () => events.slice(from).find((e) => e.stream === 'dom_same' && e.type === 'drifted'),
        (e) => e !== undefined,
        { timeoutMs: 5_000, everyMs: 10, what: 'drift' },
      );
    await expect(drift(hub.events, before.hub)).resolves.toMatchObject({
      changes: [{ field: 'description', current: 'changed in the hub' }],
    });
    await expect(drift(local.events, before.local)).resolves.toMatchObject({
      changes: [{ field: 'description', current: 'changed in the leaf' }],
    });
    await expect(hub.streams.getStreamInfo('dom_same')).resolves.toMatchObject({
      config: { description: 'changed in the hub', max_msgs: 100 },
    });
    await expect(local.streams.getStreamInfo('dom_same')).resolves.toMatchObject({
      config: { description: 'changed in the leaf', max_msgs: 200 },
    });
  });
});
