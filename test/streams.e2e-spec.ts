import type { INestApplicationContext } from '@nestjs/common';
import {
  ConnectionService,
  InvalidStreamConfigError,
  JetStreamApiError,
  NatsNotConnectedError,
  StreamBatchError,
  StreamConfigConflictError,
  StreamEvents,
  StreamDataLossError,
  StreamMigrationError,
  StreamMonitor,
  StreamNotFoundError,
  StreamService,
  StreamsError,
  type StreamsModuleOptions,
} from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { connect, StringCodec, type JetStreamManager, type NatsConnection, type StreamInfo } from 'nats';
import { filter, firstValueFrom } from 'rxjs';
import { JsApiSpy } from './support/js-api-spy.js';
import { startStreamsApp } from './support/streams-app.js';
import { uniqueName } from './support/streams-fixture.js';

const sc = StringCodec();
const SECOND = 1_000_000_000;
const HOUR = 3_600 * SECOND;

interface Booted {
  app: INestApplicationContext;
  streams: StreamService;
  nc: NatsConnection;
  jsm: JetStreamManager;
}

async function boot(url: string, options: Partial<StreamsModuleOptions> = {}): Promise<Booted> {
  const app = await startStreamsApp({ connection: { servers: url }, ...options }, { logger: false });
  const connection = app.get(ConnectionService);
  // Created once per connection (it asks $JS.API.INFO): done here so request counts start clean.
  const jsm = await connection.getJetStreamManager();
  return { app, streams: app.get(StreamService), nc: connection.getConnection(), jsm };
}

async function publish(nc: NatsConnection, subject: string, count: number): Promise<void> {
  const js = nc.jetstream();
  for (let i = 0; i < count; i++) await js.publish(subject, sc.encode(`${subject}#${i}`));
}

/** Config and state of a stream, for before/after comparisons (timestamps of the reply left out). */
function snapshot(info: StreamInfo): unknown {
  return { config: info.config, state: info.state };
}

describe('StreamService against a real nats-server', () => {
  let server: NatsTestServer;
  let main: Booted;
  let spy: JsApiSpy;
  let version: string;
  const extraApps: INestApplicationContext[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    main = await boot(server.url, { requestTimeoutMs: 2_000, operationTimeoutMs: 4_000 });
    spy = await JsApiSpy.start(server.url);
    version = main.nc.info?.version ?? '';
  });

  afterEach(async () => {
    await Promise.all(extraApps.splice(0).map((app) => app.close()));
  });

  afterAll(async () => {
    await spy?.close();
    await main?.app.close();
    await server?.dispose();
  });

  const atLeast210 = (): boolean => {
    const [major, minor] = version.split('.').map(Number);
    return major > 2 || (major === 2 && minor >= 10);
  };

  describe('ensureStream', () => {
    it('creates, leaves unchanged, updates max_age in place keeping the messages, then leaves unchanged', async () => {
      const name = uniqueName('lifecycle');
      const subject = `${name}.in`;

      const created = await main.streams.ensureStream(name, [`${name}.>`], { max_age: '1h' });
      await publish(main.nc, subject, 5);
      const same = await spy.during(main.nc, () => main.streams.ensureStream(name, [`${name}.>`], { max_age: '1h' }));
      await publish(main.nc, subject, 3);
      const updated = await main.streams.ensureStream(name, [`${name}.>`], { max_age: '2h' });
      const again = await spy.during(main.nc, () => main.streams.ensureStream(name, [`${name}.>`], { max_age: '2h' }));

      expect(created.action).toBe('created');
      expect(created.info.config.max_age).toBe(HOUR);
      expect(same.result?.action).toBe('unchanged');
      // The create's answer is in the info cache: "unchanged" needs no request.
      expect(same.requests).toEqual([]);
      expect(updated.action).toBe('updated');
      expect(updated.changes).toEqual([{ field: 'max_age', current: HOUR, desired: 2 * HOUR }]);
      expect(again.result?.action).toBe('unchanged');
      expect(again.requests).toEqual([]);
      const info = await main.jsm.streams.info(name);
      expect(info.config.max_age).toBe(2 * HOUR);
      expect(info.state.messages).toBe(8);
      expect(info.state.first_seq).toBe(1);
    });

    it('applies the library defaults, and a field removed from the declaration goes back to its default', async () => {
      const name = uniqueName('defaults');
      const first = await main.streams.ensureStream(name, [`${name}.>`], { max_msgs: 10, description: 'd' });

      const second = await main.streams.ensureStream(name, [`${name}.>`]);

      expect(first.info.config).toMatchObject({
        retention: 'limits',
        storage: 'file',
        num_replicas: 1,
        max_msgs: 10,
        max_msgs_per_subject: 100_000,
        max_age: HOUR,
        description: 'd',
      });
      expect(second.action).toBe('updated');
      expect(second.changes).toEqual(
        expect.arrayContaining([
          { field: 'max_msgs', current: 10, desired: 1_000_000 },
          { field: 'description', current: 'd', desired: '' },
        ]),
      );
      expect(second.changes).toHaveLength(2);
      const info = await main.jsm.streams.info(name);
      expect(info.config.max_msgs).toBe(1_000_000);
      expect(info.config.description ?? '').toBe('');
      expect((await main.streams.ensureStream(name, [`${name}.>`])).action).toBe('unchanged');
    });

    it('refuses a storage change on a stream with messages, naming storage, and leaves it as it was', async () => {
      const name = uniqueName('storage');
      await main.streams.ensureStream(name, [`${name}.>`]);
      await publish(main.nc, `${name}.a`, 4);
      const before = await main.jsm.streams.info(name);

      const { error, requests } = await spy.during(main.nc, () => main.streams.ensureStream(name, [`${name}.>`], { storage: 'memory' }));

      expect(error).toBeInstanceOf(StreamConfigConflictError);
      const conflict = error as StreamConfigConflictError;
      expect(conflict.stream).toBe(name);
      expect(conflict.conflicts.map((c) => c.field)).toEqual(['storage']);
      expect(conflict.conflicts[0]).toMatchObject({ current: 'file', desired: 'memory' });
      expect(requests).toEqual([`STREAM.INFO.${name}`]);
      const after = await main.jsm.streams.info(name);
      expect(snapshot(after)).toEqual(snapshot(before));
      expect(after.state.messages).toBe(4);
    });

    it("with onConflict 'migrate' moves every message to a stream with the new storage", async () => {
      const name = uniqueName('migrate');
      await main.streams.ensureStream(name, [`${name}.>`]);
      await publish(main.nc, `${name}.a`, 6);
      await publish(main.nc, `${name}.b`, 4);

      const result = await main.streams.ensureStream(name, [`${name}.>`], { storage: 'memory', onConflict: 'migrate' });

      expect(result.action).toBe('migrated');
      expect(result.changes).toEqual([{ field: 'storage', current: 'file', desired: 'memory' }]);
      const info = await main.jsm.streams.info(name, { subjects_filter: '>' });
      expect(info.config.storage).toBe('memory');
      expect(info.config.sources ?? []).toEqual([]);
      expect(info.state.messages).toBe(10);
      expect(info.state.subjects).toEqual({ [`${name}.a`]: 6, [`${name}.b`]: 4 });
      const names = await main.streams.listStreams();
      expect(names.filter((n) => n.startsWith(name))).toEqual([name]);
      const plain = await main.streams.ensureStream(name, [`${name}.>`], { storage: 'memory' });
      expect(plain.action).toBe('unchanged');
    });

    it("with onConflict 'migrate' keeps every acknowledged publish made while it runs", async () => {
      const name = uniqueName('migratelive');
      await main.streams.ensureStream(name, [`${name}.>`]);
      await publish(main.nc, `${name}.a`, 200);
      const js = main.nc.jetstream();
      let acked = 200;
      let running = true;
      const publisher = (async () => {
        while (running) {
          // During the swap a publish may fail (no stream captures the subject): that is visible to
          // the publisher. What must never happen is an acknowledged message that is then lost.
          await js.publish(`${name}.live`, sc.encode('x'), { timeout: 500 }).then(
            () => acked++,
            () => undefined,
          );
        }
      })();

      const result = await main.streams.ensureStream(name, [`${name}.>`], { storage: 'memory', onConflict: 'migrate' });
      running = false;
      await publisher;

      expect(result.action).toBe('migrated');
      const info = await main.jsm.streams.info(name);
      expect(info.config.storage).toBe('memory');
      expect(info.state.messages).toBe(acked);
    });

    it('refuses to migrate to interest retention (it would drop every message) and leaves the stream as it was', async () => {
      const name = uniqueName('migrateinterest');
      await main.streams.ensureStream(name, [`${name}.>`]);
      await publish(main.nc, `${name}.a`, 5);
      const before = await main.jsm.streams.info(name);

      const error = await main.streams
        .ensureStream(name, [`${name}.>`], { storage: 'memory', retention: 'interest', onConflict: 'migrate' })
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(StreamMigrationError);
      expect((error as StreamMigrationError).holdingStream).toBe(name);
      const after = await main.jsm.streams.info(name);
      expect(snapshot(after)).toEqual(snapshot(before));
    });

    it('re-creates a stream deleted behind its back once a fresh read or a monitor tick has seen it gone', async () => {
      const viaExists = uniqueName('goneexists');
      const viaMonitor = uniqueName('gonemonitor');
      await main.streams.ensureStream(viaExists, [`${viaExists}.>`]);
      await main.streams.ensureStream(viaMonitor, [`${viaMonitor}.>`]);
      await main.jsm.streams.delete(viaExists);
      await main.jsm.streams.delete(viaMonitor);

      expect(await main.streams.streamExists(viaExists)).toBe(false);
      await main.app.get(StreamMonitor).read(0);

      expect((await main.streams.ensureStream(viaExists, [`${viaExists}.>`])).action).toBe('created');
      expect((await main.streams.ensureStream(viaMonitor, [`${viaMonitor}.>`])).action).toBe('created');
    });

    it("with onConflict 'recreate' but no allowDataLoss rejects before any request", async () => {
      const name = uniqueName('recreate');
      await main.streams.ensureStream(name, [`${name}.>`]);
      await publish(main.nc, `${name}.a`, 2);

      const { error, requests } = await spy.during(main.nc, () =>
        main.streams.ensureStream(name, [`${name}.>`], { storage: 'memory', onConflict: 'recreate' }),
      );

      expect(error).toBeInstanceOf(InvalidStreamConfigError);
      expect((error as InvalidStreamConfigError).field).toBe('onConflict');
      expect(requests).toEqual([]);
      expect((await main.jsm.streams.info(name)).state.messages).toBe(2);
    });

    it("with onConflict 'recreate' and allowDataLoss recreates the stream empty under the new config", async () => {
      const name = uniqueName('recreated');
      await main.streams.ensureStream(name, [`${name}.>`]);
      await publish(main.nc, `${name}.a`, 2);

      const result = await main.streams.ensureStream(name, [`${name}.>`], {
        storage: 'memory',
        onConflict: 'recreate',
        allowDataLoss: true,
      });

      expect(result.action).toBe('recreated');
      const info = await main.jsm.streams.info(name);
      expect(info.config.storage).toBe('memory');
      expect(info.state.messages).toBe(0);
    });

    it('changes retention limits -> interest in place on 2.10+ only with allowDataLoss (it deletes every unconsumed message), and reports a conflict on 2.9', async () => {
      const name = uniqueName('retention');
      await main.streams.ensureStream(name, [`${name}.>`]);
      await publish(main.nc, `${name}.a`, 3);

      const attempt = main.streams.ensureStream(name, [`${name}.>`], { retention: 'interest' });

      if (atLeast210()) {
        expect(await attempt.catch((e: unknown) => e)).toBeInstanceOf(StreamDataLossError);
        expect((await main.jsm.streams.info(name)).state.messages).toBe(3);
        const result = await main.streams.ensureStream(name, [`${name}.>`], { retention: 'interest', allowDataLoss: true });
        expect(result.action).toBe('updated');
        expect(result.changes).toEqual([{ field: 'retention', current: 'limits', desired: 'interest' }]);
        // 2.11+ deletes them at once; 2.10 keeps them until a consumer of the stream is deleted:
        // `removed` is what went at once.
        const atOnce = version.localeCompare('2.11', undefined, { numeric: true }) >= 0;
        expect(result.removed).toEqual({ messages: atOnce ? 3 : 0, bytes: atOnce ? expect.any(Number) : 0 });
        expect(result.dataLoss).toMatchObject({ messages: 3 });
        expect((await main.jsm.streams.info(name)).config.retention).toBe('interest');
      } else {
        const error = await attempt.catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StreamConfigConflictError);
        expect((error as StreamConfigConflictError).conflicts.map((c) => c.field)).toEqual(['retention']);
        const info = await main.jsm.streams.info(name);
        expect(info.config.retention).toBe('limits');
        expect(info.state.messages).toBe(3);
      }
    });

    it('reports an overlap with an existing stream on the server, naming that stream', async () => {
      const owner = uniqueName('owner');
      const intruder = uniqueName('intruder');
      await main.streams.ensureStream(owner, [`${owner}.>`]);

      const error = await main.streams.ensureStream(intruder, [`${owner}.x`]).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(InvalidStreamConfigError);
      expect(error).toMatchObject({ field: 'subjects', otherStream: owner, errCode: 10065 });
      expect(await main.streams.streamExists(intruder)).toBe(false);
    });
  });

  describe('planStream', () => {
    it('shows the same diff as ensure would, and writes nothing', async () => {
      const name = uniqueName('plan');
      await main.streams.ensureStream(name, [`${name}.>`]);
      await publish(main.nc, `${name}.a`, 3);
      const before = await main.jsm.streams.info(name);

      const { result: plan, requests } = await spy.during(main.nc, () =>
        main.streams.planStream(name, [`${name}.>`], { max_age: '2h', storage: 'memory' }),
      );

      expect(plan?.action).toBe('conflict');
      expect(plan?.changes).toEqual([
        { field: 'storage', current: 'file', desired: 'memory' },
        { field: 'max_age', current: HOUR, desired: 2 * HOUR },
      ]);
      expect(plan?.conflicts.map((c) => c.field)).toEqual(['storage']);
      expect(plan?.error).toBeInstanceOf(StreamConfigConflictError);
      expect(requests.length).toBeGreaterThan(0);
      expect(requests.filter((r) => /^STREAM\.(CREATE|UPDATE|DELETE|PURGE)/.test(r))).toEqual([]);
      expect(snapshot(await main.jsm.streams.info(name))).toEqual(snapshot(before));

      const updatePlan = await main.streams.planStream(name, [`${name}.>`], { max_age: '2h' });
      const ensured = await main.streams.ensureStream(name, [`${name}.>`], { max_age: '2h' });
      expect(updatePlan.action).toBe('update');
      expect(ensured.changes).toEqual(updatePlan.changes);
    });

    it('plans a create for a missing stream without creating it', async () => {
      const name = uniqueName('planned');
      const plan = await main.streams.planStream(name, [`${name}.>`]);
      expect(plan.action).toBe('create');
      expect(await main.streams.streamExists(name)).toBe(false);
    });
  });

  describe('ensureStreams on a set that already matches', () => {
    it('reads their state with one list request per page and writes nothing', async () => {
      const prefix = uniqueName('matched');
      const declarations = Array.from({ length: 20 }, (_, i) => ({
        name: `${prefix}_${i}`,
        subjects: [`${prefix}.${i}.>`],
        max_age: '30m',
        max_msgs: 100 + i,
      }));
      const first = await main.streams.ensureStreams(declarations);
      const total = (await main.jsm.getAccountInfo()).streams;

      const { result, requests } = await spy.during(main.nc, () => main.streams.ensureStreams(declarations));

      expect(first.map((r) => r.action)).toEqual(Array(20).fill('created'));
      expect(result?.map((r) => r.action)).toEqual(Array(20).fill('unchanged'));
      // The server's STREAM.LIST page holds 256 streams.
      expect(requests).toEqual(Array(Math.ceil(total / 256)).fill('STREAM.LIST'));
    });
  });

  describe('getStreamInfo cache', () => {
    it('answers a second read from the cache, coalesces concurrent reads, drops the entry on a write, and asks with fresh', async () => {
      const name = uniqueName('cached');
      // The server's advisory of a creation made outside the library drops the stream's cache
      // entry when it arrives (on the connection that follows advisories): wait for it first.
      const advised = firstValueFrom(main.app.get(StreamEvents).events$.pipe(filter((e) => e.stream === name && e.type === 'created')));
      await main.jsm.streams.add({ name, subjects: [`${name}.>`] });
      await advised;
      await publish(main.nc, `${name}.a`, 2);

      const concurrent = await spy.during(main.nc, () => Promise.all(Array.from({ length: 5 }, () => main.streams.getStreamInfo(name))));
      const second = await spy.during(main.nc, () => main.streams.getStreamInfo(name));
      await publish(main.nc, `${name}.a`, 1);
      const stale = await main.streams.getStreamInfo(name);
      const fresh = await spy.during(main.nc, () => main.streams.getStreamInfo(name, { fresh: true }));
      const purged = await main.streams.purgeStream(name, {});
      const afterWrite = await spy.during(main.nc, () => main.streams.getStreamInfo(name));

      expect(concurrent.requests).toEqual([`STREAM.INFO.${name}`]);
      expect(concurrent.result?.every((info) => info.state.messages === 2)).toBe(true);
      expect(second.requests).toEqual([]);
      expect(second.result?.state.messages).toBe(2);
      expect(stale.state.messages).toBe(2);
      expect(fresh.requests).toEqual([`STREAM.INFO.${name}`]);
      expect(fresh.result?.state.messages).toBe(3);
      expect(purged.purged).toBe(3);
      expect(afterWrite.requests).toEqual([`STREAM.INFO.${name}`]);
      expect(afterWrite.result?.state.messages).toBe(0);
    });

    it('replaces the entry with the server answer after an ensure, and forgets it after a delete', async () => {
      const name = uniqueName('cachewrite');
      await main.streams.ensureStream(name, [`${name}.>`], { max_age: '1h' });
      await main.streams.getStreamInfo(name);
      await main.streams.ensureStream(name, [`${name}.>`], { max_age: '3h' });

      const read = await spy.during(main.nc, () => main.streams.getStreamInfo(name));
      await main.streams.deleteStream(name);
      const gone = await main.streams.getStreamInfo(name).catch((e: unknown) => e);

      expect(read.result?.config.max_age).toBe(3 * HOUR);
      expect(gone).toBeInstanceOf(StreamNotFoundError);
    });
  });

  describe('purgeStream', () => {
    async function filled(): Promise<string> {
      const name = uniqueName('purge');
      await main.streams.ensureStream(name, [`${name}.>`]);
      await publish(main.nc, `${name}.a`, 3);
      await publish(main.nc, `${name}.b`, 4);
      return name;
    }

    it('by subject removes only that subject', async () => {
      const name = await filled();
      const { purged } = await main.streams.purgeStream(name, `${name}.a`);
      const info = await main.jsm.streams.info(name, { subjects_filter: '>' });
      expect(purged).toBe(3);
      expect(info.state.subjects).toEqual({ [`${name}.b`]: 4 });
    });

    it('with keep keeps the newest N', async () => {
      const name = await filled();
      const { purged } = await main.streams.purgeStream(name, { keep: 2 });
      const info = await main.jsm.streams.info(name, { subjects_filter: '>' });
      expect(purged).toBe(5);
      expect(info.state).toMatchObject({ messages: 2, first_seq: 6, last_seq: 7 });
      expect(info.state.subjects).toEqual({ [`${name}.b`]: 2 });
    });

    it('with filter and keep keeps the newest N of that subject', async () => {
      const name = await filled();
      const { purged } = await main.streams.purgeStream(name, { filter: `${name}.b`, keep: 1 });
      const info = await main.jsm.streams.info(name, { subjects_filter: '>' });
      expect(purged).toBe(3);
      expect(info.state.subjects).toEqual({ [`${name}.a`]: 3, [`${name}.b`]: 1 });
      const last = await main.jsm.streams.getMessage(name, { last_by_subj: `${name}.b` });
      expect(sc.decode(last.data)).toBe(`${name}.b#3`);
    });

    it('with {} removes every message', async () => {
      const name = await filled();
      const { purged } = await main.streams.purgeStream(name, {});
      expect(purged).toBe(7);
      expect((await main.jsm.streams.info(name)).state.messages).toBe(0);
    });

    it('of a missing stream rejects with StreamNotFoundError', async () => {
      const error = await main.streams.purgeStream(uniqueName('nostream'), {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StreamNotFoundError);
    });
  });

  describe('deleteStream and deleteStreams', () => {
    it('deleteStream answers true, then false', async () => {
      const name = uniqueName('delete');
      await main.streams.ensureStream(name, [`${name}.>`]);
      expect(await main.streams.deleteStream(name)).toBe(true);
      expect(await main.streams.deleteStream(name)).toBe(false);
      expect(await main.streams.streamExists(name)).toBe(false);
    });

    it('deleteStreams gives every name its result, and deletes nothing when one name is invalid', async () => {
      const a = uniqueName('bdel');
      const b = uniqueName('bdel');
      await main.streams.ensureStream(a, [`${a}.>`]);
      await main.streams.ensureStream(b, [`${b}.>`]);

      const ok = await main.streams.deleteStreams([a, uniqueName('missing')]);
      const refused = await spy.during(main.nc, () => main.streams.deleteStreams([b, 'bad.name', '']));

      expect(ok.map((r) => r.action)).toEqual(['deleted', 'not-found']);
      expect(refused.error).toMatchObject({ name: 'InvalidArgumentError', argument: 'names[1]' });
      expect(refused.requests).toEqual([]);
      expect(await main.streams.streamExists(b)).toBe(true);
    });
  });

  describe('streamExists and listStreams', () => {
    it('streamExists answers false for a missing stream and true for an existing one', async () => {
      const name = uniqueName('exists');
      expect(await main.streams.streamExists(name)).toBe(false);
      await main.jsm.streams.add({ name, subjects: [`${name}.>`] });
      expect(await main.streams.streamExists(name)).toBe(true);
    });

    it('listStreams with a subject names only the streams capturing it', async () => {
      const a = uniqueName('lista');
      const b = uniqueName('listb');
      await main.streams.ensureStream(a, [`${a}.>`]);
      await main.streams.ensureStream(b, [`${b}.x`]);
      expect(await main.streams.listStreams({ subject: `${b}.*` })).toEqual([b]);
      expect(await main.streams.listStreams()).toEqual(expect.arrayContaining([a, b]));
    });
  });

  describe('bad input', () => {
    const valid = (): string => uniqueName('valid');
    type Case = [string, (s: StreamService) => Promise<unknown>, string];
    const cases: Case[] = [
      ['empty stream name', (s) => s.ensureStream('', ['x.y']), 'name'],
      ['stream name with a space', (s) => s.ensureStream('my stream', ['x.y']), 'name'],
      ['stream name with a dot', (s) => s.ensureStream('my.stream', ['x.y']), 'name'],
      ['stream name with a wildcard', (s) => s.ensureStream('orders*', ['x.y']), 'name'],
      ['stream name with a path separator', (s) => s.ensureStream('a/b', ['x.y']), 'name'],
      ['subject with an empty token', (s) => s.ensureStream(valid(), ['orders..new']), 'subjects'],
      ['subject with > not last', (s) => s.ensureStream(valid(), ['orders.>.new']), 'subjects'],
      ['subject with a partial-token wildcard', (s) => s.ensureStream(valid(), ['orders.ne*']), 'subjects'],
      ['overlapping subjects in one declaration', (s) => s.ensureStream(valid(), ['orders.>', 'orders.new']), 'subjects'],
      ['a duplicate subject', (s) => s.ensureStream(valid(), ['orders.new', 'orders.new']), 'subjects'],
      ['subjects not an array', (s) => s.ensureStream(valid(), 'orders.new' as never), 'subjects'],
      ['a negative limit', (s) => s.ensureStream(valid(), ['neg.x'], { max_msgs: -5 }), 'max_msgs'],
      ['a duration in nanoseconds', (s) => s.ensureStream(valid(), ['ns.x'], { max_age: 3_600_000_000_000 }), 'max_age'],
      ['a duration without a unit word', (s) => s.ensureStream(valid(), ['dur.x'], { max_age: '1 hour' }), 'max_age'],
      [
        'duplicate_window longer than max_age',
        (s) => s.ensureStream(valid(), ['dw.x'], { max_age: '1m', duplicate_window: '2m' }),
        'duplicate_window',
      ],
      ['replicas 3 on a single server', (s) => s.ensureStream(valid(), ['r.x'], { num_replicas: 3 }), 'num_replicas'],
      ['an unknown retention', (s) => s.ensureStream(valid(), ['ret.x'], { retention: 'forever' as never }), 'retention'],
      ['an unknown storage', (s) => s.ensureStream(valid(), ['st.x'], { storage: 'disk' as never }), 'storage'],
      ['a misspelt field', (s) => s.ensureStream(valid(), ['mis.x'], { maxAge: '1h' } as never), 'maxAge'],
      ['recreate without allowDataLoss', (s) => s.ensureStream(valid(), ['rc.x'], { onConflict: 'recreate' }), 'onConflict'],
      ['planStream with replicas 3', (s) => s.planStream(valid(), ['pr.x'], { num_replicas: 3 }), 'num_replicas'],
      ['getStreamInfo of a bad name', (s) => s.getStreamInfo('a.b'), 'name'],
      ['deleteStream of a wildcard', (s) => s.deleteStream('*'), 'name'],
      ['purgeStream with seq and keep', (s) => s.purgeStream('orders', { seq: 2, keep: 1 }), 'purge'],
      ['purgeStream with a negative keep', (s) => s.purgeStream('orders', { keep: -1 }), 'keep'],
      ['purgeStream of a bad subject', (s) => s.purgeStream('orders', 'orders..x'), 'subjects'],
      ['purgeStream of a bad name', (s) => s.purgeStream('a b', {}), 'name'],
      ['listStreams with a bad subject', (s) => s.listStreams({ subject: 'a.>.b' }), 'subjects'],
    ];

    it.each(cases)('rejects %s with a typed error before any request', async (_label, act, field) => {
      const { error, requests } = await spy.during(main.nc, () => act(main.streams));

      expect(error).toBeInstanceOf(InvalidStreamConfigError);
      expect((error as InvalidStreamConfigError).field).toBe(field);
      expect(requests).toEqual([]);
    });

    type BatchCase = [string, (s: StreamService) => Promise<unknown>, string[]];
    const batchCases: BatchCase[] = [
      [
        'ensureStreams with only invalid declarations',
        (s) =>
          s.ensureStreams([
            { name: 'bad name', subjects: ['b.x'] },
            { name: valid(), subjects: ['b.y'], num_replicas: 3 },
          ]),
        ['name', 'num_replicas'],
      ],
      [
        'ensureStreams with the same name twice',
        (s) => {
          const n = valid();
          return s
            .ensureStreams([
              { name: n, subjects: ['t.x'] },
              { name: n, subjects: ['t.y'] },
            ])
            .then(() => undefined);
        },
        ['name'],
      ],
    ];

    it.each(batchCases)('rejects %s with StreamBatchError before any request', async (_label, act, fields) => {
      const { error, requests } = await spy.during(main.nc, () => act(main.streams));

      expect(error).toBeInstanceOf(StreamBatchError);
      const failures = (error as StreamBatchError).failures;
      expect(failures.map((f) => (f.error as InvalidStreamConfigError).field)).toEqual(fields);
      expect(failures.every((f) => f.error instanceof InvalidStreamConfigError)).toBe(true);
      // The same-name case writes the first declaration; everything else sends nothing.
      expect(requests.filter((r) => !r.startsWith('STREAM.LIST') && !r.startsWith('STREAM.CREATE'))).toEqual([]);
      if (fields.length !== 1) expect(requests).toEqual([]);
    });
  });

  it('every error the service throws is a StreamsError with a name', async () => {
    const error = await main.streams.getStreamInfo(uniqueName('missing')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamsError);
    expect((error as Error).name).toBe('StreamNotFoundError');
    expect((error as StreamNotFoundError).errCode).toBe(10059);
  });
});

describe('StreamService when the server is gone', () => {
  let server: NatsTestServer | undefined;
  let app: INestApplicationContext | undefined;

  afterEach(async () => {
    await app?.close();
    await server?.dispose();
    app = undefined;
    server = undefined;
  });

  it('streamExists throws instead of answering false', async () => {
    server = await startNatsServer();
    const booted = await boot(server.url, {
      requestTimeoutMs: 300,
      operationTimeoutMs: 1_000,
      drainTimeoutMs: 200,
      connection: { servers: server.url, reconnectTimeWait: 100 },
    });
    app = booted.app;
    const name = uniqueName('gone');
    await booted.streams.ensureStream(name, [`${name}.>`]);
    expect(await booted.streams.streamExists(name)).toBe(true);
    expect(await booted.streams.streamExists(uniqueName('missing'))).toBe(false);

    await server.stop('SIGKILL');
    const existing = await booted.streams.streamExists(name).catch((e: unknown) => e);
    const missing = await booted.streams.streamExists(uniqueName('missing')).catch((e: unknown) => e);

    // A call on its way when the server went is retried, then fails; one made once the connection
    // knows it is down fails at once, nothing sent.
    for (const error of [existing, missing]) {
      expect(error instanceof JetStreamApiError || error instanceof NatsNotConnectedError).toBe(true);
    }
    expect(missing).toBeInstanceOf(NatsNotConnectedError);
    if (existing instanceof JetStreamApiError) expect(existing.code).toMatch(/TIMEOUT|DISCONNECT|503|CONNECTION_CLOSED/);
  });

  it('forgets cached stream info on reconnect', async () => {
    server = await startNatsServer();
    const booted = await boot(server.url, { connection: { servers: server.url, reconnectTimeWait: 100 }, drainTimeoutMs: 200 });
    app = booted.app;
    const name = uniqueName('reconnect');
    await booted.streams.ensureStream(name, [`${name}.>`]);
    await booted.streams.getStreamInfo(name);
    const reconnected = new Promise<void>((resolve) => {
      const sub = app!.get(ConnectionService).status$.subscribe((s) => {
        if (s.type === 'reconnected') {
          resolve();
          setImmediate(() => sub.unsubscribe());
        }
      });
    });

    await server.restart();
    await reconnected;
    const other = await connect({ servers: server.url });
    await (await other.jetstreamManager()).streams.delete(name);
    await other.close();
    const read = await booted.streams.getStreamInfo(name).catch((e: unknown) => e);

    expect(read).toBeInstanceOf(StreamNotFoundError);
  });
});
