import type { ConsumerDeclaration } from '@app/streams';
import { StringCodec } from 'nats';
import { hasConsumerReset } from './support/consumer-reset.js';
import { useStreamsFixture } from './support/streams-fixture.js';

const sc = StringCodec();

describe('a migration keeps declared consumers, which then match their declaration', () => {
  const fx = useStreamsFixture({ cacheTtlMs: 0 });

  it('migrated with its consumer moved; ensured again: unchanged, no write; the consumer delivers what it had not acknowledged', async () => {
    const name = 'MIG_DECLARED';
    const consumers: ConsumerDeclaration[] = [{ durable_name: 'worker', max_deliver: 5 }];
    const base = { max_msgs: -1, max_msgs_per_subject: -1, max_age: 0, consumers };
    await fx.streams.ensureStream(name, [`${name}.>`], base);
    const js = fx.nc.jetstream();
    for (let i = 0; i < 10; i++) await js.publish(`${name}.a`, sc.encode(`m${i}`));
    const worker = await js.consumers.get(name, 'worker');
    for (let i = 0; i < 4; i++) (await worker.next({ expires: 1_000 }))!.ack();
    await fx.nc.flush();

    const migrated = await fx.streams.ensureStream(name, [`${name}.>`], { ...base, storage: 'memory', onConflict: 'migrate' });
    const again = await fx.spy.during(fx.nc, () =>
      fx.streams.ensureStream(name, [`${name}.>`], { ...base, storage: 'memory', onConflict: 'migrate' }),
    );

    // 2.9 and 2.10 have no CONSUMER.RESET: the migration recreated the consumer at its position as by_start_sequence.
    const policy = (await fx.jsm.consumers.info(name, 'worker')).config.deliver_policy;
    expect(policy).toBe((await hasConsumerReset(fx.raw, fx.jsm)) ? 'all' : 'by_start_sequence');
    expect(migrated).toMatchObject({ action: 'migrated', consumers: [{ name: 'worker', action: 'unchanged', changes: [] }] });
    expect(again.result).toMatchObject({ action: 'unchanged', consumers: [{ name: 'worker', action: 'unchanged' }] });
    expect(again.requests.filter((r) => /CREATE|UPDATE|DELETE/.test(r))).toEqual([]);
    const rest: string[] = [];
    const moved = await js.consumers.get(name, 'worker');
    for (let m = await moved.next({ expires: 1_000 }); m; m = await moved.next({ expires: 1_000 })) {
      rest.push(m.string());
      m.ack();
    }
    expect(rest).toEqual(['m4', 'm5', 'm6', 'm7', 'm8', 'm9']);
  });
});
