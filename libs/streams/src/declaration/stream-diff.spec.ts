import type { ServerStreamConfig } from '../server/server-stream.js';
import { ServerVersion } from '../server/server-version.js';
import { normalizeStreamConfig } from './stream-config.js';
import type { StreamDeclaration } from './stream-declaration.js';
import { createRequest, diffStreamConfig, unsupportedFields, updateRequest } from './stream-diff.js';
import type { DesiredStreamConfig } from './stream-fields.js';

const V2_9 = ServerVersion.parse('2.9.10');
const V2_10 = ServerVersion.parse('2.10.3');
const V2_15 = ServerVersion.parse('2.15.1');

/** What nats-server 2.9.10 answers in stream info for `orders` created with the library defaults. */
const INFO_2_9: ServerStreamConfig = {
  name: 'orders',
  subjects: ['orders.b', 'orders.a'],
  retention: 'limits',
  max_consumers: -1,
  max_msgs: 1000000,
  max_bytes: -1,
  max_age: 3600000000000,
  max_msgs_per_subject: 100000,
  max_msg_size: -1,
  discard: 'old',
  storage: 'file',
  num_replicas: 1,
  duplicate_window: 120000000000,
  allow_direct: false,
  mirror_direct: false,
  sealed: false,
  deny_delete: false,
  deny_purge: false,
  allow_rollup_hdrs: false,
};

/** The same stream as nats-server 2.15.1 answers: its own fill-ins added. */
const INFO_2_15: ServerStreamConfig = {
  ...INFO_2_9,
  compression: 'none',
  consumer_limits: {},
  allow_msg_ttl: false,
  metadata: { '_nats.level': '5', '_nats.req.level': '0', '_nats.ver': '2.15.1' },
};

/** The library's desired config for `orders` with `overrides` declared. */
function desired(overrides: Partial<StreamDeclaration> = {}): DesiredStreamConfig {
  return normalizeStreamConfig({ name: 'orders', subjects: ['orders.a', 'orders.b'], ...overrides }).config;
}

/** `config` without `fields`, as a server that leaves them out answers. */
function without(config: ServerStreamConfig, ...fields: Array<keyof ServerStreamConfig>): ServerStreamConfig {
  const copy: Partial<ServerStreamConfig> = { ...config };
  for (const field of fields) delete copy[field];
  return copy as ServerStreamConfig;
}

describe('diffStreamConfig', () => {
  it.each([
    ['2.9', INFO_2_9, V2_9],
    ['2.15', INFO_2_15, V2_15],
  ])('finds no difference between the declaration and what a %s server reports for it', (_v, info, version) => {
    // Act
    const diff = diffStreamConfig(desired(), info, version);

    // Assert
    expect(diff).toEqual({ changes: [], conflicts: [] });
  });

  it('reads limits of 0 and absent fields as the server defaults', () => {
    // Arrange
    const info = without({ ...INFO_2_9, max_consumers: 0, max_bytes: 0 }, 'max_msg_size', 'allow_direct');

    // Act
    const diff = diffStreamConfig(desired(), info, V2_9);

    // Assert
    expect(diff.changes).toEqual([]);
  });

  it('ignores the server _nats.* metadata but sees user metadata', () => {
    // Arrange
    const info = { ...INFO_2_15, metadata: { ...INFO_2_15.metadata, team: 'a' } };

    // Act
    const same = diffStreamConfig(desired({ metadata: { team: 'a' } }), info, V2_15);
    const changed = diffStreamConfig(desired({ metadata: { team: 'b' } }), info, V2_15);
    const removed = diffStreamConfig(desired(), info, V2_15);

    // Assert
    expect(same.changes).toEqual([]);
    expect(changed.changes).toEqual([{ field: 'metadata', current: { team: 'a' }, desired: { team: 'b' } }]);
    expect(removed.changes).toEqual([{ field: 'metadata', current: { team: 'a' }, desired: undefined }]);
  });

  it('finds no difference for a mirror, which the server gives no duplicate window', () => {
    // Arrange
    const declared = normalizeStreamConfig({ name: 'copy', subjects: [], mirror: { name: 'orders' } }).config;
    const info = without({ ...INFO_2_15, name: 'copy', mirror: { name: 'orders' } }, 'subjects', 'duplicate_window');

    // Act
    const diff = diffStreamConfig(declared, info, V2_15);

    // Assert
    expect(diff.changes).toEqual([]);
  });

  it("reads a subject transform without src as the server's src ''", () => {
    // Arrange
    const declared = desired({ subject_transform: { dest: 'moved.>' } });
    const info = { ...INFO_2_15, subject_transform: { src: '', dest: 'moved.>' } };

    // Act
    const diff = diffStreamConfig(declared, info, V2_15);

    // Assert
    expect(diff.changes).toEqual([]);
  });

  it("reads the server's empty placement, empty consumer limits and source order as nothing changed", () => {
    // Arrange
    const declared = desired({ subjects: [], sources: [{ name: 'b' }, { name: 'a', filter_subject: 'a.x' }] });
    const info = without({ ...INFO_2_15, placement: {}, sources: [{ filter_subject: 'a.x', name: 'a' }, { name: 'b' }] }, 'subjects');

    // Act
    const diff = diffStreamConfig(declared, info, V2_15);

    // Assert
    expect(diff.changes).toEqual([]);
  });

  it('reports a changed max_age with old and new nanoseconds, as an in-place change', () => {
    // Act
    const diff = diffStreamConfig(desired({ max_age: '2h' }), INFO_2_15, V2_15);

    // Assert
    expect(diff.changes).toEqual([{ field: 'max_age', current: 3_600_000_000_000, desired: 7_200_000_000_000 }]);
    expect(diff.conflicts).toEqual([]);
  });

  it.each([V2_9, V2_15])('makes storage a conflict on %s', (version) => {
    // Act
    const diff = diffStreamConfig(desired({ storage: 'memory' }), version === V2_9 ? INFO_2_9 : INFO_2_15, version);

    // Assert
    expect(diff.conflicts.map((c) => [c.field, c.current, c.desired])).toEqual([['storage', 'file', 'memory']]);
  });

  it('makes retention limits -> interest a conflict on 2.9 and an in-place change on 2.10+', () => {
    // Act
    const old = diffStreamConfig(desired({ retention: 'interest' }), INFO_2_9, V2_9);
    const now = diffStreamConfig(desired({ retention: 'interest' }), INFO_2_15, V2_15);

    // Assert
    expect(old.conflicts.map((c) => [c.field, c.reason])).toEqual([
      ['retention', 'nats-server 2.9.10 cannot change retention (2.10+ can)'],
    ]);
    expect(now.changes.map((c) => c.field)).toEqual(['retention']);
    expect(now.conflicts).toEqual([]);
  });

  it('makes retention to workqueue a conflict on every version', () => {
    // Act
    const diff = diffStreamConfig(desired({ retention: 'workqueue' }), INFO_2_15, V2_15);

    // Assert
    expect(diff.conflicts.map((c) => c.field)).toEqual(['retention']);
  });

  it('makes max_consumers a conflict on 2.9 only', () => {
    // Act
    const old = diffStreamConfig(desired({ max_consumers: 5 }), INFO_2_9, V2_9);
    const now = diffStreamConfig(desired({ max_consumers: 5 }), INFO_2_15, V2_15);

    // Assert
    expect(old.conflicts.map((c) => c.field)).toEqual(['max_consumers']);
    expect(now.conflicts).toEqual([]);
  });

  it.each(['deny_delete', 'deny_purge', 'sealed'] as const)('allows turning %s on in place but not off', (field) => {
    // Act
    const on = diffStreamConfig(desired({ [field]: true }), INFO_2_15, V2_15);
    const off = diffStreamConfig(desired(), { ...INFO_2_15, [field]: true }, V2_15);

    // Assert
    expect(on.changes.map((c) => c.field)).toEqual([field]);
    expect(on.conflicts).toEqual([]);
    expect(off.conflicts.map((c) => c.field)).toEqual([field]);
  });

  it('allows turning allow_msg_ttl on but not off (2.11+)', () => {
    // Act
    const on = diffStreamConfig(desired({ allow_msg_ttl: true }), INFO_2_15, V2_15);
    const off = diffStreamConfig(desired({ allow_msg_ttl: false }), { ...INFO_2_15, allow_msg_ttl: true }, V2_15);

    // Assert
    expect(on.conflicts).toEqual([]);
    expect(off.conflicts.map((c) => c.field)).toEqual(['allow_msg_ttl']);
  });

  it('makes a changed mirror and a declared first_seq conflicts', () => {
    // Arrange
    const mirror = normalizeStreamConfig({ name: 'copy', subjects: [], mirror: { name: 'other' } }).config;
    const info = without({ ...INFO_2_15, name: 'copy', mirror: { name: 'orders' } }, 'subjects', 'duplicate_window');

    // Act
    const mirrorDiff = diffStreamConfig(mirror, info, V2_15);
    const firstSeqDiff = diffStreamConfig(desired({ first_seq: 10 }), INFO_2_15, V2_15);

    // Assert
    expect(mirrorDiff.conflicts.map((c) => c.field)).toEqual(['mirror']);
    expect(firstSeqDiff.conflicts.map((c) => [c.field, c.current, c.desired])).toEqual([['first_seq', undefined, 10]]);
  });

  it('ignores subject order and reports a real subject change as in-place', () => {
    // Act
    const same = diffStreamConfig(desired(), { ...INFO_2_15, subjects: ['orders.a', 'orders.b'] }, V2_15);
    const changed = diffStreamConfig(desired({ subjects: ['orders.>'] }), INFO_2_15, V2_15);

    // Assert
    expect(same.changes).toEqual([]);
    expect(changed.changes).toEqual([{ field: 'subjects', current: ['orders.a', 'orders.b'], desired: ['orders.>'] }]);
    expect(changed.conflicts).toEqual([]);
  });

  it('sees the default duplicate window capped at a short max_age as no change', () => {
    // Arrange
    const info = { ...INFO_2_9, max_age: 30_000_000_000, duplicate_window: 30_000_000_000 };

    // Act
    const diff = diffStreamConfig(desired({ max_age: '30s' }), info, V2_9);

    // Assert
    expect(diff.changes).toEqual([]);
  });

  it('reports a 2.10+ field declared for a 2.9 server as a change, and skips it when undeclared', () => {
    // Act
    const declared = diffStreamConfig(desired({ compression: 's2' }), INFO_2_9, V2_9);
    const undeclared = diffStreamConfig(desired(), INFO_2_9, V2_9);

    // Assert
    expect(declared.changes).toEqual([{ field: 'compression', current: 'none', desired: 's2' }]);
    expect(undeclared.changes).toEqual([]);
  });
  it('answers again about a frozen server config it found equal, and still sees another declaration or version', () => {
    // Arrange
    const actual = Object.freeze({ ...INFO_2_15 });
    const wanted = desired();
    const first = diffStreamConfig(wanted, actual, V2_15);

    // Act
    const again = diffStreamConfig(wanted, actual, V2_15);
    const other = diffStreamConfig(desired({ max_msgs: 10 }), actual, V2_15);
    const olderServer = diffStreamConfig(wanted, actual, V2_9);

    // Assert
    expect([first, again]).toEqual([
      { changes: [], conflicts: [] },
      { changes: [], conflicts: [] },
    ]);
    expect(again.changes).not.toBe(first.changes);
    expect(other.changes.map((c) => c.field)).toEqual(['max_msgs']);
    expect(olderServer.changes.map((c) => c.field)).toEqual([]);
  });

  it('compares a server config that is not frozen every time', () => {
    // Arrange
    const actual = { ...INFO_2_15 };
    const wanted = desired();
    const before = diffStreamConfig(wanted, actual, V2_15);

    // Act
    actual.max_msgs = 5;
    const after = diffStreamConfig(wanted, actual, V2_15);

    // Assert
    expect(before.changes).toEqual([]);
    expect(after.changes.map((c) => c.field)).toEqual(['max_msgs']);
  });
});

describe('unsupportedFields', () => {
  it('names the 2.10+ fields a 2.9 server does not know, and none on 2.15', () => {
    // Arrange
    const config = desired({ compression: 's2', metadata: { a: 'b' } });

    // Act
    const old = unsupportedFields(config, V2_9);
    const now = unsupportedFields(config, V2_15);

    // Assert
    expect(old.map((u) => [u.field, u.minVersion])).toEqual([
      ['compression', '2.10.0'],
      ['metadata', '2.10.0'],
    ]);
    expect(now).toEqual([]);
  });

  it('does not count a declared default as unsupported', () => {
    // Act
    const unsupported = unsupportedFields(desired({ compression: 'none' }), V2_9);

    // Assert
    expect(unsupported).toEqual([]);
  });

  it('names the delete marker TTL a 2.10 server does not know, not the flag it implies', () => {
    // Act
    const unsupported = unsupportedFields(desired({ subject_delete_marker_ttl: '15m' }), V2_10);

    // Assert
    expect(unsupported).toEqual([{ field: 'subject_delete_marker_ttl', desired: 900_000_000_000, minVersion: '2.11.0' }]);
  });
});

describe('updateRequest', () => {
  it('keeps fields the library does not manage and overlays every managed one', () => {
    // Arrange
    const info = { ...INFO_2_15, allow_atomic: true, some_newer_field: 'x' } as ServerStreamConfig;

    // Act
    const request = updateRequest(desired({ max_age: '2h' }), info, V2_15);

    // Assert
    expect(request).toMatchObject({ some_newer_field: 'x', max_age: 7_200_000_000_000, name: 'orders' });
    expect('allow_atomic' in request).toBe(false);
  });

  it("drops a field removed from the declaration, and sends the server's _nats.* metadata back (none is removed)", () => {
    // Arrange
    const server = { ...INFO_2_15.metadata, '_nats.mirror.origin': 'ORDERS' };
    const info = { ...INFO_2_15, description: 'old', metadata: { ...server, team: 'a' } };

    // Act
    const request = updateRequest(desired(), info, V2_15);
    const withMetadata = updateRequest(desired({ metadata: { team: 'b' } }), info, V2_15);

    // Assert
    expect('description' in request).toBe(false);
    expect(request.metadata).toEqual(server);
    expect(withMetadata.metadata).toEqual({ ...server, team: 'b' });
  });

  it('leaves out what a 2.9 server does not know', () => {
    // Act
    const request = updateRequest(desired(), INFO_2_9, V2_9);

    // Assert
    for (const field of ['compression', 'metadata', 'consumer_limits', 'allow_msg_ttl', 'subject_transform']) {
      expect(field in request).toBe(false);
    }
  });

  it("never sends the declared first_seq, and passes the server's own back as it is", () => {
    // Act
    const declared = updateRequest(desired({ first_seq: 10 }), INFO_2_15, V2_15);
    const servers = updateRequest(desired(), { ...INFO_2_15, first_seq: 5 }, V2_15);

    // Assert
    expect('first_seq' in declared).toBe(false);
    expect(servers.first_seq).toBe(5);
  });
});

describe('createRequest', () => {
  it('sends the declaration without the fields the server does not know', () => {
    // Arrange
    const config = desired({ first_seq: 10 });

    // Act
    const now = createRequest(config, V2_15);
    const old = createRequest(config, V2_9);

    // Assert
    expect(now.first_seq).toBe(10);
    expect('first_seq' in old).toBe(false);
    expect(old).toMatchObject({ name: 'orders', subjects: ['orders.a', 'orders.b'], max_age: 3_600_000_000_000 });
  });
});
