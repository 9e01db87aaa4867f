import type { ServerStreamInfo } from '../server/server-stream.js';
import type { ServerConsumerInfo } from '../server/server-consumer.js';
import { assessConsumerLoss, assessDataLoss, neededProbes } from './data-loss.js';
import { ServerVersion } from '../server/server-version.js';
import { normalizeStreamConfig, type DesiredStream } from '../declaration/stream-config.js';
import type { StreamDeclaration } from '../declaration/stream-declaration.js';

const v210 = ServerVersion.parse('2.10.0');
const v29 = ServerVersion.parse('2.9.10');
const NOW = Date.parse('2026-11-28T12:00:00Z');

/** A stream on the server: unlimited unless `config` says otherwise, holding `state`. */
function current(config: Record<string, unknown> = {}, state: Record<string, unknown> = {}): ServerStreamInfo {
  return {
    config: {
      name: 's',
      subjects: ['s.>'],
      retention: 'limits',
      max_msgs: -1,
      max_bytes: -1,
      max_age: 0,
      max_msgs_per_subject: -1,
      ...config,
    },
    state: {
      messages: 40,
      bytes: 4_000,
      first_seq: 1,
      last_seq: 40,
      first_ts: '2026-11-28T11:59:00Z',
      last_ts: '2026-11-28T11:59:59Z',
      consumer_count: 0,
      ...state,
    },
  } as unknown as ServerStreamInfo;
}

const declared = (fields: Partial<StreamDeclaration>): DesiredStream =>
  normalizeStreamConfig({ name: 's', subjects: ['s.>'], max_age: 0, max_msgs: -1, max_msgs_per_subject: -1, ...fields });

describe('assessDataLoss', () => {
  it('finds nothing when the stream is empty or every new limit is above what it holds', () => {
    expect(assessDataLoss(declared({ max_msgs: 10 }), current({}, { messages: 0, bytes: 0 }), {}, v210)).toBeUndefined();
    expect(assessDataLoss(declared({ max_msgs: 500, max_bytes: 10_000 }), current(), {}, v210)).toBeUndefined();
  });

  it('counts the oldest messages over a lower max_msgs, and bytes in proportion', () => {
    const loss = assessDataLoss(declared({ max_msgs: 10 }), current(), {}, v210);

    expect(loss).toEqual({
      messages: 30,
      bytes: 3_000,
      exact: true,
      fields: [{ field: 'max_msgs', current: -1, desired: 10, held: '40 messages', messages: 30, bytes: 3_000 }],
    });
  });

  it('counts the bytes over a lower max_bytes, and messages in proportion', () => {
    const loss = assessDataLoss(declared({ max_bytes: 1_000 }), current(), {}, v210);

    expect(loss).toMatchObject({ exact: false, fields: [{ field: 'max_bytes', bytes: 3_000, messages: 30 }] });
  });

  it('uses the per-subject probe for max_msgs_per_subject, and says so when there were too many subjects', () => {
    const counted = assessDataLoss(
      declared({ max_msgs_per_subject: 5 }),
      current(),
      { overSubjectLimit: { limit: 5, messages: 25 } },
      v210,
    );
    const uncounted = assessDataLoss(
      declared({ max_msgs_per_subject: 5 }),
      current({}, { num_subjects: 2 }),
      { overSubjectLimit: { limit: 5, messages: undefined } },
      v210,
    );

    expect(counted).toMatchObject({ messages: 25, exact: true });
    expect(uncounted).toMatchObject({ messages: 30, exact: false });
    expect(
      assessDataLoss(declared({ max_msgs_per_subject: 5 }), current(), { overSubjectLimit: { limit: 5, messages: 0 } }, v210),
    ).toBeUndefined();
  });

  it('uses the age probe for a shorter max_age', () => {
    const loss = assessDataLoss(
      declared({ max_age: '30s' }),
      current(),
      { olderThan: { cutoffMs: NOW - 30_000, messages: 12, exact: true } },
      v210,
    );

    expect(loss?.fields[0]).toMatchObject({ field: 'max_age', desired: 30e9, messages: 12 });
  });

  it('treats limits -> interest in place as losing every message on 2.10+, but not in a migration nor on 2.9 (refused there)', () => {
    expect(assessDataLoss(declared({ retention: 'interest' }), current(), {}, v210)?.messages).toBe(40);
    expect(assessDataLoss(declared({ retention: 'interest' }), current(), {}, v210, false)).toBeUndefined();
    expect(assessDataLoss(declared({ retention: 'interest' }), current(), {}, v29)).toBeUndefined();
  });

  it('counts every held message for a max_age that only a default lowers: it would expire them all', () => {
    const bare = normalizeStreamConfig({ name: 's', subjects: ['s.>'], max_msgs: -1, max_msgs_per_subject: -1 });
    const fromModule = normalizeStreamConfig({ name: 's', subjects: ['s.>'] }, { max_age: '10m', max_msgs: -1, max_msgs_per_subject: -1 });

    expect(assessDataLoss(bare, current(), {}, v210)?.fields).toEqual([
      {
        field: 'max_age',
        current: 0,
        desired: 3_600e9,
        held: '40 messages, which it would expire within 1h',
        messages: 40,
        bytes: 4_000,
        from: 'library',
      },
    ]);
    expect(assessDataLoss(fromModule, current(), {}, v210)?.fields[0]).toMatchObject({
      field: 'max_age',
      messages: 40,
      from: 'streamDefaults',
    });
    // Declared, a shorter max_age loses only the messages already older than it.
    expect(assessDataLoss(declared({ max_age: '1h' }), current(), {}, v210)).toBeUndefined();
    // A default no shorter than the current max_age changes nothing held.
    expect(assessDataLoss(bare, current({ max_age: 1_800e9 }), {}, v210)).toBeUndefined();
  });

  it("counts a migration's source headers against max_bytes", () => {
    // 40 messages of 100 bytes; each copy gains 57 bytes of header ('s__migrating', last_seq 40, subject 's.>').
    expect(assessDataLoss(declared({ max_bytes: 6_000 }), current(), {}, v210)).toBeUndefined();
    const migrated = assessDataLoss(declared({ max_bytes: 6_000 }), current(), {}, v210, false);

    expect(migrated).toMatchObject({
      exact: false,
      fields: [{ field: 'max_bytes', held: '4000 bytes (about 6280 once copied with a source header each)', bytes: 280 }],
    });
  });

  it('takes the largest of several fields (they all remove the oldest first) and calls it an estimate', () => {
    const loss = assessDataLoss(declared({ max_msgs: 30, max_bytes: 1_000 }), current(), {}, v210);

    expect(loss).toMatchObject({ messages: 30, bytes: 3_000, exact: false });
    expect(loss?.fields.map((f) => f.field)).toEqual(['max_msgs', 'max_bytes']);
  });
});

describe('neededProbes', () => {
  it('asks for per-subject counts only when the stream holds more than the new per-subject limit', () => {
    expect(neededProbes(declared({ max_msgs_per_subject: 100 }), current(), NOW)).toEqual({});
    expect(neededProbes(declared({ max_msgs_per_subject: 5 }), current(), NOW)).toEqual({ subjectLimit: 5 });
    expect(neededProbes(declared({ max_msgs_per_subject: 5 }), current({ max_msgs_per_subject: 3 }), NOW)).toEqual({});
  });

  it('asks for an age count only when the oldest message is older than the new max_age', () => {
    expect(neededProbes(declared({ max_age: '1h' }), current(), NOW)).toEqual({});
    expect(neededProbes(declared({ max_age: '30s' }), current(), NOW)).toEqual({ cutoffMs: NOW - 30_000 });
    expect(neededProbes(declared({ max_age: '30s' }), current({ max_age: 10e9 }), NOW)).toEqual({});
    expect(neededProbes(normalizeStreamConfig({ name: 's', subjects: ['s.>'] }, { max_age: '30s' }), current(), NOW)).toEqual({});
  });
});

describe('assessConsumerLoss', () => {
  const interest = current({ retention: 'interest' });
  const consumer = (filter_subjects: string[] | undefined, pending = 7, ackPending = 3) =>
    ({
      name: 'c',
      config: { durable_name: 'c', ...(filter_subjects ? { filter_subjects } : {}) },
      num_pending: pending,
      num_ack_pending: ackPending,
    }) as unknown as ServerConsumerInfo;

  it('counts what the consumer has not acknowledged when a narrower filter ends its interest (interest stream, 2.10+)', () => {
    expect(assessConsumerLoss(interest, consumer(['s.>']), { filter_subjects: ['s.a'] }, v210)).toEqual({
      messages: 10,
      bytes: 1_000,
      exact: false,
      fields: [
        {
          field: 'consumers.c.filter_subjects',
          current: ['s.>'],
          desired: ['s.a'],
          held: '10 messages it has not acknowledged, those on s.> unless another consumer follows them',
          messages: 10,
          bytes: 1_000,
        },
      ],
    });
    // No filter is the whole stream.
    expect(assessConsumerLoss(interest, consumer(undefined), { filter_subject: 's.a' }, v210)?.messages).toBe(10);
  });

  it('finds nothing for a wider or equal filter, nothing pending, a limits stream, or 2.9', () => {
    expect(assessConsumerLoss(interest, consumer(['s.a']), { filter_subjects: ['s.*'] }, v210)).toBeUndefined();
    expect(assessConsumerLoss(interest, consumer(['s.a', 's.b']), { filter_subjects: ['s.b', 's.a'] }, v210)).toBeUndefined();
    expect(assessConsumerLoss(interest, consumer(['s.a']), {}, v210)).toBeUndefined();
    expect(assessConsumerLoss(interest, consumer(['s.>'], 0, 0), { filter_subjects: ['s.a'] }, v210)).toBeUndefined();
    expect(assessConsumerLoss(current(), consumer(['s.>']), { filter_subjects: ['s.a'] }, v210)).toBeUndefined();
    expect(assessConsumerLoss(interest, consumer(['s.>']), { filter_subjects: ['s.a'] }, v29)).toBeUndefined();
  });
});
