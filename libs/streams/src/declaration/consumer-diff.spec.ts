import { normalizeConsumers } from './consumer-config.js';
import type { ConsumerDeclaration } from './consumer-declaration.js';
import { consumerSupportProblem, consumerUpdateRequest, diffConsumerConfig, needsConsumerUpdate } from './consumer-diff.js';
import { MOVED_CONSUMER_METADATA_KEY } from './moved-consumer.js';
import type { ServerConsumerConfig } from '../server/server-consumer.js';
import { ServerVersion } from '../server/server-version.js';

const V29 = ServerVersion.parse('2.9.10');
const V215 = ServerVersion.parse('2.15.1');
const SECOND = 1e9;
const NATS_META = { '_nats.level': '5', '_nats.req.level': '0', '_nats.ver': '2.15.1' };
const desired = (declaration: Omit<ConsumerDeclaration, 'durable_name'> = {}) =>
  normalizeConsumers('S', [{ durable_name: 'P', ...declaration }], ['orders.*'])[0].config;

/** What the servers store for `{ durable_name: 'P', ack_policy: 'explicit' }` (FINDINGS.md D.3). */
const STORED_PULL_29: ServerConsumerConfig = {
  durable_name: 'P',
  deliver_policy: 'all',
  ack_policy: 'explicit',
  ack_wait: 30 * SECOND,
  max_deliver: -1,
  replay_policy: 'instant',
  max_waiting: 512,
  max_ack_pending: 1000,
  num_replicas: 0,
};
const STORED_PULL_215: ServerConsumerConfig = { ...STORED_PULL_29, name: 'P', metadata: NATS_META };

describe('diffConsumerConfig', () => {
  it("finds a consumer as the servers store it equal to its declaration: the server's fill-ins are no change", () => {
    expect(diffConsumerConfig(desired(), STORED_PULL_29, V29, 1)).toEqual({ changes: [], conflicts: [] });
    expect(diffConsumerConfig(desired(), STORED_PULL_215, V215, 1)).toEqual({ changes: [], conflicts: [] });
    const push = {
      durable_name: 'P',
      deliver_policy: 'all',
      ack_policy: 'none',
      max_deliver: -1,
      replay_policy: 'instant',
      deliver_subject: 'dlv.P',
      num_replicas: 0,
    } as const;
    expect(diffConsumerConfig(desired({ ack_policy: 'none', deliver_subject: 'dlv.P' }), push, V29, 1).changes).toEqual([]);
  });

  it('ignores the ack_wait the server derives from a backoff, filter order, the spelling of a start time and a 0 replica count', () => {
    const backoff = { ...STORED_PULL_29, ack_wait: SECOND, backoff: [SECOND, 2 * SECOND], max_deliver: 3 };
    expect(diffConsumerConfig(desired({ backoff: ['1s', '2s'], max_deliver: 3 }), backoff, V29, 1).changes).toEqual([]);
    const filters = { ...STORED_PULL_215, filter_subjects: ['orders.b', 'orders.a'] };
    expect(diffConsumerConfig(desired({ filter_subjects: ['orders.a', 'orders.b'] }), filters, V215, 1).changes).toEqual([]);
    const time = { ...STORED_PULL_215, deliver_policy: 'by_start_time', opt_start_time: '2024-01-02T05:04:05.123+02:00' } as const;
    expect(
      diffConsumerConfig(desired({ deliver_policy: 'by_start_time', opt_start_time: '2024-01-02T03:04:05.123000Z' }), time, V215, 1)
        .changes,
    ).toEqual([]);
    expect(diffConsumerConfig(desired({ num_replicas: 3 }), STORED_PULL_215, V215, 3).changes).toEqual([]);
    expect(diffConsumerConfig(desired({ num_replicas: 1 }), STORED_PULL_215, V215, 3).changes).toEqual([
      { field: 'num_replicas', current: 3, desired: 1 },
    ]);
  });

  it('lists changes in table order, and as conflicts those the server refuses in place', () => {
    const diff = diffConsumerConfig(desired({ ack_policy: 'all', ack_wait: '10s', max_deliver: 5 }), STORED_PULL_29, V29, 1);

    expect(diff.changes).toEqual([
      { field: 'ack_policy', current: 'explicit', desired: 'all' },
      { field: 'ack_wait', current: 30 * SECOND, desired: 10 * SECOND },
      { field: 'max_deliver', current: -1, desired: 5 },
    ]);
    expect(diff.conflicts).toEqual([
      {
        field: 'ack_policy',
        current: 'explicit',
        desired: 'all',
        reason: 'the server cannot change the ack policy of an existing consumer',
      },
    ]);
  });

  it('knows what each version cannot change: mem_storage on 2.10+ only, push <-> pull on both', () => {
    const mem = desired({ mem_storage: true });
    expect(diffConsumerConfig(mem, STORED_PULL_29, V29, 1).conflicts).toEqual([]);
    expect(diffConsumerConfig(mem, STORED_PULL_215, V215, 1).conflicts.map((c) => c.field)).toEqual(['mem_storage']);
    const push = diffConsumerConfig(desired({ deliver_subject: 'dlv.P' }), STORED_PULL_29, V29, 1);
    expect(push.conflicts.map((c) => [c.field, c.reason])).toEqual([
      ['max_waiting', 'the server cannot change the max_waiting of an existing consumer'],
      ['deliver_subject', 'a pull consumer cannot become a push consumer (deliver_subject)'],
    ]);
  });

  it("matches a consumer a migration moved to 'by_start_sequence': by its metadata record on 2.10+, by its policy on 2.9", () => {
    const record = JSON.stringify({ deliver_policy: 'new', start_seq: 41 });
    const moved = {
      ...STORED_PULL_215,
      deliver_policy: 'by_start_sequence',
      opt_start_seq: 41,
      metadata: { ...NATS_META, [MOVED_CONSUMER_METADATA_KEY]: record, team: 'a' },
    } as const;

    expect(diffConsumerConfig(desired({ deliver_policy: 'new', metadata: { team: 'a' } }), moved, V215, 1).changes).toEqual([]);
    expect(
      diffConsumerConfig(desired({ deliver_policy: 'all', metadata: { team: 'a' } }), moved, V215, 1).conflicts.map((c) => c.field),
    ).toEqual(['deliver_policy']);
    const elsewhere = { ...moved, opt_start_seq: 7 };
    // A record that no longer fits the consumer's start (moved again by hand) is not believed.
    expect(
      diffConsumerConfig(desired({ deliver_policy: 'new', metadata: { team: 'a' } }), elsewhere, V215, 1).conflicts.map((c) => c.field),
    ).toEqual(['deliver_policy', 'opt_start_seq']);
    const moved29 = { ...STORED_PULL_29, deliver_policy: 'by_start_sequence', opt_start_seq: 41 } as const;
    expect(diffConsumerConfig(desired({ deliver_policy: 'last' }), moved29, V29, 1).changes).toEqual([]);
    expect(
      diffConsumerConfig(desired({ deliver_policy: 'by_start_sequence', opt_start_seq: 5 }), moved29, V29, 1).conflicts.map((c) => c.field),
    ).toEqual(['opt_start_seq']);
  });
});

describe('consumerUpdateRequest', () => {
  it("sends the server's config with each differing field set or removed, keeping a migration's record in new metadata", () => {
    const current: ServerConsumerConfig = {
      ...STORED_PULL_215,
      deliver_policy: 'by_start_sequence',
      opt_start_seq: 9,
      description: 'old',
      priority_policy: 'none',
      metadata: { ...NATS_META, [MOVED_CONSUMER_METADATA_KEY]: JSON.stringify({ deliver_policy: 'all', start_seq: 9 }) },
    };
    const wanted = desired({ max_deliver: 4, metadata: { team: 'b' } });
    const diff = diffConsumerConfig(wanted, current, V215, 1);

    expect(diff.changes.map((c) => c.field)).toEqual(['description', 'max_deliver', 'metadata']);
    const request = consumerUpdateRequest(wanted, current, diff);
    expect(request).toMatchObject({ deliver_policy: 'by_start_sequence', opt_start_seq: 9, max_deliver: 4, priority_policy: 'none' });
    expect(request.description).toBeUndefined();
    expect(request.metadata).toEqual({
      ...NATS_META,
      team: 'b',
      [MOVED_CONSUMER_METADATA_KEY]: JSON.stringify({ deliver_policy: 'all', start_seq: 9 }),
    });
  });
});

describe('consumerSupportProblem', () => {
  it('refuses on 2.9 what it would silently drop, and a backoff it refuses; nothing on 2.15', () => {
    expect(consumerSupportProblem(desired({ filter_subjects: ['orders.a'] }), V29, false)?.[0]).toBe('filter_subjects');
    expect(consumerSupportProblem(desired({ metadata: { a: 'b' } }), V29, false)?.[1]).toMatch(
      /needs nats-server 2\.10\.0 or newer; the server is 2\.9\.10, which would silently drop it/,
    );
    expect(consumerSupportProblem(desired({ backoff: ['1s', '2s'] }), V29, false)?.[0]).toBe('max_deliver');
    expect(consumerSupportProblem(desired({ backoff: ['1s', '2s'], max_deliver: 3 }), V29, false)).toBeUndefined();
    expect(
      consumerSupportProblem(desired({ filter_subjects: ['orders.a'], metadata: { a: 'b' }, backoff: ['1s'] }), V215, false),
    ).toBeUndefined();
    expect(consumerSupportProblem(desired({ num_replicas: 3 }), V215, false)?.[0]).toBe('num_replicas');
    expect(consumerSupportProblem(desired({ num_replicas: 3 }), V215, true)).toBeUndefined();
  });
});

describe('pauses and priority groups', () => {
  const V211 = ServerVersion.parse('2.11.0');

  it('reads a pause that has passed as none, the spelling of a pause as nothing, and a migration placing the consumer as no drift', () => {
    const paused = { ...STORED_PULL_215, pause_until: '2099-01-02T03:04:05Z' };
    expect(diffConsumerConfig(desired({ pause_until: '2099-01-02T04:04:05+01:00' }), paused, V215, 1).changes).toEqual([]);
    expect(diffConsumerConfig(desired({ pause_until: '2001-01-01T00:00:00Z' }), STORED_PULL_215, V215, 1).changes).toEqual([]);
    expect(diffConsumerConfig(desired(), { ...STORED_PULL_215, pause_until: '2001-01-01T00:00:00Z' }, V215, 1).changes).toEqual([]);
    expect(diffConsumerConfig(desired(), paused, V215, 1).changes.map((c) => c.field)).toEqual(['pause_until']);
    expect(diffConsumerConfig(desired(), { ...STORED_PULL_215, pause_until: '2999-12-31T23:59:59Z' }, V215, 1).changes).toEqual([]);
  });

  it('leaves the pause out of an update (the pause API changes it) and updates nothing when only the pause differs', () => {
    const paused = { ...STORED_PULL_215, pause_until: '2099-01-02T03:04:05Z' };
    const diff = diffConsumerConfig(desired({ max_deliver: 3 }), paused, V215, 1);
    expect(consumerUpdateRequest(desired({ max_deliver: 3 }), paused, diff).pause_until).toBe('2099-01-02T03:04:05Z');
    expect(needsConsumerUpdate(diff)).toBe(true);
    expect(needsConsumerUpdate(diffConsumerConfig(desired(), paused, V215, 1))).toBe(false);
  });

  it('compares priority groups in any order, and refuses them, and prioritized, where the server does not know them', () => {
    const groups = { ...STORED_PULL_215, priority_groups: ['a', 'b'], priority_policy: 'overflow' as const };
    expect(diffConsumerConfig(desired({ priority_groups: ['b', 'a'], priority_policy: 'overflow' }), groups, V215, 1).changes).toEqual([]);
    expect(consumerSupportProblem(desired({ priority_groups: ['a'], priority_policy: 'overflow' }), V29, false)?.[0]).toBe(
      'priority_groups',
    );
    expect(consumerSupportProblem(desired({ priority_groups: ['a'], priority_policy: 'prioritized' }), V211, false)).toEqual([
      'priority_policy',
      '"prioritized" needs nats-server 2.12.0 or newer; the server is 2.11.0, which would silently drop it',
    ]);
    expect(consumerSupportProblem(desired({ priority_groups: ['a'], priority_policy: 'prioritized' }), V215, false)).toBeUndefined();
  });
});
