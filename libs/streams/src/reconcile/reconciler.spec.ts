import { ApiReplyError } from '../errors/api-reply.error.js';
import { StreamConfigConflictError } from '../errors/stream-config-conflict.error.js';
import { StreamDataLossError } from '../errors/stream-data-loss.error.js';
import { StreamDriftError } from '../errors/stream-drift.error.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import { toStreamsError } from '../errors/to-streams-error.js';
import type { ConnectionService } from '../connection/connection.service.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import type { CreatedStreamInfo, StreamRequestConfig } from '../jetstream/api-types.js';
import type { JetStreamApi } from '../jetstream/jetstream-api.js';
import { resolveOptions } from '../resolve-options.js';
import { ConsumerReconciler } from './consumer-reconciler.js';
import { LossGuard } from './loss-guard.js';
import { Reconciler } from './reconciler.js';
import { StreamMigrator } from '../migration/stream-migrator.js';
import { StreamPlanner } from './stream-planner.js';
import { ServerVersion } from '../server/server-version.js';
import { normalizeStreamConfig } from '../declaration/stream-config.js';
import type { StreamDeclaration } from '../declaration/stream-declaration.js';
import { StreamInfoCache } from './stream-info-cache.js';
import { StreamWriter } from './stream-writer.js';

/**
 * A JetStream of the adapter's shape, in memory: streams hold a message count, and a write that
 * lowers max_msgs below it deletes the oldest, as the server does. `calls` records every request.
 */
class FakeJetStream {
  readonly streams = new Map<string, ServerStreamInfo>();
  readonly calls: string[] = [];
  /** Errors the next creates of a stream fail with (a race with another instance). */
  readonly createFailures: ApiReplyError[] = [];

  hold(config: StreamRequestConfig, messages: number): void {
    this.streams.set(config.name, info(config, messages));
  }

  async streamInfo(name: string): Promise<ServerStreamInfo> {
    this.calls.push(`INFO ${name}`);
    const found = this.streams.get(name);
    if (!found)
      throw toStreamsError(
        new ApiReplyError(`STREAM.INFO.${name}`, { code: 404, err_code: 10059, description: 'stream not found' }),
        'test',
        name,
      );
    return structuredClone(found);
  }

  async listStreams(): Promise<ServerStreamInfo[]> {
    this.calls.push('LIST');
    return [...this.streams.values()].map((s) => structuredClone(s));
  }

  async createStream(config: StreamRequestConfig): Promise<CreatedStreamInfo> {
    this.calls.push(`CREATE ${config.name}`);
    const failure = this.createFailures.shift();
    if (failure) throw toStreamsError(failure, 'test', config.name);
    this.hold(config, 0);
    return structuredClone(this.streams.get(config.name) as ServerStreamInfo);
  }

  async updateStream(config: StreamRequestConfig): Promise<ServerStreamInfo> {
    this.calls.push(`UPDATE ${config.name}`);
    const before = this.streams.get(config.name) as ServerStreamInfo;
    const limit = config.max_msgs ?? -1;
    const kept = limit > 0 ? Math.min(limit, before.state.messages) : before.state.messages;
    this.hold(config, kept);
    return structuredClone(this.streams.get(config.name) as ServerStreamInfo);
  }

  async deleteStream(name: string): Promise<void> {
    this.calls.push(`DELETE ${name}`);
    this.streams.delete(name);
  }

  async accountInfo(): Promise<never> {
    throw new Error('no account limits in this fake');
  }

  async createConsumer(): Promise<never> {
    throw new Error('no consumers in this fake');
  }

  async deleteConsumer(): Promise<void> {}

  writes(): string[] {
    return this.calls.filter((c) => /^(CREATE|UPDATE|DELETE)/.test(c));
  }
}

function info(config: StreamRequestConfig, messages: number): ServerStreamInfo {
  const full = {
    retention: 'limits',
    storage: 'file',
    num_replicas: 1,
    max_msgs: -1,
    max_bytes: -1,
    max_age: 0,
    max_msgs_per_subject: -1,
    subjects: [],
    ...config,
  };
  return {
    config: full,
    state: {
      messages,
      bytes: messages * 100,
      first_seq: 1,
      last_seq: messages,
      first_ts: new Date().toISOString(),
      last_ts: new Date().toISOString(),
      consumer_count: 0,
    },
    created: new Date().toISOString(),
  } as unknown as ServerStreamInfo;
}

const version = ServerVersion.parse('2.10.0');
const options = resolveOptions({ connection: { servers: 'nats://127.0.0.1:4222' }, concurrency: 2 });
const caller = { operation: 'test' };

function setup(): { fake: FakeJetStream; reconciler: Reconciler; planner: StreamPlanner } {
  const fake = new FakeJetStream();
  const connection = { name: 'default', serverFacts: () => ({ version, clustered: false }) } as unknown as ConnectionService;
  const cache = new StreamInfoCache(60_000);
  const api = fake as unknown as JetStreamApi;
  const writer = new StreamWriter(api, cache, connection);
  const consumers = new ConsumerReconciler(options, api, connection);
  const guard = new LossGuard(options, api, connection);
  const migrator = new StreamMigrator(options, api, connection);
  const reconciler = new Reconciler(options, api, writer, cache, connection, consumers, guard, migrator);
  return { fake, reconciler, planner: new StreamPlanner(options, api, reconciler, guard, consumers, migrator) };
}

const desired = (declaration: Partial<StreamDeclaration> & { name: string }) =>
  normalizeStreamConfig({ subjects: [`${declaration.name}.>`], ...declaration } as StreamDeclaration);

describe('Reconciler (against a fake of the adapter)', () => {
  it('creates a missing stream, then finds it unchanged without writing', async () => {
    const { fake, reconciler } = setup();

    const created = await reconciler.ensure(desired({ name: 'orders' }), caller);
    fake.calls.length = 0;
    const again = await reconciler.ensure(desired({ name: 'orders' }), caller);

    expect(created.action).toBe('created');
    expect(again.action).toBe('unchanged');
    expect(fake.writes()).toEqual([]);
  });

  it('updates a changed field in place', async () => {
    const { fake, reconciler } = setup();
    await reconciler.ensure(desired({ name: 'orders' }), caller);

    const updated = await reconciler.ensure(desired({ name: 'orders', max_age: '2h' }), caller);

    expect(updated).toMatchObject({ action: 'updated', changes: [{ field: 'max_age' }] });
    expect(fake.writes()).toEqual(['CREATE orders', 'UPDATE orders']);
  });

  it('refuses a change the server cannot make in place, writing nothing', async () => {
    const { fake, reconciler } = setup();
    await reconciler.ensure(desired({ name: 'orders' }), caller);

    const error = await reconciler.ensure(desired({ name: 'orders', storage: 'memory' }), caller).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StreamConfigConflictError);
    expect(fake.writes()).toEqual(['CREATE orders']);
  });

  it('refuses an update that would delete messages, and applies it with allowDataLoss reporting what went', async () => {
    const { fake, reconciler } = setup();
    fake.hold(desired({ name: 'orders' }).config, 40);

    const refused = await reconciler.ensure(desired({ name: 'orders', max_msgs: 10 }), caller).catch((e: unknown) => e);
    const writesAfterRefusal = fake.writes();
    const allowed = await reconciler.ensure(desired({ name: 'orders', max_msgs: 10, allowDataLoss: true }), caller);

    expect(refused).toBeInstanceOf(StreamDataLossError);
    expect((refused as StreamDataLossError).loss).toMatchObject({ messages: 30, bytes: 3_000 });
    expect(writesAfterRefusal).toEqual([]);
    expect(allowed).toMatchObject({ action: 'updated', removed: { messages: 30, bytes: 3_000 } });
  });

  it("never creates nor updates a 'verify' stream, and only reports drift of a 'create' one", async () => {
    const { fake, reconciler } = setup();
    fake.hold(desired({ name: 'kept' }).config, 0);

    const missing = await reconciler.ensure(desired({ name: 'absent', mode: 'verify' }), caller).catch((e: unknown) => e);
    const drifted = await reconciler.ensure(desired({ name: 'kept', mode: 'verify', max_msgs: 5 }), caller).catch((e: unknown) => e);
    const reported = await reconciler.ensure(desired({ name: 'kept', mode: 'create', max_msgs: 5 }), caller);

    expect(missing).toBeInstanceOf(StreamNotFoundError);
    expect(drifted).toBeInstanceOf(StreamDriftError);
    expect(reported).toMatchObject({ action: 'drifted', changes: [{ field: 'max_msgs' }] });
    expect(fake.writes()).toEqual([]);
  });

  it('reads again and reconciles when a create loses the race to another instance', async () => {
    const { fake, reconciler } = setup();
    fake.createFailures.push(
      new ApiReplyError('STREAM.CREATE.orders', { code: 400, err_code: 10058, description: 'stream name already in use' }),
    );
    const original = fake.createStream.bind(fake);
    // The other instance's stream appears as the create fails.
    fake.createStream = async (config) => {
      const result = original(config).catch((err: unknown) => {
        fake.hold(desired({ name: 'orders' }).config, 0);
        throw err;
      });
      return result;
    };

    const result = await reconciler.ensure(desired({ name: 'orders' }), caller);

    expect(result.action).toBe('unchanged');
    expect(fake.calls.filter((c) => c === 'INFO orders')).toHaveLength(2);
  });

  it("reconciles a 2.9 'subjects overlap' answer into the conflict it is when the overlapping stream is the same one", async () => {
    const { fake, reconciler } = setup();
    fake.createFailures.push(
      new ApiReplyError('STREAM.CREATE.orders', { code: 400, err_code: 10065, description: 'subjects overlap with an existing stream' }),
    );
    const original = fake.createStream.bind(fake);
    fake.createStream = async (config) =>
      original(config).catch((err: unknown) => {
        fake.hold(desired({ name: 'orders', storage: 'memory' }).config, 0); // the other instance's stream
        throw err;
      });

    const error = await reconciler.ensure(desired({ name: 'orders' }), caller).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StreamConfigConflictError);
    expect((error as StreamConfigConflictError).conflicts.map((c) => c.field)).toEqual(['storage']);
  });

  it('ensures many streams with one list, writing only those that differ', async () => {
    const { fake, reconciler } = setup();
    fake.hold(desired({ name: 'same' }).config, 0);
    fake.hold(desired({ name: 'old', max_msgs: 5 }).config, 0);

    const results = await reconciler.ensureAll(
      [desired({ name: 'same' }), desired({ name: 'old' }), desired({ name: 'new' }), new Error('invalid')],
      ['same', 'old', 'new', 'bad'],
      caller,
    );

    expect(results.map((r) => r.action)).toEqual(['unchanged', 'updated', 'created', 'failed']);
    expect(fake.calls.filter((c) => c === 'LIST')).toHaveLength(1);
    expect(fake.writes().sort()).toEqual(['CREATE new', 'UPDATE old']);
  });

  it('plans without writing: data-loss, drift and the verify errors are reported as actions', async () => {
    const { fake, planner } = setup();
    fake.hold(desired({ name: 'full' }).config, 40);

    const plans = await planner.planAll(
      [desired({ name: 'full', max_msgs: 10 }), desired({ name: 'full2', mode: 'verify' }), desired({ name: 'fresh' })],
      ['full', 'full2', 'fresh'],
      caller,
    );

    expect(plans.map((p) => p.action)).toEqual(['data-loss', 'missing', 'create']);
    expect(plans[0].dataLoss?.messages).toBe(30);
    expect(fake.writes()).toEqual([]);
  });
});
