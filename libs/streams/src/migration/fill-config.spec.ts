import type { ServerStreamConfig } from '../server/server-stream.js';
import { fillConfig, openConfig, requestOf } from './fill-config.js';

const target = {
  name: 'orders',
  subjects: ['orders.>'],
  storage: 'memory' as const,
  duplicate_window: 120_000_000_000,
  max_msg_size: 100,
  sealed: false,
  republish: { src: '>', dest: 'copy.>' },
  max_msgs: 1_000,
};

describe('fill config', () => {
  it('creates the new stream holding, sourcing the copy, without what would drop or republish a copy, numbered after the original', () => {
    expect(fillConfig(target, '_migrating.orders.ab', 'orders__migrating', 3_001)).toEqual({
      name: 'orders',
      subjects: ['_migrating.orders.ab'],
      sources: [{ name: 'orders__migrating' }],
      storage: 'memory',
      max_msgs: 1_000,
      first_seq: 3_001,
    });
  });

  it('keeps a declared first_seq, and numbers nothing without one', () => {
    expect(fillConfig({ ...target, first_seq: 7 }, 'h', 'c', 3_001).first_seq).toBe(7);
    expect(fillConfig(target, 'h', 'c', undefined).first_seq).toBeUndefined();
  });

  it('opens with the declared subjects and every field the fill left out', () => {
    const held = { name: 'orders', subjects: ['h'], sources: [{ name: 'c' }], first_seq: 3_001 } as unknown as ServerStreamConfig;

    expect(openConfig(held, target)).toEqual({
      ...held,
      subjects: ['orders.>'],
      duplicate_window: 120_000_000_000,
      max_msg_size: 100,
      sealed: false,
      republish: target.republish,
    });
  });

  it("leaves the server's own _nats.* metadata out of a config to create again", () => {
    const config = { name: 'o', metadata: { '_nats.level': '1', team: 'a' } } as unknown as ServerStreamConfig;

    expect(requestOf(config)).toEqual({ name: 'o', metadata: { team: 'a' } });
    expect(requestOf({ name: 'o', metadata: { '_nats.level': '1' } } as unknown as ServerStreamConfig)).toEqual({ name: 'o' });
  });
});
