import type { INestApplicationContext } from '@nestjs/common';
import { StreamCapacityError, StreamService } from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { connect, type NatsConnection } from 'nats';
import { startStreamsApp } from './support/streams-app.js';

const MB = 1024 * 1024;

/** The storage pre-check: a stream that cannot fit the account's JetStream limits fails before any create. */
describe('storage pre-check against account limits', () => {
  let server: NatsTestServer;
  let app: INestApplicationContext;
  let streams: StreamService;
  let spy: NatsConnection;
  const requests: string[] = [];

  beforeAll(async () => {
    server = await startNatsServer({
      extraConfig: [
        'accounts {',
        '  APP { jetstream { max_file: 10MB, max_mem: 10MB }, users: [{ user: app, password: app-pw }] }',
        '}',
      ].join('\n'),
    });
    const servers = `nats://app:app-pw@127.0.0.1:${server.port}`;
    app = await startStreamsApp({ connection: { servers } }, { logger: false });
    streams = app.get(StreamService);
    spy = await connect({ servers: server.url, user: 'app', pass: 'app-pw' });
    spy.subscribe('$JS.API.>', { callback: (_err, msg) => requests.push(msg.subject) });
    await spy.flush();
  });

  afterAll(async () => {
    await spy?.close();
    await app?.close();
    await server?.dispose();
  });

  it('refuses max_bytes larger than the account can hold before sending a create, naming both sizes', async () => {
    requests.length = 0;

    const error = await streams.ensureStream('too_big', ['too.big.>'], { max_bytes: 20 * MB }).catch((e: unknown) => e);
    await spy.flush();

    expect(error).toBeInstanceOf(StreamCapacityError);
    expect((error as StreamCapacityError).requiredBytes).toBe(20 * MB);
    expect((error as StreamCapacityError).availableBytes).toBeLessThanOrEqual(10 * MB);
    expect(requests.filter((s) => s.startsWith('$JS.API.STREAM.CREATE'))).toEqual([]);
    expect(await streams.streamExists('too_big')).toBe(false);
  });

  it('fits streams while the account has room, then refuses the one that would not fit', async () => {
    const first = await streams.ensureStream('fits_a', ['fits.a.>'], { max_bytes: 6 * MB });

    const second = await streams.ensureStream('fits_b', ['fits.b.>'], { max_bytes: 6 * MB }).catch((e: unknown) => e);

    expect(first.action).toBe('created');
    // Caught by the pre-check where the server reports its reservations (2.10+), else by the
    // server's own refusal at create: a typed error either way.
    expect(second).toBeInstanceOf(StreamCapacityError);
    expect(await streams.streamExists('fits_b')).toBe(false);
  });
});
