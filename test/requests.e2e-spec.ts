import { ConnectionService, StreamService } from '@app/streams';
import { startStreamsApp } from './support/streams-app.js';
import { uniqueName, useStreamsFixture } from './support/streams-fixture.js';

/**
 * Issue #23 §3: what one `ensureStream` costs in JetStream API requests, counted on the server's
 * side (every `$JS.API` request any client sends). The README's "How it is built" states these
 * figures; a change to them is a change to the README.
 */
describe('requests per ensureStream', () => {
  const fx = useStreamsFixture();
  const UNLIMITED = { max_msgs: -1, max_msgs_per_subject: -1, max_age: 0 } as const;

  it('a converged stream: none when the cache answers (warm), one STREAM.INFO when it does not (cold)', async () => {
    const name = uniqueName('converged');
    await fx.streams.ensureStream(name, [`${name}.>`], UNLIMITED);

    const warm = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], UNLIMITED));

    // A second app has nothing cached: it reads the stream once.
    const cold = await startStreamsApp({ connection: { servers: fx.server.url } }, { logger: false });
    fx.apps.push(cold);
    const coldNc = cold.get(ConnectionService).getConnection();
    const first = await fx.spy.during(coldNc, () => cold.get(StreamService).ensureStream(name, [`${name}.>`], UNLIMITED));

    expect(warm.result).toMatchObject({ action: 'unchanged' });
    expect(warm.requests).toEqual([]);
    expect(first.result).toMatchObject({ action: 'unchanged' });
    expect(first.requests).toEqual([`STREAM.INFO.${name}`]);
  });

  /*
   * A write reads the migration's copy once (`STREAM.INFO <name>__migrating`), because the
   * stream's own info cannot tell (README, "Requests"): an absent stream is what a migration looks
   * like between deleting the original and creating the new stream (migration-crash: "just after
   * the original is deleted"), and an original whose migration has begun looks ordinary until it
   * is held (migration-race: "an instance with another declaration ... waits too").
   */
  it('a create: the stream read, the copy read, the create', async () => {
    const name = uniqueName('create');

    const { result, requests } = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], UNLIMITED));

    expect(result).toMatchObject({ action: 'created' });
    expect(requests).toEqual([`STREAM.INFO.${name}`, `STREAM.INFO.${name}__migrating`, `STREAM.CREATE.${name}`]);
  });

  it('an update in place: the stream read, the copy read, the update', async () => {
    const name = uniqueName('update');
    await fx.streams.ensureStream(name, [`${name}.>`], UNLIMITED);

    const { result, requests } = await fx.spy.during(fx.nc, () =>
      fx.streams.ensureStream(name, [`${name}.>`], { ...UNLIMITED, max_msgs: 1_000 }),
    );

    expect(result).toMatchObject({ action: 'updated', changes: [expect.objectContaining({ field: 'max_msgs' })] });
    expect(requests).toEqual([`STREAM.INFO.${name}`, `STREAM.INFO.${name}__migrating`, `STREAM.UPDATE.${name}`]);
  });

  it('a stream its declaration cannot change in place (a conflict): the stream read alone, nothing written', async () => {
    const name = uniqueName('conflict');
    await fx.streams.ensureStream(name, [`${name}.>`], UNLIMITED);

    const { error, requests } = await fx.spy.during(fx.nc, () =>
      fx.streams.ensureStream(name, [`${name}.>`], { ...UNLIMITED, storage: 'memory' }),
    );

    expect(error).toBeDefined();
    expect(requests).toEqual([`STREAM.INFO.${name}`]);
  });
});
