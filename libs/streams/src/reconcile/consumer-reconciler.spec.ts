import { ApiReplyError } from '../errors/api-reply.error.js';
import { ConsumerConfigConflictError } from '../errors/consumer-config-conflict.error.js';
import { ConsumerDriftError } from '../errors/consumer-drift.error.js';
import { toStreamsError } from '../errors/to-streams-error.js';
import type { ConnectionService } from '../connection/connection.service.js';
import type { ServerConsumerConfig, ServerConsumerInfo } from '../server/server-consumer.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import type { JetStreamApi } from '../jetstream/jetstream-api.js';
import { resolveOptions } from '../resolve-options.js';
import { ServerVersion } from '../server/server-version.js';
import { normalizeStreamConfig } from '../declaration/stream-config.js';
import type { StreamDeclaration } from '../declaration/stream-declaration.js';
import { ConsumerReconciler } from './consumer-reconciler.js';
import type { EnsureResult } from './stream-results.js';

/** The consumer calls, in memory: `calls` records each; `raceOnCreate` makes the next create find one made meanwhile. */
class FakeApi {
  readonly consumers = new Map<string, ServerConsumerConfig>();
  readonly calls: string[] = [];
  raceOnCreate?: ServerConsumerConfig;

  async consumerInfo(stream: string, name: string): Promise<ServerConsumerInfo> {
    this.calls.push(`INFO ${name}`);
    const config = this.consumers.get(name);
    if (!config) {
      throw toStreamsError(
        new ApiReplyError(`CONSUMER.INFO.${stream}.${name}`, { code: 404, err_code: 10014, description: 'consumer not found' }),
        'test',
        stream,
      );
    }
    return { name, stream_name: stream, config: structuredClone(config) } as ServerConsumerInfo;
  }

  async createConsumer(stream: string, config: ServerConsumerConfig, _caller: unknown, action: string): Promise<ServerConsumerInfo> {
    const name = config.durable_name as string;
    this.calls.push(`${action.toUpperCase()} ${name}`);
    if (this.raceOnCreate && action === 'create') {
      this.consumers.set(name, this.raceOnCreate);
      this.raceOnCreate = undefined;
      throw toStreamsError(
        new ApiReplyError(`CONSUMER.CREATE.${stream}.${name}`, { code: 400, err_code: 10148, description: 'consumer already exists' }),
        'test',
        stream,
      );
    }
    this.consumers.set(name, config);
    return { name, stream_name: stream, config } as ServerConsumerInfo;
  }
}

const version = ServerVersion.parse('2.10.0');
const options = resolveOptions({ connection: { servers: 'nats://127.0.0.1:4222' } });
const connection = { name: 'default', serverFacts: () => ({ version, clustered: false }) } as unknown as ConnectionService;
const caller = { operation: 'test' };
const STREAM = { config: { name: 'orders', num_replicas: 1, retention: 'limits', subjects: ['orders.>'] }, state: { messages: 0 } };
const stream = STREAM as unknown as ServerStreamInfo;

const declare = (consumers: StreamDeclaration['consumers'], mode: StreamDeclaration['mode'] = 'manage') =>
  normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'], consumers, mode } as StreamDeclaration);

function setup(): { api: FakeApi; consumers: ConsumerReconciler } {
  const api = new FakeApi();
  return { api, consumers: new ConsumerReconciler(options, api as unknown as JetStreamApi, connection) };
}

/** Puts the consumers of `desired` on the fake as declared (`changes` overriding fields of the first). */
function hold(api: FakeApi, desired: ReturnType<typeof declare>, changes: Partial<ServerConsumerConfig> = {}): void {
  desired.consumers?.forEach((c, i) => api.consumers.set(c.name, { ...c.config, ...(i === 0 ? changes : {}) }));
}

const written = (result: Partial<EnsureResult>): EnsureResult => ({
  name: 'orders',
  changes: [],
  info: stream,
  action: 'unchanged',
  ...result,
});

describe('ConsumerReconciler', () => {
  it('check reads only the declared consumers of an existing stream, and returns refusals as decisions (nothing thrown)', async () => {
    const { api, consumers } = setup();
    const desired = declare([{ durable_name: 'a' }, { durable_name: 'b', ack_policy: 'none' }]);
    hold(api, desired);
    api.consumers.set('b', { ...api.consumers.get('b'), ack_policy: 'explicit' });

    const work = await consumers.check(desired, stream, caller);

    expect(api.calls.sort()).toEqual(['INFO a', 'INFO b']);
    expect(work?.decided?.map((d) => d.decision.action)).toEqual(['unchanged', 'conflict']);
    expect(consumers.refusal(work)).toMatchObject({ action: 'conflict', error: expect.any(ConsumerConfigConflictError) });
  });

  it('check reads nothing when the stream is made or replaced, or no consumer is declared', async () => {
    const { api, consumers } = setup();

    const made = await consumers.check(declare([{ durable_name: 'a' }]), null, caller);
    const none = await consumers.check(declare(undefined), stream, caller);

    expect(made).toEqual({ desired: expect.objectContaining({ name: 'orders' }) });
    expect(consumers.refusal(made)).toBeUndefined();
    expect(none).toBeUndefined();
    expect(api.calls).toEqual([]);
  });

  it("plans each consumer: the decisions read, or every one created on a stream that is made; a 'verify' miss is refused", async () => {
    const { api, consumers } = setup();
    const verify = declare([{ durable_name: 'a' }], 'verify');

    const onNew = consumers.plan(await consumers.check(declare([{ durable_name: 'a' }]), null, caller), null);
    const verified = await consumers.check(verify, stream, caller);

    expect(onNew).toEqual([{ name: 'a', action: 'create', changes: [], conflicts: [] }]);
    expect(consumers.plan(verified, stream)).toEqual([
      expect.objectContaining({ name: 'a', action: 'missing', error: expect.any(ConsumerDriftError) }),
    ]);
    expect(api.calls).toEqual(['INFO a']);
  });

  it('apply creates missing consumers and updates changed ones in place, leaving matching ones alone', async () => {
    const { api, consumers } = setup();
    const desired = declare([{ durable_name: 'a' }, { durable_name: 'b', max_deliver: 5 }, { durable_name: 'c' }]);
    hold(api, desired);
    api.consumers.delete('a');
    api.consumers.set('b', { ...api.consumers.get('b'), max_deliver: 3 });

    const work = await consumers.check(desired, stream, caller);
    api.calls.length = 0;
    const results = await consumers.apply(work!, written({ action: 'updated' }), caller);

    expect(results.map((r) => [r.name, r.action])).toEqual([
      ['a', 'created'],
      ['b', 'updated'],
      ['c', 'unchanged'],
    ]);
    expect(api.calls.sort()).toEqual(['CREATE a', 'UPDATE b']);
    expect(api.consumers.get('b')?.max_deliver).toBe(5);
  });

  it('apply decides again on a fresh read after a write that replaced the consumers (a migration), refusing before any write', async () => {
    const { api, consumers } = setup();
    const desired = declare([{ durable_name: 'a', ack_policy: 'explicit' }]);
    const work = await consumers.check(desired, null, caller);
    // The migration placed the consumer with another ack policy, which no update can change.
    api.consumers.set('a', { ...desired.consumers![0].config, ack_policy: 'all' });

    const error = await consumers.apply(work!, written({ action: 'migrated' }), caller).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConsumerConfigConflictError);
    expect(api.calls).toEqual(['INFO a']);
  });

  it('a create that loses the race to another instance is decided again on what that instance made', async () => {
    const { api, consumers } = setup();
    const desired = declare([{ durable_name: 'a', max_deliver: 5 }]);
    api.raceOnCreate = { ...desired.consumers![0].config, max_deliver: 3 };

    const results = await consumers.apply({ desired }, written({ action: 'created' }), caller);

    expect(results).toEqual([expect.objectContaining({ name: 'a', action: 'updated' })]);
    expect(api.calls).toEqual(['CREATE a', 'INFO a', 'UPDATE a']);
    expect(api.consumers.get('a')?.max_deliver).toBe(5);
  });
});
