import type { INestApplicationContext } from '@nestjs/common';
import { connect, type NatsConnection } from 'nats';
import { ConnectionService, InvalidStreamConfigError, StreamService } from '@app/streams';
import { startNatsCluster, type NatsTestCluster } from '@app/streams/testing';
import { JsApiSpy } from './support/js-api-spy.js';
import { startStreamsApp } from './support/streams-app.js';
import { uniqueName } from './support/streams-fixture.js';
import { waitFor } from './support/wait.js';

/** A raw JetStream API answer: the stream's info, or the server's error. */
interface RawAnswer {
  error?: { code: number; err_code: number; description: string };
  config?: { placement?: Record<string, unknown> };
  cluster?: { leader?: string };
}

/**
 * Stream placement on a real 3-node cluster (issue 24): `placement.preferred`, which the issue
 * listed as a mutable 2.11 field. Measured on 2.15.1, no server takes it in a stream's config
 * (2.11+ refuse it, 2.9 and 2.10 drop it), so the library refuses it before any request, on every
 * version. The second test pins that server behaviour: if a server starts accepting the field, it
 * fails and the refusal can be lifted.
 */
describe('stream placement on a 3-node cluster', () => {
  let cluster: NatsTestCluster;
  let app: INestApplicationContext | undefined;
  let raw: NatsConnection;
  let spy: JsApiSpy;

  const version = (): string => raw.info?.version ?? '0.0.0';
  const atLeast = (since: string): boolean => version().localeCompare(since, undefined, { numeric: true }) >= 0;

  /** Sends one JetStream API request on the raw connection, as a client without this library would. */
  async function api(subject: string, body: unknown): Promise<RawAnswer> {
    const reply = await raw.request(`$JS.API.${subject}`, new TextEncoder().encode(JSON.stringify(body)), { timeout: 5_000 });
    return JSON.parse(new TextDecoder().decode(reply.data)) as RawAnswer;
  }

  beforeAll(async () => {
    cluster = await startNatsCluster({ size: 3, clusterName: 'placement-cluster' });
    raw = await connect({ servers: cluster.urls[0], name: 'placement-raw' });
    spy = await JsApiSpy.start(cluster.urls[0]);
    // Right after start-up, 2.10 may still count a peer offline and refuse a 3-replica stream
    // ("no suitable peers for placement"): wait until it places one.
    const probe = { name: 'placement_probe', subjects: ['placement_probe'], num_replicas: 3 };
    await waitFor(
      // Before the meta leader is known, the request may also go unanswered (503, timeout): not yet.
      () => api('STREAM.CREATE.placement_probe', probe).then((answer) => answer.error?.description ?? 'placed', String),
      (outcome) => outcome === 'placed',
      { timeoutMs: 30_000, what: 'a 3-replica stream placed' },
    );
    await api('STREAM.DELETE.placement_probe', {});
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  afterAll(async () => {
    await spy?.close();
    await raw?.close();
    await cluster?.dispose();
  });

  it('refuses placement.preferred naming a node before any request, on a create and on a change of a placed stream', async () => {
    app = await startStreamsApp({ connection: { servers: [cluster.urls[0]], name: 'placement-e2e' }, cacheTtlMs: 0 });
    const streams = app.get(StreamService);
    const nc = app.get(ConnectionService).getConnection();
    const name = uniqueName('PREFERRED');
    const subjects = [`${name}.>`];
    const placed = { num_replicas: 3, placement: { cluster: 'placement-cluster' } };

    const create = await spy.during(nc, () =>
      streams.ensureStream(name, subjects, { ...placed, placement: { ...placed.placement, preferred: 'n2' } } as never),
    );
    const created = await streams.ensureStream(name, subjects, placed);
    const again = await spy.during(nc, () => streams.ensureStream(name, subjects, placed));
    const change = await spy.during(nc, () =>
      streams.ensureStream(name, subjects, { ...placed, placement: { ...placed.placement, preferred: 'n3' } } as never),
    );
    const held = await streams.getStreamInfo(name, { fresh: true });

    for (const refused of [create, change]) {
      expect(refused.error).toBeInstanceOf(InvalidStreamConfigError);
      expect((refused.error as InvalidStreamConfigError).field).toBe('placement.preferred');
      expect(refused.requests).toEqual([]);
    }
    expect(created.action).toBe('created');
    expect(again.result?.action).toBe('unchanged');
    expect(again.requests).toEqual([`STREAM.INFO.${name}`]);
    expect(held.config.placement).toEqual({ cluster: 'placement-cluster' });
  });

  it('the server itself refuses placement.preferred in a create and an update on 2.11+, and drops it before', async () => {
    const name = uniqueName('RAWPREF');
    const config = { name, subjects: [`${name}.>`], num_replicas: 3, storage: 'file' };

    const create = await api(`STREAM.CREATE.${name}`, { ...config, placement: { preferred: 'n2' } });

    if (!atLeast('2.11.0')) {
      // 2.9 and 2.10 do not know the field: the stream is made, and the preference is gone.
      expect(create.error).toBeUndefined();
      expect(create.config?.placement?.preferred).toBeUndefined();
      return;
    }
    expect(create.error).toMatchObject({ err_code: 10052, description: 'preferred server not permitted in placement' });
    expect((await api(`STREAM.CREATE.${name}`, config)).error).toBeUndefined();
    const leader = await waitFor(
      () => api(`STREAM.INFO.${name}`, {}),
      (info) => !!info.cluster?.leader,
      { timeoutMs: 10_000, everyMs: 100, what: `a leader for ${name}` },
    );
    const other = ['n1', 'n2', 'n3'].find((node) => node !== leader.cluster?.leader) as string;
    const update = await api(`STREAM.UPDATE.${name}`, { ...config, placement: { preferred: other }, pedantic: true });
    expect(update.error).toMatchObject({ err_code: 10052, description: 'preferred server not permitted in placement' });
  });
});
