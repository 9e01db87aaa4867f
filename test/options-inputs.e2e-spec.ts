import { ConnectionService, InvalidArgumentError, StreamMonitor } from '@app/streams';
import { NatsHealthIndicator, StreamsHealthIndicator } from '@app/streams/health';
import { useStreamsFixture, uniqueName } from './support/streams-fixture.js';

/** What a call settled with: its value, or what it threw or rejected with (synchronously thrown is marked). */
async function outcome(act: () => Promise<unknown>): Promise<{ value?: unknown; error?: unknown; sync?: boolean }> {
  let pending: Promise<unknown>;
  try {
    pending = act();
  } catch (error) {
    return { error, sync: true };
  }
  return pending.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

describe('invalid arguments of the health and monitor calls are typed rejections, sent nowhere', () => {
  const declared = uniqueName('inputs');
  const fx = useStreamsFixture({ monitorIntervalMs: 60_000, streams: [{ name: declared, subjects: [`${declared}.>`] }] });

  it.each([2 ** 31, -1, 0, Number.NaN, 'abc'])(
    'ConnectionService.rtt(%p) rejects with InvalidArgumentError before any request',
    async (timeoutMs) => {
      const connection = fx.app.get(ConnectionService);

      const result = await outcome(() => connection.rtt(timeoutMs as number));

      expect(result.sync).toBeUndefined();
      expect(result.error).toBeInstanceOf(InvalidArgumentError);
      expect(result.error).toMatchObject({ method: 'rtt', argument: 'timeoutMs' });
      expect((result.error as Error).message).toContain(`got ${typeof timeoutMs === 'string' ? `'${timeoutMs}'` : String(timeoutMs)}`);
    },
  );

  it('rtt(2^31-1), the longest timer, completes a round trip', async () => {
    await expect(fx.app.get(ConnectionService).rtt(2 ** 31 - 1)).resolves.toEqual(expect.any(Number));
  });

  it.each([
    [{ timeoutMs: 2 ** 31 }, 'options.timeoutMs'],
    [{ timeoutMs: 'abc' }, 'options.timeoutMs'],
    [{ timeoutMs: -5 }, 'options.timeoutMs'],
    [{ timeout: 100 }, 'options.timeout'],
    ['fast', 'options'],
  ])('NatsHealthIndicator.isHealthy(key, %j) rejects naming %s', async (options, argument) => {
    const result = await outcome(() => fx.app.get(NatsHealthIndicator).isHealthy('nats', options as never));

    expect(result.sync).toBeUndefined();
    expect(result.error).toBeInstanceOf(InvalidArgumentError);
    expect(result.error).toMatchObject({ argument });
  });

  it.each([
    [{ details: 'FULL' }, 'options.details', /one of 'compact', 'full'/],
    [{ stream: [declared] }, 'options.stream', /known: connection, streams, details/],
    [{ streams: 'h1' }, 'options.streams', /list of stream names, got 'h1'/],
    [{ streams: [123] }, 'options.streams[0]', /stream name/],
    [7, 'options', /must be an object/],
  ])('StreamsHealthIndicator.isHealthy(key, %j) rejects naming %s, without a stream list', async (options, argument, message) => {
    const { result, requests } = await fx.spy.during(fx.nc, () =>
      outcome(() => fx.app.get(StreamsHealthIndicator).isHealthy('streams', options as never)),
    );

    expect(result?.sync).toBeUndefined();
    expect(result?.error).toBeInstanceOf(InvalidArgumentError);
    expect(result?.error).toMatchObject({ argument });
    expect((result?.error as Error).message).toMatch(message);
    expect(requests).toEqual([]);
  });

  it('both indicators take null as no options and answer up', async () => {
    const nats = await fx.app.get(NatsHealthIndicator).isHealthy('nats', null);
    const streams = await fx.app.get(StreamsHealthIndicator).isHealthy('streams', null);

    expect(nats.nats.status).toBe('up');
    expect(streams.streams).toMatchObject({ status: 'up', up: 1 });
  });

  it.each([Number.NaN, -1, null, Infinity, '5'])(
    'StreamMonitor.read(%p) rejects with InvalidArgumentError, without a stream list',
    async (maxAgeMs) => {
      const monitor = fx.app.get(StreamMonitor);

      const { result, requests } = await fx.spy.during(fx.nc, () => outcome(() => monitor.read(maxAgeMs as number)));

      expect(result?.error).toBeInstanceOf(InvalidArgumentError);
      expect(result?.error).toMatchObject({ method: 'read', argument: 'maxAgeMs' });
      expect(requests).toEqual([]);
    },
  );

  it('StreamMonitor.read() twice within the interval lists the streams at most once', async () => {
    const monitor = fx.app.get(StreamMonitor);

    const { requests } = await fx.spy.during(fx.nc, async () => {
      await monitor.read();
      return monitor.read();
    });

    expect(requests.filter((r) => r === 'STREAM.LIST').length).toBeLessThanOrEqual(1);
  });
});
