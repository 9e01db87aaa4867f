import { ApiReplyError } from '../errors/api-reply.error.js';
import { toStreamsError } from '../errors/to-streams-error.js';
import type { ConnectionService } from '../connection/connection.service.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import type { CreatedStreamInfo, StreamRequestConfig } from '../jetstream/api-types.js';
import type { JetStreamApi } from '../jetstream/jetstream-api.js';
import { ServerVersion } from '../server/server-version.js';
import { normalizeStreamConfig } from '../declaration/stream-config.js';
import type { StreamDeclaration } from '../declaration/stream-declaration.js';
import { StreamInfoCache } from './stream-info-cache.js';
import { StreamWriter } from './stream-writer.js';

/** The writer's API calls, in memory: `calls` records each; `fail` makes the next create of a name fail. */
class FakeApi {
  readonly streams = new Map<string, StreamRequestConfig>();
  readonly calls: string[] = [];
  readonly consumers = ['worker', 'audit'];
  private readonly failures = new Map<string, number>();

  fail(name: string, times = 1): void {
    this.failures.set(name, times);
  }

  async createStream(config: StreamRequestConfig): Promise<CreatedStreamInfo> {
    this.calls.push(`CREATE ${config.name}`);
    const left = this.failures.get(config.name) ?? 0;
    if (left > 0) {
      this.failures.set(config.name, left - 1);
      throw toStreamsError(
        new ApiReplyError(`STREAM.CREATE.${config.name}`, { code: 500, err_code: 10049, description: 'insufficient resources' }),
        'test',
        config.name,
      );
    }
    this.streams.set(config.name, config);
    return info(config) as CreatedStreamInfo;
  }

  async deleteStream(name: string): Promise<void> {
    this.calls.push(`DELETE ${name}`);
    this.streams.delete(name);
  }

  async listConsumers(name: string): Promise<Array<{ name: string }>> {
    this.calls.push(`CONSUMERS ${name}`);
    return this.consumers.map((c) => ({ name: c }));
  }

  async accountInfo(): Promise<never> {
    throw new Error('not read: no max_bytes is declared');
  }
}

function info(config: StreamRequestConfig, messages = 0): ServerStreamInfo {
  return {
    config: { retention: 'limits', storage: 'file', num_replicas: 1, max_bytes: -1, subjects: [], ...config },
    state: { messages, bytes: messages * 10, first_seq: 1, last_seq: messages, consumer_count: 2 },
    created: new Date().toISOString(),
  } as unknown as ServerStreamInfo;
}

const version = ServerVersion.parse('2.10.0');
const connection = { name: 'default', serverFacts: () => ({ version, clustered: false }) } as unknown as ConnectionService;
const caller = { operation: 'test' };
const desired = (declaration: Partial<StreamDeclaration>) =>
  normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'], ...declaration } as StreamDeclaration);

function setup(): { api: FakeApi; writer: StreamWriter; cache: StreamInfoCache; current: ServerStreamInfo } {
  const api = new FakeApi();
  const cache = new StreamInfoCache(60_000);
  const current = info({ name: 'orders', subjects: ['orders.>'], storage: 'file' }, 40);
  api.streams.set('orders', current.config as StreamRequestConfig);
  return { api, writer: new StreamWriter(api as unknown as JetStreamApi, cache, connection), cache, current };
}

describe('StreamWriter.recreate', () => {
  it('proves the new config creatable on a probe stream first, then deletes and creates the stream, naming the dropped consumers', async () => {
    const { api, writer, cache, current } = setup();

    const { info: created, droppedConsumers } = await writer.recreate(desired({ storage: 'memory' }), current, caller);

    expect(api.calls).toEqual([
      'CREATE orders__recreate_probe',
      'DELETE orders__recreate_probe',
      'CONSUMERS orders',
      'DELETE orders',
      'CREATE orders',
    ]);
    expect(created.config.storage).toBe('memory');
    expect(droppedConsumers).toEqual(['worker', 'audit']);
    expect(cache.peek('orders')?.config.storage).toBe('memory');
  });

  it('deletes nothing when the probe cannot be created: the stream is untouched', async () => {
    const { api, writer, current } = setup();
    api.fail('orders__recreate_probe');

    const error = await writer.recreate(desired({ storage: 'memory' }), current, caller).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Error);
    expect(api.calls).toEqual(['CREATE orders__recreate_probe']);
    expect(api.streams.get('orders')?.storage).toBe('file');
  });

  it('restores the stream with its previous config when the create after the delete fails, and rejects with that failure', async () => {
    const { api, writer, cache, current } = setup();
    // The probe passes, the create of the stream itself fails once (the servers changed in between).
    const create = api.createStream.bind(api);
    api.createStream = async (config) => {
      if (config.name === 'orders' && config.storage === 'memory') api.fail('orders');
      return create(config);
    };

    const error = await writer.recreate(desired({ storage: 'memory' }), current, caller).catch((e: unknown) => e);

    expect((error as Error).message).toMatch(/insufficient resources/);
    expect(api.calls.slice(-3)).toEqual(['DELETE orders', 'CREATE orders', 'CREATE orders']);
    expect(api.streams.get('orders')).toEqual(current.config);
    expect(cache.peek('orders')).toBeUndefined();
  });

  it('rejects with the create failure even when the restore fails too (never with the restore error)', async () => {
    const { api, writer, current } = setup();
    const create = api.createStream.bind(api);
    api.createStream = async (config) => {
      if (config.name === 'orders') api.fail('orders', 2);
      return create(config);
    };

    const error = await writer.recreate(desired({ storage: 'memory' }), current, caller).catch((e: unknown) => e);

    expect((error as Error).message).toMatch(/insufficient resources/);
    expect(api.calls.filter((c) => c === 'CREATE orders')).toHaveLength(2);
    expect(api.streams.has('orders')).toBe(false);
  });
});
