import { Module } from '@nestjs/common';
import { InvalidStreamConfigError, StreamDataLossError, StreamMonitor, StreamService, StreamsModule } from '@app/streams';
import { StreamsHealthIndicator } from '@app/streams/health';
import { nanos, StringCodec } from 'nats';
import { uniqueName, useStreamsFixture } from './support/streams-fixture.js';
import { startStreamsApp } from './support/streams-app.js';
import { waitFor } from './support/wait.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../libs/streams/src/cli/run-cli.js';

const sc = StringCodec();
const SECOND = 1e9;
const writes = (requests: string[]): string[] => requests.filter((r) => /^STREAM\.(CREATE|UPDATE|DELETE|PURGE)\./.test(r));

describe('object stores declared as streams, against a real nats-server', () => {
  // Module defaults that would change a store if they applied to it: they must not.
  const fx = useStreamsFixture({ cacheTtlMs: 0, streamDefaults: { max_msgs: 10, deny_delete: true, max_age: '5m' } });

  it('creates a store the client binds to with a single read, and puts and gets through it', async () => {
    const bucket = uniqueName('invoices');

    const created = await fx.streams.ensureObjectStore(bucket, { ttl: '1h', max_bytes: 1024 * 1024, description: 'invoices' });
    const bound = await fx.spy.during(fx.raw, () => fx.raw.jetstream().views.os(bucket));
    const os = bound.result!;
    await os.putBlob({ name: 'a.txt' }, sc.encode('first'));
    await os.putBlob({ name: 'a.txt' }, sc.encode('second'));

    expect(created).toMatchObject({ name: `OBJ_${bucket}`, action: 'created', changes: [] });
    expect(created.info.config).toMatchObject({
      subjects: [`$O.${bucket}.C.>`, `$O.${bucket}.M.>`],
      description: 'invoices',
      retention: 'limits',
      max_msgs_per_subject: -1,
      max_msgs: -1,
      max_bytes: 1024 * 1024,
      max_age: 3_600 * SECOND,
      max_msg_size: -1,
      discard: 'new',
      allow_rollup_hdrs: true,
      allow_direct: true,
      deny_delete: false,
      duplicate_window: 120 * SECOND,
      storage: 'file',
      num_replicas: 1,
    });
    // The client's own $JS.API.INFO aside, it only reads the stream: it found it and made nothing.
    expect(bound.requests.filter((r) => r !== 'INFO')).toEqual([`STREAM.INFO.OBJ_${bucket}`]);
    expect(sc.decode((await os.getBlob('a.txt'))!)).toBe('second');
    expect((await os.status()).ttl).toBe(3_600 * SECOND);
  });

  it('reads a store the client made with the same settings as unchanged, writing nothing', async () => {
    const bucket = uniqueName('clientmade');
    const plain = uniqueName('plain');
    const modern = fx.modern ? { metadata: { team: 'billing' }, compression: true } : {};
    await fx.raw
      .jetstream()
      .views.os(bucket, { ttl: nanos(86_400_000), max_bytes: 1_048_576, description: 'made by the client', ...modern });
    await fx.raw.jetstream().views.os(plain);

    const same = await fx.spy.during(fx.nc, () =>
      fx.streams.ensureObjectStore(bucket, { ttl: '1d', max_bytes: 1_048_576, description: 'made by the client', ...modern }),
    );
    const defaults = await fx.spy.during(fx.nc, () => fx.streams.ensureObjectStore(plain));
    const plan = await fx.streams.planObjectStore(bucket, {
      ttl: 86_400_000,
      max_bytes: 1_048_576,
      description: 'made by the client',
      ...modern,
    });
    const changed = await fx.streams.planObjectStore(plain, { ttl: '1d' });

    expect(same.result).toMatchObject({ name: `OBJ_${bucket}`, action: 'unchanged', changes: [] });
    expect(writes(same.requests)).toEqual([]);
    expect(defaults.result).toMatchObject({ action: 'unchanged', changes: [] });
    expect(writes(defaults.requests)).toEqual([]);
    expect(plan).toMatchObject({ action: 'unchanged', changes: [], conflicts: [] });
    expect(changed).toMatchObject({ action: 'update', changes: [{ field: 'max_age', current: 0, desired: 86_400 * SECOND }] });
  });

  it('raises max_bytes in place, and refuses a max_bytes or ttl that would delete held chunks', async () => {
    const bucket = uniqueName('loss');
    await fx.streams.ensureObjectStore(bucket, { max_bytes: 64 * 1024 });
    const os = await fx.raw.jetstream().views.os(bucket);
    const put = await os.putBlob({ name: 'report.pdf' }, new Uint8Array(8 * 1024).fill(7));

    const up = await fx.streams.ensureObjectStore(bucket, { max_bytes: 128 * 1024 });
    const bytes = await fx.spy.during(fx.nc, () => fx.streams.ensureObjectStore(bucket, { max_bytes: 1024 }));
    // A ttl of one second deletes the object once it is older than that.
    await waitFor(
      async () => Date.now() - new Date(put.mtime).getTime(),
      (age) => age > 2_000,
      { what: 'the object to be over 2 s old' },
    );
    const ttl = await fx.spy.during(fx.nc, () => fx.streams.ensureObjectStore(bucket, { max_bytes: 128 * 1024, ttl: '1s' }));
    const plan = await fx.streams.planObjectStore(bucket, { max_bytes: 1024 });

    expect(up).toMatchObject({ action: 'updated', changes: [{ field: 'max_bytes', current: 64 * 1024, desired: 128 * 1024 }] });
    expect(bytes.error).toBeInstanceOf(StreamDataLossError);
    expect((bytes.error as StreamDataLossError).loss).toMatchObject({
      bucket,
      fields: [expect.objectContaining({ field: 'max_bytes', current: 128 * 1024, desired: 1024 })],
    });
    expect((bytes.error as Error).message).toMatch(new RegExp(`allowDataLoss: true on bucket "${bucket}"`));
    expect(writes(bytes.requests)).toEqual([]);
    expect(ttl.error).toBeInstanceOf(StreamDataLossError);
    expect((ttl.error as StreamDataLossError).loss.fields).toEqual([expect.objectContaining({ field: 'max_age', declaredAs: 'ttl' })]);
    expect((ttl.error as Error).message).toMatch(/ttl/);
    expect(writes(ttl.requests)).toEqual([]);
    expect(plan).toMatchObject({ action: 'data-loss' });
    const info = await fx.jsm.streams.info(`OBJ_${bucket}`);
    expect(info.config).toMatchObject({ max_bytes: 128 * 1024, max_age: 0 });
    expect((await os.getBlob('report.pdf'))?.length).toBe(8 * 1024);
  });

  it('refuses bad store input before any request, naming the store field', async () => {
    const cases: Array<[string, object, RegExp]> = [
      ['bad.name', {}, /bucket must be a name of letters, digits, '-' and '_', got 'bad\.name'/],
      [uniqueName('o'), { ttl: 'soon' }, /ttl 'soon' is not a duration/],
      [uniqueName('o'), { replicas: 0 }, /replicas must be a whole number from 1 to 5/],
      [uniqueName('o'), { history: 5 }, /history is not an object store config field/],
      [uniqueName('o'), { max_age: '1h' }, /max_age is not an object store config field/],
      [uniqueName('o'), { compression: 's2' }, /compression must be true or false/],
    ];
    for (const [bucket, config, message] of cases) {
      const attempt = await fx.spy.during(fx.nc, () => fx.streams.ensureObjectStore(bucket, config));
      expect(attempt.error).toBeInstanceOf(InvalidStreamConfigError);
      expect((attempt.error as Error).message).toMatch(message);
      expect(attempt.requests).toEqual([]);
    }
  });

  it('declares stores in forRoot and forFeature: created at start-up, on /health and in the monitor like streams', async () => {
    const rootStore = uniqueName('root');
    const featureStore = uniqueName('feature');
    const featureBucket = uniqueName('kv');
    @Module({
      imports: [
        StreamsModule.forFeature({ buckets: [{ bucket: featureBucket }], objectStores: [{ bucket: featureStore, max_bytes: 4096 }] }),
      ],
    })
    class FeatureModule {}
    const booted = await startStreamsApp(
      { connection: { servers: fx.server.url }, objectStores: [{ bucket: rootStore, ttl: '10m', storage: 'memory' }] },
      { logger: false, imports: [FeatureModule] },
    );
    fx.apps.push(booted);

    const declared = booted.get(StreamService).declaredStreams();
    const snapshot = await booted.get(StreamMonitor).read(0);
    const health = await booted.get(StreamsHealthIndicator).isHealthy('streams', { details: 'full' });
    await fx.jsm.streams.update(`OBJ_${rootStore}`, { ...(await fx.jsm.streams.info(`OBJ_${rootStore}`)).config, max_bytes: 2048 });
    const drifted = await booted.get(StreamMonitor).healthCheck(`OBJ_${rootStore}`);

    expect(declared).toEqual([`OBJ_${rootStore}`, `KV_${featureBucket}`, `OBJ_${featureStore}`]);
    expect((await fx.jsm.streams.info(`OBJ_${rootStore}`)).config).toMatchObject({ storage: 'memory', max_age: 600 * SECOND });
    expect((await fx.jsm.streams.info(`OBJ_${featureStore}`)).config.max_bytes).toBe(4096);
    expect(snapshot.streams[`OBJ_${rootStore}`]).toMatchObject({ healthy: true, status: 'up', drift: [] });
    expect(health.streams).toMatchObject({ status: 'up', up: 3, streams: { [`OBJ_${featureStore}`]: { status: 'up' } } });
    expect(drifted).toMatchObject({ healthy: false, reason: 'drifted', drift: [{ field: 'max_bytes', current: 2048, desired: -1 }] });
    const os = await fx.raw.jetstream().views.os(featureStore);
    await os.putBlob({ name: 'x' }, sc.encode('1'));
    expect(sc.decode((await os.getBlob('x'))!)).toBe('1');
  });

  it('is planned by the plan command as OBJ_<bucket>: 1 while missing, 0 once ensured, 1 for a max_bytes below what it holds', async () => {
    const bucket = uniqueName('cli_files');
    const dir = mkdtempSync(join(tmpdir(), 'object-stores-e2e-'));
    const write = (options: object): string => {
      const file = `${uniqueName('decl')}.mjs`;
      writeFileSync(join(dir, file), `export default ${JSON.stringify(options)};\n`);
      return file;
    };
    const plan = async (file: string): Promise<{ code: number; stdout: string }> => {
      let stdout = '';
      const code = await runCli(['plan', file, '-s', fx.server.url], { stdout: (t) => (stdout += t), stderr: () => {}, env: {}, cwd: dir });
      return { code, stdout };
    };
    try {
      const file = write({ objectStores: [{ bucket, max_bytes: 1024 * 1024 }] });

      const missing = await plan(file);
      await fx.streams.ensureObjectStore(bucket, { max_bytes: 1024 * 1024 });
      const ensured = await plan(file);
      const os = await fx.raw.jetstream().views.os(bucket);
      await os.putBlob({ name: 'big' }, new Uint8Array(16 * 1024));
      const lossy = await plan(write({ objectStores: [{ bucket, max_bytes: 1024 }] }));

      expect(missing.code).toBe(1);
      expect(missing.stdout).toMatch(new RegExp(`OBJ_${bucket} +create`));
      expect(ensured.code).toBe(0);
      expect(ensured.stdout).toContain('The 1 declared stream matches.');
      expect(lossy.code).toBe(1);
      expect(lossy.stdout).toMatch(new RegExp(`OBJ_${bucket} +data-loss +max_bytes: 1048576 -> 1024`));
      expect(lossy.stdout).toContain(`to accept the loss, set allowDataLoss: true on bucket "${bucket}"`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
