import { invalidErrorOf } from '../../spec-support/invalid-error.js';
import { normalizeConsumers } from './consumer-config.js';
import type { ConsumerDeclaration } from './consumer-declaration.js';
import { normalizeStreamConfig } from './stream-config.js';

const SECOND = 1e9;
const SUBJECTS = ['orders.>'];
const one = (declaration: Partial<ConsumerDeclaration> & Record<string, unknown>) =>
  normalizeConsumers('orders', [{ durable_name: 'c', ...declaration }], SUBJECTS)[0].config;

const problem = (consumers: unknown, retention?: string) =>
  invalidErrorOf(() => normalizeConsumers('orders', consumers, SUBJECTS, retention));

describe('normalizeConsumers', () => {
  it("fills in what the server fills in for a pull consumer, with the library's explicit acks", () => {
    expect(one({})).toEqual({
      durable_name: 'c',
      deliver_policy: 'all',
      ack_policy: 'explicit',
      ack_wait: 30 * SECOND,
      max_deliver: -1,
      replay_policy: 'instant',
      max_waiting: 512,
      max_ack_pending: 1000,
      num_replicas: 0,
    });
  });

  it('gives a push consumer no max_waiting, and one without acks no ack_wait nor max_ack_pending', () => {
    const push = one({ deliver_subject: 'deliver.c', ack_policy: 'none' });

    expect(push).toEqual({
      durable_name: 'c',
      deliver_policy: 'all',
      ack_policy: 'none',
      max_deliver: -1,
      replay_policy: 'instant',
      num_replicas: 0,
      deliver_subject: 'deliver.c',
    });
  });

  it("converts durations ('30s' or milliseconds) to nanoseconds, and takes ack_wait from the first backoff step as the server does", () => {
    expect(one({ ack_wait: '45s', max_expires: 1500, idle_heartbeat: '5s', deliver_subject: 'd' })).toMatchObject({
      ack_wait: 45 * SECOND,
      max_expires: 1.5 * SECOND,
      idle_heartbeat: 5 * SECOND,
    });
    expect(one({ backoff: ['1s', 5000], max_deliver: 3 })).toMatchObject({ backoff: [SECOND, 5 * SECOND], ack_wait: SECOND });
  });

  it('names the consumer and the field of the first problem', () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [[{ durable_name: 'c', ack_policy: 'manual' }], 'consumers.c.ack_policy', /allowed values are 'none', 'all', 'explicit'/],
      [[{ durable_name: 'c', max_deliver: -2 }], 'consumers.c.max_deliver', /from -1 \(unlimited\)/],
      [
        [{ durable_name: 'c', idle_heartbeat: '50ms', deliver_subject: 'd' }],
        'consumers.c.idle_heartbeat',
        /below the server's minimum of 100ms/,
      ],
      [[{ durable_name: 'c', backoff: ['1s', 'later'] }], 'consumers.c.backoff[1]', /is not a duration/],
      [[{ durable_name: 'c', filter_subjects: ['orders.a', 'orders.*'] }], 'consumers.c.filter_subjects', /overlap/],
      [
        [{ durable_name: 'c', filter_subject: 'orders.a', filter_subjects: ['orders.b'] }],
        'consumers.c.filter_subjects',
        /cannot be combined with filter_subject/,
      ],
      [[{ durable_name: 'c', deliver_subject: 'deliver.*' }], 'consumers.c.deliver_subject', /wildcard/],
      [[{ durable_name: 'c', deliver_subject: 'd', max_waiting: 10 }], 'consumers.c.max_waiting', /pull consumers only/],
      [[{ durable_name: 'c', max_waiting: 2 ** 31 }], 'consumers.c.max_waiting', /100000/],
      [[{ durable_name: 'c', deliver_subject: 'orders.deliver' }], 'consumers.c.deliver_subject', /among the stream's own subjects/],
      [[{ durable_name: 'c', deliver_subject: 'd', flow_control: true }], 'consumers.c.flow_control', /needs idle_heartbeat/],
      [[{ durable_name: 'c', opt_start_seq: 4 }], 'consumers.c.opt_start_seq', /needs deliver_policy 'by_start_sequence'/],
      [[{ durable_name: 'c', deliver_policy: 'by_start_time', opt_start_time: 'yesterday' }], 'consumers.c.opt_start_time', /RFC 3339/],
      [[{ durable_name: 'c', deliver_policy: 'last_per_subject' }], 'consumers.c.deliver_policy', /needs filter_subject/],
      [[{ durable_name: 'c', metadata: { 'nestjs-jetstream-streams.migrated': '{}' } }], 'consumers.c.metadata', /reserved for migrations/],
      [[{ durable_name: 'c', sample_freq: '150%' }], 'consumers.c.sample_freq', /percentage/],
      [[{ durable_name: '' }], 'consumers[0].durable_name', /must not be empty/],
      [[{ durable_name: 'a b' }], 'consumers[0].durable_name', /whitespace/],
      [[null], 'consumers[0]', /must be an object with a durable_name/],
      [{ durable_name: 'c' }, 'consumers', /must be a list/],
    ];
    for (const [consumers, field, reason] of cases) {
      const error = problem(consumers);
      expect({ field: error.field, stream: error.stream }).toEqual({ field, stream: 'orders' });
      expect(error.reason).toMatch(reason);
    }
  });

  it("refuses a filter that none of the stream's subjects can match, but takes any filter on a stream without subjects", () => {
    expect(problem([{ durable_name: 'c', filter_subject: 'payments.x' }]).reason).toMatch(
      /matches none of the stream's subjects \(orders\.>\)/,
    );
    expect(normalizeConsumers('copy', [{ durable_name: 'c', filter_subject: 'payments.x' }], [])[0].config.filter_subject).toBe(
      'payments.x',
    );
  });

  it('checks what a work-queue stream requires of its consumers before any request', () => {
    const cases: Array<[unknown[], string, RegExp]> = [
      [[{ durable_name: 'c', ack_policy: 'none' }], 'consumers.c.ack_policy', /must be 'explicit' on a work-queue stream, got 'none'/],
      [[{ durable_name: 'c', deliver_policy: 'last' }], 'consumers.c.deliver_policy', /must be 'all'/],
      [[{ durable_name: 'a' }, { durable_name: 'b' }], 'consumers.b.filter_subjects', /overlaps consumer "a" on >/],
      [
        [
          { durable_name: 'a', filter_subject: 'orders.x' },
          { durable_name: 'b', filter_subjects: ['orders.*'] },
        ],
        'consumers.b.filter_subjects',
        /overlaps consumer "a" on orders\.\*/,
      ],
    ];
    for (const [consumers, field, reason] of cases) {
      const error = problem(consumers, 'workqueue');
      expect(error.field).toBe(field);
      expect(error.reason).toMatch(reason);
      expect(error.reason).toMatch(/retention is 'workqueue'/);
    }
    const apart = [
      { durable_name: 'a', filter_subject: 'orders.a' },
      { durable_name: 'b', filter_subject: 'orders.b' },
    ];
    expect(normalizeConsumers('orders', apart, SUBJECTS, 'workqueue').map((c) => c.name)).toEqual(['a', 'b']);
    expect(normalizeConsumers('orders', [{ durable_name: 'a' }, { durable_name: 'b' }], SUBJECTS, 'limits')).toHaveLength(2);
  });

  it('reads only own properties: an inherited field changes nothing', () => {
    const inherited = Object.assign(Object.create({ ack_policy: 'none', max_deliver: 2 }) as object, { durable_name: 'c' });

    expect(normalizeConsumers('orders', [inherited], SUBJECTS)[0].config).toMatchObject({ ack_policy: 'explicit', max_deliver: -1 });
  });

  it('is reached through a stream declaration, which checks the filters against its own subjects', () => {
    const desired = normalizeStreamConfig({
      name: 'orders',
      subjects: ['orders.*'],
      consumers: [{ durable_name: 'billing', filter_subject: 'orders.created' }],
    });

    expect(desired.consumers?.map((c) => c.name)).toEqual(['billing']);
    expect(normalizeStreamConfig({ name: 'orders', subjects: ['orders.*'] }).consumers).toBeUndefined();
    expect(() =>
      normalizeStreamConfig({ name: 'orders', subjects: ['orders.*'], consumers: [{ durable_name: 'b', filter_subject: 'orders.a.b' }] }),
    ).toThrow(/consumers\.b\.filter_subject 'orders\.a\.b' matches none/);
  });

  it('checks pauses and priority groups (nats-server 2.11+) as the server does, before any request', () => {
    expect(
      one({ pause_until: '2099-01-02T03:04:05Z', priority_groups: ['jobs'], priority_policy: 'pinned_client', priority_timeout: '30s' }),
    ).toMatchObject({
      pause_until: '2099-01-02T03:04:05Z',
      priority_groups: ['jobs'],
      priority_policy: 'pinned_client',
      priority_timeout: 30 * SECOND,
    });
    expect(problem([{ durable_name: 'c', pause_until: 'tomorrow' }])?.field).toBe('consumers.c.pause_until');
    expect(problem([{ durable_name: 'c', pause_until: '2999-12-31T23:59:59Z' }])?.reason).toMatch(/reserved for migrations/);
    expect(problem([{ durable_name: 'c', priority_groups: ['jobs'] }])?.field).toBe('consumers.c.priority_groups');
    expect(problem([{ durable_name: 'c', priority_policy: 'overflow' }])?.field).toBe('consumers.c.priority_policy');
    expect(problem([{ durable_name: 'c', priority_groups: ['a.b'], priority_policy: 'overflow' }])?.reason).toMatch(/not a group name/);
    expect(problem([{ durable_name: 'c', priority_groups: ['a', 'a'], priority_policy: 'overflow' }])?.reason).toMatch(/twice/);
    expect(problem([{ durable_name: 'c', priority_groups: ['a'], priority_policy: 'overflow', priority_timeout: '1s' }])?.field).toBe(
      'consumers.c.priority_timeout',
    );
    expect(problem([{ durable_name: 'c', priority_groups: ['a'], priority_policy: 'overflow', deliver_subject: 'd.c' }])?.reason).toMatch(
      /pull consumers only/,
    );
  });
});
