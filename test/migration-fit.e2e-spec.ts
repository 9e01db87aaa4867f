import { StreamDataLossError, StreamMigrationError, type StreamOptionsInput } from '@app/streams';
import { headers } from 'nats';
import { uniqueName, useStreamsFixture } from './support/streams-fixture.js';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const MIGRATION_MS = 200_000;

/**
 * A migration whose new stream cannot hold every message of the old one: the library refuses it
 * before writing, or finds it while filling and keeps the temporary copy; never does it delete the
 * copy of a message the new stream dropped.
 */
describe('migrations into a stream that would drop messages', () => {
  const fx = useStreamsFixture({ cacheTtlMs: 0 });
  const unlimited: StreamOptionsInput = { max_age: 0, max_msgs: -1, max_msgs_per_subject: -1, storage: 'memory', onConflict: 'migrate' };

  const messages = async (name: string): Promise<number | 'absent'> =>
    fx.jsm.streams.info(name).then(
      (i) => i.state.messages,
      () => 'absent' as const,
    );

  it('refuses a max_bytes that holds the messages but not the source header each copy gains, before writing anything', async () => {
    const name = uniqueName('BYTES');
    await fx.jsm.streams.add({ name, subjects: [`${name}.>`] });
    const js = fx.raw.jetstream();
    for (let i = 0; i < 100; i++) await js.publish(`${name}.a`, encode(`m${String(i).padStart(8, '0')}`));
    const { bytes } = (await fx.jsm.streams.info(name)).state;
    const declared = { ...unlimited, max_bytes: Math.ceil(bytes * 1.5) };

    const plan = await fx.streams.planStream(name, [`${name}.>`], declared);
    const { error, requests } = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], declared));

    expect(plan).toMatchObject({ action: 'data-loss', dataLoss: { fields: [{ field: 'max_bytes' }] } });
    expect(error).toBeInstanceOf(StreamDataLossError);
    expect((error as Error).message).toMatch(/once copied with a source header each/);
    expect(requests.filter((r) => /^STREAM\.(CREATE|UPDATE|DELETE)/.test(r))).toEqual([]);
    expect(await messages(name)).toBe(100);
    expect(await messages(`${name}__migrating`)).toBe('absent');
  });

  it('rolls back, before deleting the original, a max_bytes that the copies turn out not to fit (subjects longer than the declared ones)', async () => {
    const name = uniqueName('LONGSUBJ');
    await fx.jsm.streams.add({ name, subjects: [`${name}.>`] });
    const js = fx.raw.jetstream();
    const subject = `${name}.${'s'.repeat(100)}`;
    for (let i = 0; i < 50; i++) await js.publish(subject, encode(`m${i}`));
    const { bytes } = (await fx.jsm.streams.info(name)).state;
    // The plan's estimate takes the declared subject `<name>.>` for each message's own: about 100
    // bytes short per message. A limit 20 bytes per message above the estimate passes the plan.
    const estimate =
      bytes +
      50 * ('NATS/1.0\r\nNats-Stream-Source:  \r\n\r\n'.length + `${name}__migrating`.length + ' > > '.length + 2 + `${name}.>`.length);
    const declared = { ...unlimited, max_bytes: estimate + 50 * 20 };

    const plan = await fx.streams.planStream(name, [`${name}.>`], declared);
    const outcome: unknown = await fx.streams.ensureStream(name, [`${name}.>`], declared).catch((e: unknown) => e);

    expect(plan.action).toBe('migrate');
    if (!fx.modern) {
      // 2.9's source header is `<stream> <seq>` without the subject: the copies fit, all of them.
      expect(outcome).toMatchObject({ action: 'migrated' });
      expect(await messages(name)).toBe(50);
      return;
    }
    expect(outcome).toBeInstanceOf(StreamMigrationError);
    expect(outcome).toMatchObject({ holdingStream: name });
    expect((outcome as Error).message).toMatch(/its max_bytes is \d+: the server would delete the oldest messages.*rolled back/);
    const after = await fx.jsm.streams.info(name);
    expect(after.state.messages).toBe(50);
    expect(after.config.subjects).toEqual([`${name}.>`]);
    expect(await messages(`${name}__migrating`)).toBe('absent');
  });

  it(
    'messages sharing a Nats-Msg-Id: the copy is kept until the new stream holds them all; allowDataLoss accepts the drop',
    async () => {
      const name = uniqueName('DEDUP');
      // Other tooling, with a short duplicate window: one id published twice, far enough apart.
      await fx.jsm.streams.add({ name, subjects: [`${name}.>`], duplicate_window: 100_000_000 });
      const js = fx.raw.jetstream();
      const withId = () => {
        const h = headers();
        h.set('Nats-Msg-Id', 'order-1');
        return h;
      };
      await js.publish(`${name}.a`, encode('first'), { headers: withId() });
      await fx.nc.flush();
      await new Promise((resolve) => setTimeout(resolve, 300)); // the id must leave the 100 ms window: time itself is the condition
      await js.publish(`${name}.a`, encode('second'), { headers: withId() });
      for (let i = 0; i < 3; i++) await js.publish(`${name}.a`, encode(`x${i}`));
      expect(await messages(name)).toBe(5);

      const first = await fx.streams.ensureStream(name, [`${name}.>`], unlimited).catch((e: unknown) => e);

      // Whatever the server version does with the repeated id (2.15 drops it in the new stream, 2.9
      // stalls the copy), no message is gone: the stream or the copy holds all five.
      expect(first).toBeInstanceOf(StreamMigrationError);
      const [stream, copy] = [await messages(name), await messages(`${name}__migrating`)];
      expect(stream === 5 || copy === 5).toBe(true);
      if (copy === 5) {
        expect((first as Error).message).toMatch(/kept 4 of 5 messages copied .*the new stream was deleted again/);
        expect(stream).toBe('absent');
        const accepted = await fx.streams.ensureStream(name, [`${name}.>`], { ...unlimited, allowDataLoss: true });
        expect(accepted.action).toBe('migrated');
        expect(await messages(name)).toBe(4);
        expect(await messages(`${name}__migrating`)).toBe('absent');
      } else {
        // The copy stopped short of the original, which was never deleted: rolled back.
        expect(first).toMatchObject({ holdingStream: name });
        expect(copy).toBe('absent');
      }
    },
    MIGRATION_MS,
  );

  it(
    'a max_msg_size below one message: the new stream is deleted again, the copy kept, and a changed declaration finishes the migration',
    async () => {
      const name = uniqueName('MSGSIZE');
      await fx.jsm.streams.add({ name, subjects: [`${name}.>`] });
      const js = fx.raw.jetstream();
      for (let i = 0; i < 5; i++) await js.publish(`${name}.a`, encode(`small${i}`));
      await js.publish(`${name}.a`, new Uint8Array(500).fill(65));
      for (let i = 5; i < 10; i++) await js.publish(`${name}.a`, encode(`small${i}`));

      const stalled = await fx.streams.ensureStream(name, [`${name}.>`], { ...unlimited, max_msg_size: 100 }).catch((e: unknown) => e);

      expect(stalled).toBeInstanceOf(StreamMigrationError);
      expect(stalled).toMatchObject({ holdingStream: `${name}__migrating` });
      expect((stalled as Error).message).toMatch(/the new stream was deleted again/);
      expect(await messages(name)).toBe('absent');
      expect(await messages(`${name}__migrating`)).toBe(11);

      const finished = await fx.streams.ensureStream(name, [`${name}.>`], { ...unlimited, max_msg_size: 1_000 });

      expect(finished.action).toBe('migrated');
      expect(await messages(name)).toBe(11);
      expect(await messages(`${name}__migrating`)).toBe('absent');
    },
    MIGRATION_MS,
  );
});
