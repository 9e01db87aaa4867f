import type { ServerConsumerConfig, ServerConsumerInfo } from '../jetstream/api-types.js';
import {
  doneUpTo,
  isDurable,
  MOVED_METADATA_KEY,
  movedConfig,
  movedFrom,
  portableConfig,
  readRecord,
  recordConfig,
} from './consumer-records.js';

/** A consumer's info: `delivered` and `ack_floor` as [consumer_seq, stream_seq]. */
function consumer(config: ServerConsumerConfig, delivered: [number, number], floor: [number, number]): ServerConsumerInfo {
  return {
    stream_name: 'orders',
    name: config.durable_name ?? 'eph',
    created: '2026-11-28T00:00:00Z',
    config,
    delivered: { consumer_seq: delivered[0], stream_seq: delivered[1] },
    ack_floor: { consumer_seq: floor[0], stream_seq: floor[1] },
    num_ack_pending: 0,
    num_redelivered: 0,
    num_waiting: 0,
    num_pending: 0,
  };
}

describe('doneUpTo', () => {
  it('is the ack floor of a consumer in the middle of a batch (fetched 15, acknowledged 10)', () => {
    expect(doneUpTo(consumer({ durable_name: 'c', deliver_policy: 'all' }, [15, 15], [10, 10]))).toBe(10);
  });

  it('is where a consumer starts when it was given nothing yet (2.9 reports an ack floor of 0)', () => {
    // deliver_policy new created on a stream at 20: 2.9 says delivered 20, floor 0; 2.15 floor 20.
    expect(doneUpTo(consumer({ durable_name: 'c', deliver_policy: 'new' }, [0, 20], [0, 0]))).toBe(20);
    expect(doneUpTo(consumer({ durable_name: 'c', deliver_policy: 'new' }, [0, 20], [0, 20]))).toBe(20);
    expect(doneUpTo(consumer({ durable_name: 'c', deliver_policy: 'by_start_sequence', opt_start_seq: 100 }, [0, 20], [0, 0]))).toBe(99);
  });

  it('never goes below the start of a by_start_sequence consumer, and is 0 for a fresh deliver-all one', () => {
    expect(doneUpTo(consumer({ durable_name: 'c', deliver_policy: 'by_start_sequence', opt_start_seq: 50 }, [3, 52], [1, 50]))).toBe(50);
    expect(doneUpTo(consumer({ durable_name: 'c', deliver_policy: 'all' }, [0, 0], [0, 0]))).toBe(0);
  });
});

describe('consumer records', () => {
  const config: ServerConsumerConfig = {
    durable_name: 'billing',
    name: 'billing',
    ack_policy: 'explicit',
    deliver_subject: 'deliver.billing',
    filter_subject: 'orders.b',
    metadata: { '_nats.level': '1', '_nats.ver': '2.15.1', team: 'payments' },
  };

  it('leaves out what the server filled in', () => {
    expect(portableConfig(config).metadata).toEqual({ team: 'payments' });
    expect(portableConfig({ durable_name: 'x', metadata: { '_nats.ver': '2.15.1' } })).toEqual({ durable_name: 'x' });
  });

  it('keeps a consumer on the copy as an unread pull consumer at its position, with its config in the description', () => {
    const record = { name: 'billing', config: portableConfig(config), startSeq: 11 };
    const kept = recordConfig(record) as ServerConsumerConfig;
    expect(kept).toMatchObject({ durable_name: 'billing', deliver_policy: 'by_start_sequence', opt_start_seq: 11 });
    expect(kept.deliver_subject).toBeUndefined();
    expect(readRecord(consumer(kept, [0, 10], [0, 10]))).toEqual(record);
  });

  it('refuses a config too large for a description, and reads an ordinary consumer as no record', () => {
    expect(recordConfig({ name: 'big', config: { durable_name: 'big', description: 'x'.repeat(4_100) }, startSeq: 1 })).toBeUndefined();
    expect(readRecord(consumer({ durable_name: 'plain', description: 'not a record', opt_start_seq: 3 }, [0, 0], [0, 0]))).toBeUndefined();
    expect(readRecord(consumer({ durable_name: 'plain', deliver_policy: 'all' }, [0, 0], [0, 0]))).toBeUndefined();
  });

  it('moves a consumer to by_start_sequence and says in metadata how it was declared', () => {
    const moved = movedConfig(
      { durable_name: 'late', deliver_policy: 'by_start_time', opt_start_time: '2026-01-01T00:00:00Z', metadata: { team: 'x' } },
      42,
    );
    expect(moved).toMatchObject({ deliver_policy: 'by_start_sequence', opt_start_seq: 42 });
    expect(moved.opt_start_time).toBeUndefined();
    expect(moved.metadata?.team).toBe('x');
    expect(movedFrom(moved)).toEqual({ deliver_policy: 'by_start_time', opt_start_time: '2026-01-01T00:00:00Z', start_seq: 42 });
    expect(movedFrom({ durable_name: 'plain' })).toBeUndefined();
    expect(movedFrom({ durable_name: 'odd', metadata: { [MOVED_METADATA_KEY]: 'not json' } })).toBeUndefined();
  });

  it('tells durable consumers from ephemeral ones', () => {
    expect(isDurable(consumer({ durable_name: 'd' }, [0, 0], [0, 0]))).toBe(true);
    expect(isDurable(consumer({ name: 'eph' }, [0, 0], [0, 0]))).toBe(false);
  });
});
