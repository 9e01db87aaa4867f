import { InvalidStreamConfigError, StreamConfigConflictError, StreamService } from '@app/streams';
import { startNatsLeafTopology, type NatsLeafTopology } from '@app/streams/testing';
import { connect, StringCodec, type NatsConnection } from 'nats';
import type { INestApplication } from '@nestjs/common';
import { uniqueName, useStreamsFixture } from './support/streams-fixture.js';
import { startStreamsApp } from './support/streams-app.js';
import { waitFor } from './support/wait.js';

const sc = StringCodec();
const writes = (requests: string[]): string[] => requests.filter((r) => /^STREAM\.(CREATE|UPDATE|DELETE|PURGE)\./.test(r));

describe('mirrored and sourced key-value buckets on one server', () => {
  const fx = useStreamsFixture({ cacheTtlMs: 0 });

  it("declares a mirror laid out as the client's: unchanged against the client's own, filled from its origin, never re-pointed", async () => {
    const origin = uniqueName('origin');
    const other = uniqueName('other');
    const replica = uniqueName('replica');
    const clientReplica = uniqueName('client_replica');
    const remote = uniqueName('remote');
    await fx.streams.ensureBucket(origin, { history: 3 });
    await fx.streams.ensureBucket(other);
    const kv = await fx.raw.jetstream().views.kv(origin);
    await kv.put('a', sc.encode('1'));
    await kv.put('b', sc.encode('2'));
    await fx.raw.jetstream().views.kv(clientReplica, { history: 3, mirror: { name: origin } });
    await fx.raw.jetstream().views.kv(remote, { history: 3, mirror: { name: origin, domain: 'elsewhere' } });

    const created = await fx.streams.ensureBucket(replica, { history: 3, mirror: { bucket: origin } });
    const same = await fx.spy.during(fx.nc, () => fx.streams.ensureBucket(clientReplica, { history: 3, mirror: { bucket: origin } }));
    const sameRemote = await fx.spy.during(fx.nc, () =>
      fx.streams.ensureBucket(remote, { history: 3, mirror: { bucket: origin, domain: 'elsewhere' } }),
    );
    const repointed = await fx.spy.during(fx.nc, () => fx.streams.ensureBucket(replica, { history: 3, mirror: { bucket: other } }));

    expect(created).toMatchObject({ name: `KV_${replica}`, action: 'created' });
    expect(created.info.config).toMatchObject({
      mirror: { name: `KV_${origin}` },
      mirror_direct: true,
      allow_direct: true,
      max_msgs_per_subject: 3,
    });
    expect(created.info.config.subjects ?? []).toEqual([]);
    expect(same.result).toMatchObject({ action: 'unchanged', changes: [] });
    expect(writes(same.requests)).toEqual([]);
    expect(sameRemote.result).toMatchObject({ action: 'unchanged', changes: [] });
    expect(writes(sameRemote.requests)).toEqual([]);
    expect(repointed.error).toBeInstanceOf(StreamConfigConflictError);
    expect(writes(repointed.requests)).toEqual([]);
    await waitFor(
      () => fx.jsm.streams.info(`KV_${replica}`),
      (info) => info.state.messages === 2,
      { what: `the mirror KV_${replica} to hold the origin's two values` },
    );
    // The mirror holds its origin's keys under the origin's subjects: what the client's direct gets read (mirror_direct).
    const read = await fx.jsm.streams.getMessage(`KV_${replica}`, { last_by_subj: `$KV.${origin}.b` });
    expect(sc.decode(read.data)).toBe('2');
  });

  it('declares a bucket sourcing several, whose keys read through the client as its own (2.10+), and refuses it on 2.9 before any request', async () => {
    const eu = uniqueName('eu');
    const us = uniqueName('us');
    const merged = uniqueName('merged');
    const clientMerged = uniqueName('client_merged');
    await fx.streams.ensureBucket(eu);
    await fx.streams.ensureBucket(us);
    const declared = { history: 2, sources: [{ bucket: eu }, { bucket: us }] };

    const attempt = await fx.spy.during(fx.nc, () => fx.streams.ensureBucket(merged, declared));

    if (!fx.modern) {
      expect(attempt.error).toBeInstanceOf(InvalidStreamConfigError);
      expect((attempt.error as Error).message).toMatch(/sources .*needs nats-server 2\.10\.0 or newer/);
      expect(writes(attempt.requests)).toEqual([]);
      return;
    }
    await fx.raw.jetstream().views.kv(clientMerged, { history: 2, sources: [{ name: eu }, { name: us }] });
    const same = await fx.spy.during(fx.nc, () =>
      fx.streams.ensureBucket(clientMerged, { history: 2, sources: [{ bucket: us }, { bucket: eu }] }),
    );
    await (await fx.raw.jetstream().views.kv(eu)).put('paris', sc.encode('eu'));
    await (await fx.raw.jetstream().views.kv(us)).put('boston', sc.encode('us'));
    const kv = await fx.raw.jetstream().views.kv(merged);
    const values = await waitFor(
      async () => [(await kv.get('paris'))?.string(), (await kv.get('boston'))?.string()],
      (v) => v[0] !== undefined && v[1] !== undefined,
      { what: `both sources' keys in ${merged}` },
    );

    expect(attempt.result).toMatchObject({ action: 'created' });
    expect(attempt.result!.info.config).toMatchObject({
      subjects: [`$KV.${merged}.>`],
      sources: expect.arrayContaining([
        { name: `KV_${eu}`, subject_transforms: [{ src: `$KV.${eu}.>`, dest: `$KV.${merged}.>` }] },
        { name: `KV_${us}`, subject_transforms: [{ src: `$KV.${us}.>`, dest: `$KV.${merged}.>` }] },
      ]),
    });
    expect(same.result).toMatchObject({ action: 'unchanged', changes: [] });
    expect(writes(same.requests)).toEqual([]);
    expect(values).toEqual(['eu', 'us']);
  });

  it('refuses bad mirror and sources input before any request, naming the field', async () => {
    const cases: Array<[object, RegExp]> = [
      [{ mirror: { name: 'x' } }, /mirror has 'name', which is not a bucket origin field/],
      [{ mirror: { bucket: 'a.b' } }, /mirror bucket must be a bucket name/],
      [{ mirror: { bucket: 'x', domain: 'hub', external: { api: '$JS.hub.API' } } }, /mirror cannot have both domain and external/],
      [{ mirror: { bucket: 'x' }, sources: [{ bucket: 'y' }] }, /mirror cannot be combined with sources/],
      [{ sources: [] }, /sources must be a non-empty array/],
      [{ sources: [{ bucket: 'y', external: {} }] }, /sources\[0\] external must be \{ api: string/],
    ];
    for (const [config, message] of cases) {
      const attempt = await fx.spy.during(fx.nc, () => fx.streams.ensureBucket(uniqueName('bad'), config));
      expect(attempt.error).toBeInstanceOf(InvalidStreamConfigError);
      expect((attempt.error as Error).message).toMatch(message);
      expect(attempt.requests).toEqual([]);
    }
  });
});

describe("a leaf node's read replica of a hub bucket", () => {
  let topology: NatsLeafTopology;
  let app: INestApplication | undefined;
  let hubRaw: NatsConnection;
  let leafRaw: NatsConnection;

  beforeAll(async () => {
    topology = await startNatsLeafTopology();
    hubRaw = await connect({ servers: topology.hub.url });
    leafRaw = await connect({ servers: topology.leaf.url });
  });

  afterAll(async () => {
    await app?.close();
    await leafRaw?.close();
    await hubRaw?.close();
    await topology?.dispose();
  });

  it('is declared in the leaf as a mirror of the hub domain: filled from the hub, read and written through the client as the bucket', async () => {
    const bucket = uniqueName('sessions');
    const hubKv = await hubRaw.jetstream().views.kv(bucket, { history: 2 });
    await hubKv.put('user.1', sc.encode('from the hub'));
    const declaration = { bucket, history: 2, mirror: { bucket, domain: topology.hubDomain } };

    app = await startStreamsApp({ connection: { servers: topology.leaf.url }, buckets: [declaration] }, { logger: false });
    const plan = await app.get(StreamService).planBucket(bucket, { history: 2, mirror: { bucket, domain: topology.hubDomain } });
    const leafKv = await leafRaw.jetstream().views.kv(bucket);
    const mirrored = await waitFor(
      async () => (await leafKv.get('user.1'))?.string(),
      (value) => value !== undefined,
      { what: 'the hub value in the leaf mirror' },
    );
    // A write through the leaf's binding goes to the origin in the hub, and comes back mirrored.
    await leafKv.put('user.2', sc.encode('from the leaf'));
    const inHub = await waitFor(
      async () => (await hubKv.get('user.2'))?.string(),
      (value) => value !== undefined,
      { what: 'the leaf write in the hub bucket' },
    );

    const info = await (await leafRaw.jetstreamManager()).streams.info(`KV_${bucket}`);
    expect(info.config.mirror).toEqual({ name: `KV_${bucket}`, external: { api: `$JS.${topology.hubDomain}.API`, deliver: '' } });
    expect(plan).toMatchObject({ action: 'unchanged', changes: [], conflicts: [] });
    expect(mirrored).toBe('from the hub');
    expect(inHub).toBe('from the leaf');
    await waitFor(
      async () => (await leafKv.get('user.2'))?.string(),
      (value) => value === 'from the leaf',
      { what: 'the leaf write mirrored back into the leaf' },
    );
  });
});
