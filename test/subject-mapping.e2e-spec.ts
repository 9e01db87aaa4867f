import { InvalidStreamConfigError, StreamDataLossError, type ConsumerDeclaration } from '@app/streams';
import { AckPolicy } from 'nats';
import { writesAmong } from './support/js-api-spy.js';
import { uniqueName, useStreamsFixture } from './support/streams-fixture.js';

describe('subject mappings that would stop consumers receiving, against a real nats-server', () => {
  const fx = useStreamsFixture({ cacheTtlMs: 0 });

  async function publish(subject: string, count = 1): Promise<void> {
    const js = fx.raw.jetstream();
    for (let i = 0; i < count; i++) await js.publish(subject, new TextEncoder().encode(`${i}`));
  }

  const pending = async (stream: string, consumer: string): Promise<number> => (await fx.jsm.consumers.info(stream, consumer)).num_pending;

  it('2.9: a subject_transform is refused before any request (the server would drop it)', async () => {
    if (fx.modern) return;
    const name = uniqueName('M12');

    const attempt = await fx.spy.during(fx.nc, () =>
      fx.streams.ensureStream(name, [`${name}.>`], { subject_transform: { src: `${name}.>`, dest: `${name}.v2.>` } }),
    );

    expect(attempt.error).toBeInstanceOf(InvalidStreamConfigError);
    expect(attempt.requests).toEqual([]);
  });

  it('a new stream transform is refused, naming the declared consumer, an undeclared one and republish; applied anyway, they get nothing new', async () => {
    if (!fx.modern) return;
    const name = uniqueName('M12');
    const m = name.toLowerCase();
    const consumers: ConsumerDeclaration[] = [{ durable_name: 'eu', filter_subject: `${m}.eu.>` }];
    const republish = { src: `${m}.eu.>`, dest: `out.${m}.>` };
    await fx.streams.ensureStream(name, [`${m}.>`], { republish, consumers });
    await fx.jsm.consumers.add(name, { durable_name: 'other', ack_policy: AckPolicy.Explicit, filter_subject: `${m}.eu.x` });
    await publish(`${m}.eu.x`, 3);
    const transformed = { republish, consumers, subject_transform: { src: `${m}.>`, dest: `${m}.v2.>` } };

    const refused = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${m}.>`], transformed));
    const plan = await fx.streams.planStream(name, [`${m}.>`], transformed);

    expect(refused.error).toBeInstanceOf(StreamDataLossError);
    const loss = (refused.error as StreamDataLossError).loss;
    expect(loss.fields.map((f) => [f.field, f.kind, f.consumer])).toEqual([
      ['subject_transform', 'starved', 'eu'],
      ['subject_transform', 'starved', 'other'],
      ['subject_transform', 'starved', 'republish'],
    ]);
    expect((refused.error as Error).message).toContain(
      `subject_transform unset -> {"src":"${m}.>","dest":"${m}.v2.>"} stops consumer "eu" (${m}.eu.>) receiving new messages: a message on ${m}.eu.`,
    );
    expect((refused.error as Error).message).toMatch(/first ensure the consumers with filters that also match the new subjects/);
    expect(writesAmong(refused.requests)).toEqual([]);
    expect(refused.requests).toContain(`CONSUMER.LIST.${name}`);
    expect(plan).toMatchObject({
      action: 'data-loss',
      dataLoss: { fields: [{ kind: 'starved' }, { kind: 'starved' }, { kind: 'starved' }] },
    });

    const applied = await fx.streams.ensureStream(name, [`${m}.>`], { ...transformed, allowDataLoss: true });
    await publish(`${m}.eu.x`, 2);
    expect(applied.action).toBe('updated');
    expect(await pending(name, 'eu')).toBe(3);
    expect(await pending(name, 'other')).toBe(3);
  });

  it('is applied in two steps: consumers that follow both subjects first, then the transform; they receive the new messages', async () => {
    if (!fx.modern) return;
    const name = uniqueName('M12_STEPS');
    const m = name.toLowerCase();
    await fx.streams.ensureStream(name, [`${m}.>`], { consumers: [{ durable_name: 'eu', filter_subject: `${m}.eu.>` }] });
    await publish(`${m}.eu.x`);
    const both: ConsumerDeclaration[] = [{ durable_name: 'eu', filter_subjects: [`${m}.eu.>`, `${m}.v2.eu.>`] }];

    const first = await fx.streams.ensureStream(name, [`${m}.>`], { consumers: both });
    const second = await fx.streams.ensureStream(name, [`${m}.>`], {
      consumers: both,
      subject_transform: { src: `${m}.>`, dest: `${m}.v2.>` },
    });
    await publish(`${m}.eu.y`);

    expect(first.consumers).toEqual([expect.objectContaining({ name: 'eu', action: 'updated' })]);
    expect(second.action).toBe('updated');
    expect(await pending(name, 'eu')).toBe(2);
    // Narrowing to the new subjects alone would drop the message still held under the old one only on an interest stream.
    const third = await fx.streams.ensureStream(name, [`${m}.>`], {
      consumers: [{ durable_name: 'eu', filter_subject: `${m}.v2.eu.>` }],
      subject_transform: { src: `${m}.>`, dest: `${m}.v2.>` },
    });
    expect(third.consumers).toEqual([expect.objectContaining({ name: 'eu', action: 'updated' })]);
  });

  it("a source's new transform is refused for the consumers of the stream that sources it; on an interest stream the server would delete the new messages", async () => {
    if (!fx.modern) return;
    const source = uniqueName('SRC');
    const agg = uniqueName('AGG');
    const s = source.toLowerCase();
    await fx.jsm.streams.add({ name: source, subjects: [`${s}.>`] });
    const sourced = (dest: string) => ({
      retention: 'interest' as const,
      sources: [{ name: source, subject_transforms: [{ src: `${s}.>`, dest }] }],
      consumers: [{ durable_name: 'eu', filter_subject: 'agg.eu.>' }],
    });
    await fx.streams.ensureStream(agg, [], sourced('agg.>'));

    const refused = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(agg, [], sourced('agg2.>')));

    expect(refused.error).toBeInstanceOf(StreamDataLossError);
    expect((refused.error as StreamDataLossError).loss.fields).toEqual([
      expect.objectContaining({
        field: 'sources',
        kind: 'starved',
        consumer: 'eu',
        held: expect.stringMatching(/interest stream the server deletes them at once/),
      }),
    ]);
    expect(writesAmong(refused.requests)).toEqual([]);
  });
});
