import type { ServerConsumerConfig, ServerConsumerInfo } from '../server/server-consumer.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { ServerVersion } from '../server/server-version.js';
import {
  assessConsumerLoss,
  heldSubjectsToRead,
  outsideScope,
  streamScope,
  type ConsumerChange,
  type PeerConsumer,
} from './consumer-loss.js';

const v215 = ServerVersion.parse('2.15.1');
const v29 = ServerVersion.parse('2.9.10');

function stream(retention = 'interest', subjects = ['s.>']): ServerStreamInfo {
  return {
    config: { name: 's', subjects, retention },
    state: { messages: 40, bytes: 4_000, first_seq: 1, last_seq: 40, consumer_count: 2 },
  } as unknown as ServerStreamInfo;
}

/** A consumer on the server: `filters` (none: the whole stream), and how far it is. */
function consumer(
  name: string,
  filters?: string[],
  at: { pending?: number; ackPending?: number; floor?: number } = {},
  config: Partial<ServerConsumerConfig> = {},
) {
  return {
    name,
    config: { durable_name: name, deliver_policy: 'all', ...(filters ? { filter_subjects: filters } : {}), ...config },
    num_pending: at.pending ?? 7,
    num_ack_pending: at.ackPending ?? 3,
    ack_floor: { stream_seq: at.floor ?? 30, consumer_seq: 0 },
  } as unknown as ServerConsumerInfo;
}

function change(fields: Partial<ConsumerChange> & Pick<ConsumerChange, 'consumer' | 'desired'>): ConsumerChange {
  const on = fields.stream ?? stream();
  return { stream: on, scope: streamScope(on.config), peers: [], version: v215, ...fields };
}

const peer = (current: ServerConsumerInfo | null, desired?: ServerConsumerConfig): PeerConsumer => ({
  current,
  desired: desired ?? (current?.config as ServerConsumerConfig),
});

describe('assessConsumerLoss: a narrower filter', () => {
  it('counts what the consumer has not acknowledged, on every version (2.9 deletes at the next consumer deletion)', () => {
    const narrowed = { consumer: consumer('c', ['s.>']), desired: { filter_subjects: ['s.a'] } };

    expect(assessConsumerLoss(change(narrowed))).toEqual({
      messages: 10,
      bytes: 1_000,
      exact: false,
      fields: [
        {
          field: 'consumers.c.filter_subjects',
          current: ['s.>'],
          desired: ['s.a'],
          held: '10 messages it has not acknowledged, those on s.> that no other consumer needs',
          messages: 10,
          bytes: 1_000,
          kind: 'consumer-filter',
          consumer: 'c',
        },
      ],
    });
    expect(assessConsumerLoss(change({ ...narrowed, version: v29 }))?.fields[0].held).toMatch(
      /nats-server 2\.9 deletes them at the next deletion of a consumer/,
    );
    expect(assessConsumerLoss(change({ consumer: consumer('c'), desired: { filter_subject: 's.a' } }))?.messages).toBe(10);
  });

  it('loses nothing when another declared consumer follows the subjects now and as declared, from no later a position', () => {
    const narrowed = { consumer: consumer('c', ['s.>'], { floor: 30 }), desired: { filter_subjects: ['s.a'] } };
    const allOthers = consumer('d', ['s.b', 's.*.>'], { floor: 35 });
    const everything = consumer('e', undefined, { floor: 31 }, { deliver_policy: 'new' });

    expect(assessConsumerLoss(change({ ...narrowed, peers: [peer(consumer('d', ['s.>'], { floor: 35 }))] }))).toBeUndefined();
    // The union of a peer's filters and the consumer's new one covers what it stops following.
    expect(
      assessConsumerLoss(change({ ...narrowed, peers: [peer(allOthers)], stream: stream('interest', ['s.a', 's.b', 's.*.>']) })),
    ).toBeUndefined();
    expect(
      assessConsumerLoss(change({ ...narrowed, peers: [peer(allOthers)], stream: stream('interest', ['s.*', 's.*.>']) }))?.fields[0].held,
    ).toMatch(/those on s\.\* /);
    // A peer that started later and is past this consumer's floor never wanted the older messages.
    expect(assessConsumerLoss(change({ ...narrowed, peers: [peer(everything)] }))?.messages).toBe(10);
    expect(
      assessConsumerLoss(change({ ...narrowed, peers: [peer(consumer('e', undefined, { floor: 29 }, { deliver_policy: 'new' }))] })),
    ).toBeUndefined();
    // A peer that is narrowing too, that does not exist yet, or that may expire covers nothing.
    expect(assessConsumerLoss(change({ ...narrowed, peers: [peer(consumer('d', ['s.>']), { filter_subjects: ['s.a'] })] }))?.messages).toBe(
      10,
    );
    expect(assessConsumerLoss(change({ ...narrowed, peers: [peer(null, { filter_subject: 's.>' })] }))?.messages).toBe(10);
    expect(
      assessConsumerLoss(change({ ...narrowed, peers: [peer(consumer('d', ['s.>']), { filter_subject: 's.>', inactive_threshold: 5e9 })] }))
        ?.messages,
    ).toBe(10);
  });

  it("compares coverage within what the stream can hold: 'x.>' -> ['x.a.>', 'x.b.>'] on a stream of those two is no narrowing", () => {
    const split = { consumer: consumer('c', ['x.>']), desired: { filter_subjects: ['x.a.>', 'x.b.>'] } };

    expect(assessConsumerLoss(change({ ...split, stream: stream('interest', ['x.a.>', 'x.b.>']) }))).toBeUndefined();
    expect(assessConsumerLoss(change({ ...split, stream: stream('interest', ['x.>']) }))?.fields[0].held).toMatch(/those on x\.> /);
    // Messages held on a subject the stream no longer captures still count.
    expect(
      assessConsumerLoss(change({ ...split, stream: stream('interest', ['x.a.>', 'x.b.>']), heldOutsideScope: ['x.c.1'] }))?.fields[0].held,
    ).toMatch(/those on x\.c\.1 /);
  });

  it('finds nothing for a wider or equal filter, nothing unacknowledged, or a limits or work-queue stream', () => {
    expect(assessConsumerLoss(change({ consumer: consumer('c', ['s.a']), desired: { filter_subjects: ['s.*'] } }))).toBeUndefined();
    expect(
      assessConsumerLoss(change({ consumer: consumer('c', ['s.a', 's.b']), desired: { filter_subjects: ['s.b', 's.a'] } })),
    ).toBeUndefined();
    expect(assessConsumerLoss(change({ consumer: consumer('c', ['s.a']), desired: {} }))).toBeUndefined();
    expect(
      assessConsumerLoss(change({ consumer: consumer('c', ['s.>'], { pending: 0, ackPending: 0 }), desired: { filter_subject: 's.a' } })),
    ).toBeUndefined();
    for (const retention of ['limits', 'workqueue']) {
      expect(
        assessConsumerLoss(change({ stream: stream(retention), consumer: consumer('c', ['s.>']), desired: { filter_subject: 's.a' } })),
      ).toBeUndefined();
    }
  });
});

describe('assessConsumerLoss: an inactive_threshold', () => {
  it('is a loss when added or lowered, even with nothing pending: the server deletes the consumer and what only it needs', () => {
    const caughtUp = consumer('c', undefined, { pending: 0, ackPending: 0 });

    const loss = assessConsumerLoss(change({ consumer: caughtUp, desired: { inactive_threshold: 2e9 } }));

    expect(loss).toMatchObject({
      messages: 0,
      fields: [{ field: 'consumers.c.inactive_threshold', current: undefined, desired: 2e9, kind: 'consumer-expiry' }],
    });
    expect(loss?.fields[0].held).toBe(
      'the 0 messages it has not acknowledged, and every later one on s.>: once it has had no client for 2s the server deletes the consumer, and with it the messages no other consumer needs',
    );
    expect(
      assessConsumerLoss(
        change({ consumer: consumer('c', undefined, {}, { inactive_threshold: 60e9 }), desired: { inactive_threshold: 2e9 } }),
      )?.messages,
    ).toBe(10);
    expect(
      assessConsumerLoss(
        change({ consumer: consumer('c', undefined, {}, { inactive_threshold: 2e9 }), desired: { inactive_threshold: 60e9 } }),
      ),
    ).toBeUndefined();
  });

  it("counts the stream's consumer_limits.inactive_threshold, which an update without one gives the consumer", () => {
    const loss = assessConsumerLoss(change({ consumer: consumer('c'), desired: { max_deliver: 3 }, streamThreshold: 5e9 }));

    expect(loss?.fields[0]).toMatchObject({ field: 'consumers.c.inactive_threshold', desired: 5e9 });
    expect(loss?.fields[0].held).toMatch(/the stream's consumer_limits\.inactive_threshold/);
  });

  it('loses nothing when other declared consumers follow all its subjects, or on a work-queue stream', () => {
    const expiring = { consumer: consumer('c', ['s.a']), desired: { filter_subjects: ['s.a'], inactive_threshold: 2e9 } };

    expect(assessConsumerLoss(change({ ...expiring, peers: [peer(consumer('d', ['s.*']))] }))).toBeUndefined();
    expect(assessConsumerLoss(change({ ...expiring, peers: [peer(consumer('d', ['s.b']))] }))?.fields[0].kind).toBe('consumer-expiry');
    expect(assessConsumerLoss(change({ ...expiring, stream: stream('workqueue') }))).toBeUndefined();
  });
});

describe('heldSubjectsToRead', () => {
  it('asks for the held subjects only when the stream scope alone lets a narrowing through', () => {
    const split = { consumer: consumer('c', ['x.>']), desired: { filter_subjects: ['x.a.>', 'x.b.>'] } };
    const narrow = stream('interest', ['x.a.>', 'x.b.>']);

    expect(heldSubjectsToRead(change({ ...split, stream: narrow }))).toEqual(['x.>']);
    expect(heldSubjectsToRead(change({ ...split, stream: stream('interest', ['x.>']) }))).toEqual([]);
    expect(
      heldSubjectsToRead(change({ ...split, stream: narrow, consumer: consumer('c', ['x.>'], { pending: 0, ackPending: 0 }) })),
    ).toEqual([]);
    expect(heldSubjectsToRead(change({ ...split, stream: stream('limits', ['x.a.>', 'x.b.>']) }))).toEqual([]);
    expect(outsideScope(['x.a.1', 'x.c.1', 'y'], ['x.a.>', 'x.b.>'])).toEqual(['x.c.1', 'y']);
  });
});

describe('streamScope', () => {
  it("is the stream's subjects now and as declared, or anything when its stored subjects are not its own", () => {
    expect(streamScope({ subjects: ['a.>'] }, { subjects: ['a.>', 'b'] })).toEqual(['a.>', 'b']);
    expect(streamScope({ subjects: ['a.>'], subject_transform: { src: 'a.>', dest: 'b.>' } })).toEqual(['>']);
    expect(streamScope({ sources: [{ name: 'o' }] })).toEqual(['>']);
  });
});
