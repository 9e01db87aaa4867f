import { InvalidStreamConfigError, StreamDataLossError, type ConsumerDeclaration } from '@app/streams';
import { AckPolicy } from 'nats';
import { writesAmong } from './support/js-api-spy.js';
import { uniqueName, useStreamsFixture } from './support/streams-fixture.js';
import { waitFor } from './support/wait.js';

describe('consumer changes that let the server delete messages of an interest stream, against a real nats-server', () => {
  const fx = useStreamsFixture({ cacheTtlMs: 0 });

  async function publish(subject: string, count: number): Promise<void> {
    const js = fx.raw.jetstream();
    await Promise.all(Array.from({ length: count }, (_, i) => js.publish(subject, new TextEncoder().encode(`${i}`))));
  }

  const messages = async (name: string): Promise<number> => (await fx.jsm.streams.info(name)).state.messages;
  const consumerExists = (name: string, consumer: string): Promise<boolean> =>
    fx.jsm.consumers.info(name, consumer).then(
      () => true,
      () => false,
    );

  describe('inactive_threshold on a durable', () => {
    it('is refused on an interest stream (plan data-loss, nothing written); allowed, the server deletes the consumer and its 1,000 messages', async () => {
      const name = uniqueName('IDLE');
      const worker: ConsumerDeclaration = { durable_name: 'worker' };
      await fx.streams.ensureStream(name, [`${name}.>`], { retention: 'interest', consumers: [worker] });
      await publish(`${name}.a`, 1_000);
      const expiring = { retention: 'interest' as const, consumers: [{ ...worker, inactive_threshold: '1s' }] };

      const plan = await fx.streams.planStream(name, [`${name}.>`], expiring);
      const refused = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], expiring));

      expect(plan).toMatchObject({ action: 'data-loss', consumers: [{ name: 'worker', action: 'data-loss' }] });
      expect(refused.error).toBeInstanceOf(StreamDataLossError);
      expect((refused.error as StreamDataLossError).loss).toMatchObject({
        messages: 1_000,
        fields: [{ field: 'consumers.worker.inactive_threshold', desired: 1e9, kind: 'consumer-expiry', consumer: 'worker' }],
      });
      expect((refused.error as Error).message).toMatch(
        /once it has had no client for 1s the server deletes the consumer.*leave inactive_threshold out of a consumer the app declares/,
      );
      expect(writesAmong(refused.requests)).toEqual([]);
      expect((await fx.jsm.consumers.info(name, 'worker')).config.inactive_threshold ?? 0).toBe(0);

      const allowed = await fx.streams.ensureStream(name, [`${name}.>`], { ...expiring, allowDataLoss: true });
      expect(allowed.consumers).toEqual([expect.objectContaining({ name: 'worker', action: 'updated' })]);
      await waitFor(
        () => messages(name),
        (n) => n === 0,
        { what: 'the consumer deleted by the server, and its messages with it' },
      );
      expect(await consumerExists(name, 'worker')).toBe(false);
    });

    it('is refused for a caught-up consumer too (later messages would go), but not when another declared consumer follows the same subjects', async () => {
      const name = uniqueName('IDLE_UP');
      const consumers: ConsumerDeclaration[] = [{ durable_name: 'a' }, { durable_name: 'b', filter_subject: `${name}.x` }];
      await fx.streams.ensureStream(name, [`${name}.>`], { retention: 'interest', consumers });

      const alone = await fx.streams
        .ensureStream(name, [`${name}.>`], {
          retention: 'interest',
          consumers: [{ ...consumers[0], inactive_threshold: '1m' }, consumers[1]],
        })
        .catch((e: unknown) => e);
      const covered = await fx.streams.ensureStream(name, [`${name}.>`], {
        retention: 'interest',
        consumers: [consumers[0], { ...consumers[1], inactive_threshold: '1m' }],
      });

      expect(alone).toBeInstanceOf(StreamDataLossError);
      expect((alone as StreamDataLossError).loss).toMatchObject({ messages: 0, fields: [{ field: 'consumers.a.inactive_threshold' }] });
      expect((alone as Error).message).toMatch(/would let the server delete messages it would otherwise keep/);
      expect(covered.consumers?.map((c) => `${c.name}:${c.action}`)).toEqual(['a:unchanged', 'b:updated']);
    });

    it('is applied on a work-queue stream, which keeps the messages when the consumer goes', async () => {
      const name = uniqueName('IDLE_WQ');
      await fx.streams.ensureStream(name, [`${name}.>`], { retention: 'workqueue', consumers: [{ durable_name: 'w' }] });
      await publish(`${name}.a`, 20);

      const result = await fx.streams.ensureStream(name, [`${name}.>`], {
        retention: 'workqueue',
        consumers: [{ durable_name: 'w', inactive_threshold: '1s' }],
      });
      await waitFor(
        () => consumerExists(name, 'w'),
        (exists) => !exists,
        { what: 'the idle consumer deleted by the server' },
      );

      expect(result.consumers).toEqual([expect.objectContaining({ name: 'w', action: 'updated' })]);
      expect(await messages(name)).toBe(20);
    });

    it("counts the stream's consumer_limits.inactive_threshold, which the server gives a consumer created or updated without one (2.10+)", async () => {
      const name = uniqueName('LIMITS');
      await fx.streams.ensureStream(name, [`${name}.>`], { retention: 'interest', consumers: [{ durable_name: 'c' }] });
      await publish(`${name}.a`, 5);
      const limited = (consumer: ConsumerDeclaration) => ({
        retention: 'interest' as const,
        consumer_limits: { inactive_threshold: '1m' },
        consumers: [consumer],
      });

      const updated = await fx.spy.during(fx.nc, () =>
        fx.streams.ensureStream(name, [`${name}.>`], limited({ durable_name: 'c', max_deliver: 3 })),
      );
      const alone = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], limited({ durable_name: 'c' })));

      if (!fx.modern) {
        expect(updated.error).toBeInstanceOf(InvalidStreamConfigError);
        return;
      }
      expect(updated.error).toBeInstanceOf(StreamDataLossError);
      expect((updated.error as StreamDataLossError).loss.fields).toEqual([
        expect.objectContaining({ field: 'consumers.c.inactive_threshold', desired: 60e9, held: expect.stringMatching(/consumer_limits/) }),
      ]);
      // The consumer is declared with the threshold the server would give it (what a pedantic 2.11+ server requires).
      expect(alone.error).toBeInstanceOf(StreamDataLossError);
      expect((alone.error as StreamDataLossError).loss.fields).toEqual([
        expect.objectContaining({
          field: 'consumers.c.inactive_threshold',
          kind: 'consumer-expiry',
          held: expect.stringMatching(/the stream's consumer_limits\.inactive_threshold/),
        }),
      ]);
      for (const call of [updated, alone]) expect(writesAmong(call.requests)).toEqual([]);
      expect((await fx.jsm.consumers.info(name, 'c')).config.inactive_threshold ?? 0).toBe(0);
    });
  });

  it('max_deliver lowered on an interest stream is applied: a message that reaches it stays in the stream, no longer delivered', async () => {
    const name = uniqueName('MAXDELIVER');
    await fx.streams.ensureStream(name, [`${name}.>`], { retention: 'interest', consumers: [{ durable_name: 'w', ack_wait: '1s' }] });
    await publish(`${name}.a`, 3);
    const consumer = await fx.raw.jetstream().consumers.get(name, 'w');
    let delivered = 0;
    for await (const _unacknowledged of await consumer.fetch({ max_messages: 3, expires: 2_000 })) if (++delivered === 3) break;

    const result = await fx.streams.ensureStream(name, [`${name}.>`], {
      retention: 'interest',
      consumers: [{ durable_name: 'w', ack_wait: '1s', max_deliver: 1 }],
    });
    // Waits past the 1 s ack_wait, when the server would deliver them again but for max_deliver.
    let again = 0;
    for await (const _redelivered of await consumer.fetch({ max_messages: 3, expires: 2_000 })) again++;

    expect(delivered).toBe(3);
    expect(result.consumers).toEqual([expect.objectContaining({ name: 'w', action: 'updated' })]);
    expect(again).toBe(0);
    expect(await messages(name)).toBe(3);
  });

  describe('a narrower filter', () => {
    it('is refused on every version: 2.10+ deletes the messages at once, 2.9 at the next deletion of any consumer of the stream', async () => {
      const name = uniqueName('NARROW');
      const declared = (filter_subject: string, allowDataLoss = false) => ({
        retention: 'interest' as const,
        allowDataLoss,
        consumers: [{ durable_name: 'c', filter_subject }],
      });
      await fx.streams.ensureStream(name, [`${name}.>`], declared(`${name}.>`));
      await publish(`${name}.a`, 5);
      await publish(`${name}.b`, 5);

      const refused = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], declared(`${name}.a`)));
      const plan = await fx.streams.planStream(name, [`${name}.>`], declared(`${name}.a`));

      expect(refused.error).toBeInstanceOf(StreamDataLossError);
      expect((refused.error as StreamDataLossError).loss).toMatchObject({
        messages: 10,
        fields: [{ field: 'consumers.c.filter_subjects', current: [`${name}.>`], desired: [`${name}.a`], kind: 'consumer-filter' }],
      });
      expect(writesAmong(refused.requests)).toEqual([]);
      expect(plan).toMatchObject({ action: 'data-loss', consumers: [{ name: 'c', action: 'data-loss' }] });
      expect(await messages(name)).toBe(10);

      const allowed = await fx.streams.ensureStream(name, [`${name}.>`], declared(`${name}.a`, true));
      expect(allowed.consumers).toEqual([expect.objectContaining({ name: 'c', action: 'updated' })]);
      if (!fx.modern) {
        expect(await messages(name)).toBe(10);
        await fx.jsm.consumers.add(name, { durable_name: 'passing', ack_policy: AckPolicy.Explicit, filter_subject: `${name}.a` });
        await fx.jsm.consumers.delete(name, 'passing');
      }
      await waitFor(
        () => messages(name),
        (n) => n === 5,
        { what: 'the messages on the subject no consumer follows deleted' },
      );
    });

    it('is applied when another declared consumer still follows the subjects from as far back', async () => {
      const name = uniqueName('COVERED');
      const consumers: ConsumerDeclaration[] = [
        { durable_name: 'all', filter_subject: `${name}.>` },
        { durable_name: 'audit', filter_subject: `${name}.>` },
      ];
      await fx.streams.ensureStream(name, [`${name}.>`], { retention: 'interest', consumers });
      await publish(`${name}.a`, 5);
      await publish(`${name}.b`, 5);

      const result = await fx.spy.during(fx.nc, () =>
        fx.streams.ensureStream(name, [`${name}.>`], {
          retention: 'interest',
          consumers: [{ ...consumers[0], filter_subject: `${name}.a` }, consumers[1]],
        }),
      );

      expect(result.error).toBeUndefined();
      expect(result.result?.consumers?.map((c) => `${c.name}:${c.action}`)).toEqual(['all:updated', 'audit:unchanged']);
      expect(await messages(name)).toBe(10);
      expect((await fx.jsm.consumers.info(name, 'audit')).num_pending).toBe(10);
    });

    it("takes 'x.>' -> ['x.a.>', 'x.b.>'] on a stream of x.a.> and x.b.> as no narrowing, unless the stream still holds messages elsewhere (2.10+)", async () => {
      const name = uniqueName('SPLIT');
      const x = name.toLowerCase();
      const split = { durable_name: 'c', filter_subjects: [`${x}.a.>`, `${x}.b.>`] };
      const stream = (consumer: ConsumerDeclaration) => ({ retention: 'interest' as const, consumers: [consumer] });
      await fx.streams.ensureStream(name, [`${x}.a.>`, `${x}.b.>`], stream({ durable_name: 'c', filter_subject: `${x}.>` }));
      await publish(`${x}.a.1`, 3);

      const attempt = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${x}.a.>`, `${x}.b.>`], stream(split)));

      if (!fx.modern) {
        expect(attempt.error).toBeInstanceOf(InvalidStreamConfigError);
        return;
      }
      expect(attempt.error).toBeUndefined();
      expect(attempt.result?.consumers).toEqual([expect.objectContaining({ name: 'c', action: 'updated' })]);
      expect(await messages(name)).toBe(3);

      // A subject the stream captured and no longer does keeps its messages: they still count.
      const other = uniqueName('HELD');
      const o = other.toLowerCase();
      await fx.streams.ensureStream(other, [`${o}.a.>`, `${o}.b.>`, `${o}.c.>`], stream({ durable_name: 'c', filter_subject: `${o}.>` }));
      await publish(`${o}.c.1`, 2);
      await fx.streams.ensureStream(other, [`${o}.a.>`, `${o}.b.>`], stream({ durable_name: 'c', filter_subject: `${o}.>` }));
      const held = await fx.spy.during(fx.nc, () =>
        fx.streams.ensureStream(other, [`${o}.a.>`, `${o}.b.>`], stream({ ...split, filter_subjects: [`${o}.a.>`, `${o}.b.>`] })),
      );
      expect(held.error).toBeInstanceOf(StreamDataLossError);
      expect((held.error as Error).message).toContain(`those on ${o}.c.1 that no other consumer needs`);
      expect(writesAmong(held.requests)).toEqual([]);
      expect(await messages(other)).toBe(2);
    });
  });
});
