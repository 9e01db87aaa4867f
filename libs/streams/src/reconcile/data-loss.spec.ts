import type { ServerStreamInfo } from '../server/server-stream.js';
import { assessDataLoss as assessWithChanges, neededProbes, type LossProbes } from './data-loss.js';
import { diffStreamConfig } from '../declaration/stream-diff.js';
import { ServerVersion } from '../server/server-version.js';
import { normalizeStreamConfig, type DesiredStream } from '../declaration/stream-config.js';
import type { StreamDeclaration } from '../declaration/stream-declaration.js';
import { normalizeBucketConfig } from '../declaration/bucket-config.js';
import { StreamDataLossError, type DataLossEstimate } from '../errors/stream-data-loss.error.js';

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

/** The rule on the comparison the reconciler makes (the diff of the two configs). */
function assessDataLoss(desired: DesiredStream, info: ServerStreamInfo, probes: LossProbes, version: ServerVersion, inPlace = true) {
  return assessWithChanges(desired, info, diffStreamConfig(desired.config, info.config, version).changes, probes, version, inPlace);
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

describe('assessDataLoss: defaults on an existing stream', () => {
  const bare = (defaults = {}) => normalizeStreamConfig({ name: 's', subjects: ['s.>'] }, defaults);
  const unlimited = (state: Record<string, unknown> = {}) => current({}, state);

  it('counts an unlimited stream with 99,990 messages on one subject: every defaulted limit, and the declaration that keeps them all', () => {
    const loss = assessDataLoss(bare(), unlimited({ messages: 99_990, bytes: 99_990, num_subjects: 1 }), {}, v210);

    expect(loss?.fields.map((f) => [f.field, f.current, f.desired, f.messages, f.from])).toEqual([
      ['max_age', 0, 3_600e9, 99_990, 'library'],
      ['max_msgs', -1, 1_000_000, 0, 'library'],
      ['max_msgs_per_subject', -1, 100_000, 0, 'library'],
    ]);
    expect(loss?.defaults).toEqual({
      changes: [
        { field: 'max_msgs', current: -1, desired: 1_000_000, from: 'library' },
        { field: 'max_age', current: 0, desired: 3_600e9, from: 'library' },
        { field: 'max_msgs_per_subject', current: -1, desired: 100_000, from: 'library' },
      ],
      keep: { max_msgs: -1, max_age: 0, max_msgs_per_subject: -1 },
    });
    const message = new StreamDataLossError('s', loss as DataLossEstimate).message;
    expect(message).toContain(
      "max_msgs -1 -> 1000000 (the library's default) deletes none of 99990 messages it holds now; from now on it keeps at most 1000000 messages",
    );
    expect(message).toContain(
      'Defaults nobody declared on stream "s" would change max_msgs -1 -> 1000000, max_age 0 -> 3600000000000, max_msgs_per_subject -1 -> 100000: ' +
        'to keep its current values, declare { max_msgs: -1, max_age: 0, max_msgs_per_subject: -1 } on it; to apply the defaults, declare them on it. ' +
        'To accept the loss, set allowDataLoss: true on stream "s"',
    );
  });

  it("refuses a module streamDefaults cap on a 45,000-message stream although nothing goes at once, naming it and what keeps the stream's value", () => {
    const desired = normalizeStreamConfig({ name: 's', subjects: ['s.>'], max_age: 0, max_msgs_per_subject: -1 }, { max_msgs: 50_000 });

    const loss = assessDataLoss(desired, unlimited({ messages: 45_000, bytes: 450_000 }), {}, v210);

    expect(loss).toMatchObject({ messages: 0, exact: true, defaults: { keep: { max_msgs: -1 } } });
    expect(loss?.fields).toEqual([expect.objectContaining({ field: 'max_msgs', messages: 0, from: 'streamDefaults' })]);
    expect(new StreamDataLossError('s', loss as DataLossEstimate).message).toMatch(
      /^Stream "s" was left as it was: applying its declaration would let the server delete messages it would otherwise keep: max_msgs -1 -> 50000 \(the module's streamDefaults\) deletes none of 45000 messages/,
    );
  });

  it('refuses a default max_age of 1h on an empty stream kept for 30 days, and keeps it as a duration', () => {
    const loss = assessDataLoss(
      bare({ max_msgs: -1, max_msgs_per_subject: -1 }),
      current({ max_age: 30 * 86_400e9 }, { messages: 0, bytes: 0 }),
      {},
      v210,
    );

    expect(loss?.fields).toEqual([expect.objectContaining({ field: 'max_age', current: 30 * 86_400e9, desired: 3_600e9, messages: 0 })]);
    expect(loss?.defaults?.keep).toEqual({ max_age: '30d' });
  });

  it('lists every defaulted change in the advice, and lets through defaults that raise a limit or change no limit', () => {
    const onReplicas = current({ max_msgs: 10, num_replicas: 3 }, { messages: 5, bytes: 50 });
    const capped = assessDataLoss(bare({ max_msgs_per_subject: -1 }), onReplicas, {}, v210);

    expect(capped?.defaults?.keep).toEqual({ num_replicas: 3, max_msgs: 10, max_age: 0 });
    expect(
      assessDataLoss(normalizeStreamConfig({ name: 's', subjects: ['s.>'], max_age: 0, max_msgs_per_subject: -1 }), onReplicas, {}, v210),
    ).toBeUndefined();
  });
});

describe('assessDataLoss: a bucket', () => {
  it('speaks the bucket\'s words: history, on their key, bucket "carts" (stream KV_carts)', () => {
    const desired = normalizeBucketConfig({ bucket: 'carts', history: 2 });
    const held = current({ name: 'KV_carts', subjects: ['$KV.carts.>'], max_msgs_per_subject: 10 });

    const loss = assessDataLoss(desired, held, { overSubjectLimit: { limit: 2, messages: 3 } }, v210) as DataLossEstimate;

    expect(loss).toMatchObject({ bucket: 'carts', fields: [{ field: 'max_msgs_per_subject', declaredAs: 'history' }] });
    expect(new StreamDataLossError('KV_carts', loss).message).toBe(
      'Bucket "carts" (stream KV_carts) was left as it was: applying its declaration would delete 3 messages (300 B): ' +
        'history 10 -> 2 deletes 3 of 3 messages over 2 on their key. ' +
        'To keep them, raise the limit in the declaration; to accept the loss, set allowDataLoss: true on bucket "carts"',
    );
  });
});

describe('assessDataLoss: consumer_limits on an interest stream', () => {
  const interest = (fields: Partial<StreamDeclaration>) =>
    declared({ retention: 'interest', consumer_limits: { inactive_threshold: '1m' }, consumers: [{ durable_name: 'c' }], ...fields });

  it('counts a threshold added or lowered as letting the server delete the declared consumers that have none of their own', () => {
    const loss = assessDataLoss(interest({}), current({ retention: 'interest' }), {}, v210);

    expect(loss).toMatchObject({ messages: 0, fields: [{ field: 'consumer_limits', kind: 'consumer-expiry', messages: 0 }] });
    expect(loss?.fields[0].held).toBe(
      'every message only consumer "c" needs: the server gives each the inactive_threshold 1m when it is created or updated, then deletes it once it has had no client that long',
    );
    expect(
      assessDataLoss(interest({}), current({ retention: 'interest', consumer_limits: { inactive_threshold: 120e9 } }), {}, v210),
    ).toBeDefined();
  });

  it('finds nothing on a limits stream, for a raised threshold, or without declared consumers that would take it', () => {
    expect(assessDataLoss(interest({ retention: 'limits' }), current(), {}, v210)).toBeUndefined();
    expect(
      assessDataLoss(interest({}), current({ retention: 'interest', consumer_limits: { inactive_threshold: 30e9 } }), {}, v210),
    ).toBeUndefined();
    expect(assessDataLoss(interest({ consumers: [] }), current({ retention: 'interest' }), {}, v210)).toBeUndefined();
    expect(
      assessDataLoss(
        interest({ consumers: [{ durable_name: 'c', inactive_threshold: '5m' }] }),
        current({ retention: 'interest' }),
        {},
        v210,
      ),
    ).toBeUndefined();
  });
});
