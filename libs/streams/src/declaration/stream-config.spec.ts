import type { StreamDeclaration } from './stream-declaration.js';
import { normalizeStreamConfig } from './stream-config.js';
import { DEFAULT_STREAM_DEFAULTS } from './stream-fields.js';
import { findSubjectOverlaps } from './subjects.js';
import { invalidErrorOf } from '../../spec-support/invalid-error.js';

const SECOND = 1_000_000_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** A valid declaration with `overrides` applied; casts so tests can pass deliberately bad values. */
function declare(overrides: Record<string, unknown> = {}): StreamDeclaration {
  return { name: 'orders', subjects: ['orders.>'], ...overrides } as StreamDeclaration;
}

describe('normalizeStreamConfig', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['empty name', { name: '' }, 'name'],
    ['name with a space', { name: 'a b' }, 'name'],
    ['name with a dot', { name: 'a.b' }, 'name'],
    ['name with *', { name: 'a*' }, 'name'],
    ['name with >', { name: 'a>' }, 'name'],
    ['name with /', { name: 'a/b' }, 'name'],
    ['name with \\', { name: 'a\\b' }, 'name'],
    ['name with a control character', { name: 'a\u0007b' }, 'name'],
    ['empty subject', { subjects: [''] }, 'subjects'],
    ['subject with an empty token', { subjects: ['a..b'] }, 'subjects'],
    ['> before the last token', { subjects: ['a.>.b'] }, 'subjects'],
    ['* inside a token', { subjects: ['a*'] }, 'subjects'],
    ['* at the end of a token', { subjects: ['a.b*'] }, 'subjects'],
    ['leading dot', { subjects: ['.a'] }, 'subjects'],
    ['trailing dot', { subjects: ['a.'] }, 'subjects'],
    ['subject with whitespace', { subjects: ['a b'] }, 'subjects'],
    ['no subjects without mirror or sources', { subjects: [] }, 'subjects'],
    ['subjects not an array', { subjects: 'orders.>' }, 'subjects'],
    ['overlapping subjects', { subjects: ['orders.*', 'orders.new'] }, 'subjects'],
    ['duplicate subjects', { subjects: ['orders.new', 'orders.new'] }, 'subjects'],
    ['negative max_msgs', { max_msgs: -2 }, 'max_msgs'],
    ['negative max_bytes', { max_bytes: -5 }, 'max_bytes'],
    ['fractional max_msgs_per_subject', { max_msgs_per_subject: 1.5 }, 'max_msgs_per_subject'],
    ['string max_consumers', { max_consumers: '10' }, 'max_consumers'],
    ['max_msg_size above int32', { max_msg_size: 2 ** 31 }, 'max_msg_size'],
    ['unknown retention', { retention: 'forever' }, 'retention'],
    ['unknown storage', { storage: 'disk' }, 'storage'],
    ['unknown discard', { discard: 'oldest' }, 'discard'],
    ['unknown compression', { compression: 'gzip' }, 'compression'],
    ['unknown onConflict', { onConflict: 'ignore' }, 'onConflict'],
    ['nanoseconds as max_age number', { max_age: 3_600_000_000_000 }, 'max_age'],
    ['seconds as max_age number', { max_age: 60 }, 'max_age'],
    ["max_age 'abc'", { max_age: 'abc' }, 'max_age'],
    ["max_age '10 parsecs'", { max_age: '10 parsecs' }, 'max_age'],
    ['negative duplicate_window', { duplicate_window: -1 }, 'duplicate_window'],
    ['duplicate_window longer than max_age', { max_age: '1m', duplicate_window: '2m' }, 'duplicate_window'],
    ['bad inactive_threshold', { consumer_limits: { inactive_threshold: 'soon' } }, 'consumer_limits.inactive_threshold'],
    ['0 replicas', { num_replicas: 0 }, 'num_replicas'],
    ['7 replicas', { num_replicas: 7 }, 'num_replicas'],
    ['non-boolean flag', { deny_delete: 'yes' }, 'deny_delete'],
    ['recreate without allowDataLoss', { onConflict: 'recreate' }, 'onConflict'],
    ['discard_new_per_subject without discard new', { discard_new_per_subject: true }, 'discard_new_per_subject'],
    [
      'discard_new_per_subject without a per-subject limit',
      { discard_new_per_subject: true, discard: 'new', max_msgs_per_subject: -1 },
      'discard_new_per_subject',
    ],
    ['rollups with deny_purge', { allow_rollup_hdrs: true, deny_purge: true }, 'allow_rollup_hdrs'],
    ['mirror with subjects', { mirror: { name: 'origin' } }, 'subjects'],
    ['mirror with sources', { subjects: [], mirror: { name: 'origin' }, sources: [{ name: 'other' }] }, 'mirror'],
    ['mirror of an invalid name', { subjects: [], mirror: { name: 'a.b' } }, 'mirror'],
    ['source with a bad filter', { sources: [{ name: 'other', filter_subject: 'a..b' }] }, 'sources'],
    ['first_seq 0', { first_seq: 0 }, 'first_seq'],
    ['reserved metadata key', { metadata: { '_nats.level': '1' } }, 'metadata'],
    ['non-string metadata value', { metadata: { team: 7 } }, 'metadata'],
    ['non-string placement tag', { placement: { tags: ['eu', 1] } }, 'placement'],
    ['marker TTL under a second', { allow_msg_ttl: true, subject_delete_marker_ttl: '500ms' }, 'subject_delete_marker_ttl'],
    ['marker TTL with message TTLs off', { allow_msg_ttl: false, subject_delete_marker_ttl: '1m' }, 'subject_delete_marker_ttl'],
    ['misspelled field', { maxAge: '1h' }, 'maxAge'],
    ['unknown mode', { mode: 'sync' }, 'mode'],
    ['non-boolean allowDataLoss', { allowDataLoss: 'yes' }, 'allowDataLoss'],
    ['non-string description', { description: 5 }, 'description'],
    ['description over 4 KiB', { description: 'é'.repeat(2049) }, 'description'],
    ['metadata over 128 KiB', { metadata: { big: 'x'.repeat(128 * 1024) } }, 'metadata'],
    ['metadata not an object', { metadata: 'team=a' }, 'metadata'],
    ['placement not an object', { placement: 'eu' }, 'placement'],
    ['placement with an empty cluster', { placement: { cluster: '' } }, 'placement'],
    ['republish without dest', { republish: { src: 'orders.>' } }, 'republish'],
    ['republish with a bad src', { republish: { src: 'a..b', dest: 'x' } }, 'republish'],
    ['republish headers_only not a boolean', { republish: { src: 'a', dest: 'b', headers_only: 1 } }, 'republish'],
    ['subject_transform without dest', { subject_transform: { src: 'orders.>' } }, 'subject_transform'],
    ['sources not an array', { sources: { name: 'other' } }, 'sources'],
    ['source of itself', { sources: [{ name: 'orders' }] }, 'sources'],
    ['source with a negative start sequence', { sources: [{ name: 'other', opt_start_seq: -1 }] }, 'sources'],
    ['source with a numeric start time', { sources: [{ name: 'other', opt_start_time: 5 }] }, 'sources'],
    ['mirror of itself', { subjects: [], mirror: { name: 'orders' } }, 'mirror'],
    ['first_seq on a mirror', { subjects: [], mirror: { name: 'origin' }, first_seq: 5 }, 'first_seq'],
    ['marker TTL on a mirror', { subjects: [], mirror: { name: 'origin' }, subject_delete_marker_ttl: '1m' }, 'subject_delete_marker_ttl'],
    ['marker TTL with roll-ups off', { allow_rollup_hdrs: false, subject_delete_marker_ttl: '1m' }, 'subject_delete_marker_ttl'],
    ['consumer_limits not an object', { consumer_limits: 5 }, 'consumer_limits'],
    ['negative max_ack_pending', { consumer_limits: { max_ack_pending: -2 } }, 'consumer_limits.max_ack_pending'],
    ['first_seq not whole', { first_seq: 1.5 }, 'first_seq'],
  ])('rejects %s', (_label, overrides, field) => {
    // Arrange
    const declaration = declare(overrides);

    // Act
    const error = invalidErrorOf(() => normalizeStreamConfig(declaration));

    // Assert
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
  });

  it('names both subjects when two overlap', () => {
    // Act
    const error = invalidErrorOf(() => normalizeStreamConfig(declare({ subjects: ['orders.*', 'orders.new'] })));

    // Assert
    expect(error.reason).toContain("'orders.*'");
    expect(error.reason).toContain("'orders.new'");
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['discard_new_per_subject', { discard_new_per_subject: true }, "requires discard: 'new', but discard is 'old'"],
    ['duplicate_window', { max_age: '1m', duplicate_window: '2m' }, 'is 2m, longer than max_age (1m); the server rejects that'],
    ['subjects', { mirror: { name: 'origin' }, subjects: ['b', 'a'] }, "must be empty for a mirror of 'origin', got ['b', 'a']"],
    [
      'subject_delete_marker_ttl',
      { allow_msg_ttl: false, subject_delete_marker_ttl: '1m' },
      'needs message TTLs and roll-ups, but allow_msg_ttl is declared false',
    ],
    [
      'allow_rollup_hdrs',
      { deny_purge: true, subject_delete_marker_ttl: '1m' },
      'is on (delete markers need it), and roll-ups need purges, but deny_purge is true',
    ],
    [
      'onConflict',
      { onConflict: 'recreate', allowDataLoss: false },
      "is 'recreate', which deletes every message of the stream; set allowDataLoss: true to allow it",
    ],
    ['maxAge', { maxAge: '1h' }, 'is not a stream config field; check its spelling'],
    ['sources', { sources: [{ name: 'orders' }] }, "cannot be the stream itself ('orders')"],
  ])('explains a broken %s rule', (field, overrides, reason) => {
    // Act
    const error = invalidErrorOf(() => normalizeStreamConfig(declare(overrides)));

    // Assert
    expect([error.field, error.reason]).toEqual([field, reason]);
  });

  it('names the allowed values of an enum', () => {
    // Act
    const error = invalidErrorOf(() => normalizeStreamConfig(declare({ storage: 'disk' })));

    // Assert
    expect(error.reason).toBe("is 'disk'; allowed values are 'file', 'memory'");
  });

  it('fills every always-present field from the defaults', () => {
    // Act
    const { name, config, policy } = normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'] });

    // Assert
    expect(name).toBe('orders');
    expect(config).toEqual({
      name: 'orders',
      subjects: ['orders.>'],
      retention: 'limits',
      storage: 'file',
      num_replicas: 1,
      max_consumers: -1,
      max_msgs: 1_000_000,
      max_bytes: -1,
      max_age: HOUR,
      max_msgs_per_subject: 100_000,
      max_msg_size: -1,
      discard: 'old',
      discard_new_per_subject: false,
      duplicate_window: 2 * MINUTE,
      no_ack: false,
      allow_rollup_hdrs: false,
      allow_direct: false,
      mirror_direct: false,
      deny_delete: false,
      deny_purge: false,
      sealed: false,
    });
    expect(policy).toEqual({ onConflict: 'fail', allowDataLoss: false, mode: 'manage', downstream: 'refuse' });
  });

  it.each<[string, Record<string, unknown>]>([
    ['the bare minimum', {}],
    ['optional fields', { description: 'd', placement: { tags: ['eu'] }, metadata: { a: 'b' }, compression: 's2', first_seq: 5 }],
    ['a duplicate window of 0', { duplicate_window: 0 }],
    ['delete markers, which imply message TTLs', { subject_delete_marker_ttl: '15m' }],
    ['a delete marker TTL of 0, which implies nothing', { subject_delete_marker_ttl: 0 }],
    ['a mirror', { subjects: [], mirror: { name: 'origin' } }],
  ])('holds no field whose value is undefined, for %s', (_label, overrides) => {
    // Act
    const { config } = normalizeStreamConfig(declare(overrides));

    // Assert
    const unset = Object.entries(config)
      .filter(([, value]) => value === undefined)
      .map(([field]) => field);
    expect(unset).toEqual([]);
  });

  it('lets the module defaults override the library defaults, and the declaration override both', () => {
    // Arrange
    const moduleDefaults = { storage: 'memory', max_msgs: 10, num_replicas: 3 } as const;
    const declaration = declare({ max_msgs: 20, max_age: '7d', description: 'all orders' });

    // Act
    const { config } = normalizeStreamConfig(declaration, moduleDefaults);

    // Assert
    expect(config).toMatchObject({ storage: 'memory', num_replicas: 3, max_msgs: 20, max_age: 7 * 24 * HOUR });
    expect(config.description).toBe('all orders');
  });

  it('does not let an undefined declared field override a default', () => {
    // Act
    const { config } = normalizeStreamConfig(declare({ max_msgs: undefined, storage: undefined }), { storage: 'memory' });

    // Assert
    expect(config.max_msgs).toBe(DEFAULT_STREAM_DEFAULTS.max_msgs);
    expect(config.storage).toBe('memory');
  });

  it('returns a removed field to its default', () => {
    // Arrange
    const before = normalizeStreamConfig(declare({ max_bytes: 1024, deny_delete: true, compression: 's2' }));

    // Act
    const after = normalizeStreamConfig(declare());

    // Assert
    expect(before.config).toMatchObject({ max_bytes: 1024, deny_delete: true, compression: 's2' });
    expect(after.config).toMatchObject({ max_bytes: -1, deny_delete: false });
    expect(after.config).not.toHaveProperty('compression');
  });

  it('reads limits of 0 as -1 (unlimited), as the server does', () => {
    // Act
    const { config } = normalizeStreamConfig(
      declare({ max_msgs: 0, max_bytes: 0, max_msgs_per_subject: 0, max_msg_size: 0, max_consumers: 0 }),
    );

    // Assert
    expect(config).toMatchObject({ max_msgs: -1, max_bytes: -1, max_msgs_per_subject: -1, max_msg_size: -1, max_consumers: -1 });
  });

  it.each([
    ['caps the default duplicate window at a shorter max_age', { max_age: '30s' }, 30 * SECOND],
    ['keeps 2m when max_age is unlimited', { max_age: 0 }, 2 * MINUTE],
    ['keeps 2m when max_age is longer', { max_age: '1d' }, 2 * MINUTE],
    ['treats a declared 0 as the default', { max_age: '30s', duplicate_window: 0 }, 30 * SECOND],
    ['keeps a declared window', { duplicate_window: '5m' }, 5 * MINUTE],
    ['leaves a mirror without a window', { subjects: [], mirror: { name: 'origin' } }, 0],
  ])('%s', (_label, overrides, expected) => {
    // Act
    const { config } = normalizeStreamConfig(declare(overrides));

    // Assert
    expect(config.duplicate_window).toBe(expected);
  });

  it('sorts a copy of the subjects', () => {
    // Arrange
    const subjects = ['orders.updated', 'orders.created', 'invoices.>'];

    // Act
    const { config } = normalizeStreamConfig(declare({ subjects }));

    // Assert
    expect(config.subjects).toEqual(['invoices.>', 'orders.created', 'orders.updated']);
    expect(subjects).toEqual(['orders.updated', 'orders.created', 'invoices.>']);
  });

  it('includes optional fields only when declared, in server units', () => {
    // Arrange
    const declaration = declare({
      placement: { tags: ['eu'] },
      metadata: { team: 'checkout' },
      first_seq: 100,
      consumer_limits: { inactive_threshold: '10m', max_ack_pending: 1000 },
      onConflict: 'recreate',
      allowDataLoss: true,
    });

    // Act
    const { config, policy } = normalizeStreamConfig(declaration);

    // Assert
    expect(config.placement).toEqual({ tags: ['eu'] });
    expect(config.metadata).toEqual({ team: 'checkout' });
    expect(config.first_seq).toBe(100);
    expect(config.consumer_limits).toEqual({ inactive_threshold: 10 * MINUTE, max_ack_pending: 1000 });
    expect(config).not.toHaveProperty('mirror');
    expect(config).not.toHaveProperty('allow_msg_ttl');
    expect(config).not.toHaveProperty('onConflict');
    expect(policy).toEqual({ onConflict: 'recreate', allowDataLoss: true, mode: 'manage', downstream: 'refuse' });
  });

  it('accepts a mirror and a sourcing stream without subjects', () => {
    // Act
    const mirror = normalizeStreamConfig({ name: 'backup', subjects: [], mirror: { name: 'orders' } });
    const sourcing = normalizeStreamConfig({ name: 'all', subjects: [], sources: [{ name: 'orders' }, { name: 'invoices' }] });

    // Assert
    expect(mirror.config.mirror).toEqual({ name: 'orders' });
    expect(sourcing.config.sources).toEqual([{ name: 'orders' }, { name: 'invoices' }]);
  });

  it('turns on message TTLs and roll-ups for delete markers, as the server does', () => {
    // Act
    const { config } = normalizeStreamConfig(declare({ subject_delete_marker_ttl: '15m' }));

    // Assert
    expect(config).toMatchObject({ subject_delete_marker_ttl: 15 * MINUTE, allow_msg_ttl: true, allow_rollup_hdrs: true });
    expect(normalizeStreamConfig(declare({ subject_delete_marker_ttl: 0 })).config).not.toHaveProperty('allow_msg_ttl');
  });

  it('accepts discard new per subject with its requirements and workqueue retention', () => {
    // Act
    const { config } = normalizeStreamConfig(
      declare({ retention: 'workqueue', discard: 'new', discard_new_per_subject: true, max_msgs_per_subject: 1 }),
    );

    // Assert
    expect(config).toMatchObject({ retention: 'workqueue', discard: 'new', discard_new_per_subject: true, max_msgs_per_subject: 1 });
  });
});

describe('normalised declarations in a batch', () => {
  it('are checked for overlaps across declarations with findSubjectOverlaps', () => {
    // Arrange
    const batch = [
      normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'] }),
      normalizeStreamConfig({ name: 'eu-orders', subjects: ['orders.eu', 'eu.invoices'] }),
    ];

    // Act
    const overlaps = findSubjectOverlaps(batch);

    // Assert
    expect(overlaps).toEqual([
      { kind: 'subjects', stream: 'orders', otherStream: 'eu-orders', subject: 'orders.>', otherSubject: 'orders.eu' },
    ]);
  });
});
