import { normalizeStreamConfig } from './stream-config.js';
import { createRequest, diffStreamConfig, unsupportedFields, updateRequest } from './stream-diff.js';
import { ServerVersion } from './server-version.js';

const V2_9 = ServerVersion.parse('2.9.10');
const V2_15 = ServerVersion.parse('2.15.1');
type Config = Record<string, unknown>;

/** What nats-server 2.9.10 answers in stream info for `orders` created with the library defaults. */
const INFO_2_9: Config = {
  name: 'orders', subjects: ['orders.b', 'orders.a'], retention: 'limits', max_consumers: -1,
  max_msgs: 1000000, max_bytes: -1, max_age: 3600000000000, max_msgs_per_subject: 100000,
  max_msg_size: -1, discard: 'old', storage: 'file', num_replicas: 1, duplicate_window: 120000000000,
  allow_direct: false, mirror_direct: false, sealed: false, deny_delete: false, deny_purge: false,
  allow_rollup_hdrs: false,
};

/** The same stream as nats-server 2.15.1 answers: its own fill-ins added, false booleans left out. */
const INFO_2_15: Config = {
  ...INFO_2_9,
  compression: 'none', consumer_limits: {}, allow_msg_ttl: false,
  metadata: { '_nats.level': '5', '_nats.req.level': '0', '_nats.ver': '2.15.1' },
};

/** The library's desired config for `orders` with `overrides` declared. */
function desired(overrides: Config = {}): Config {
  return normalizeStreamConfig({ name: 'orders', subjects: ['orders.a', 'orders.b'], ...overrides } as never).config as Config;
}

describe('diffStreamConfig', () => {
  it.each([
    ['2.9', INFO_2_9, V2_9],
    ['2.15', INFO_2_15, V2_15],
  ])('finds no difference between the declaration and what a %s server reports for it', (_v, info, version) => {
    const diff = diffStreamConfig(desired(), info, version);
    expect(diff).toEqual({ changes: [], conflicts: [] });
  });

  it('reads limits of 0 and absent fields as the server defaults', () => {
    const info = { ...INFO_2_9, max_consumers: 0, max_bytes: 0, max_msg_size: undefined, allow_direct: undefined };
    expect(diffStreamConfig(desired(), info, V2_9).changes).toEqual([]);
  });

  it('ignores the server _nats.* metadata but sees user metadata', () => {
    const info = { ...INFO_2_15, metadata: { ...(INFO_2_15.metadata as Config), team: 'a' } };

    const same = diffStreamConfig(desired({ metadata: { team: 'a' } }), info, V2_15);
    const changed = diffStreamConfig(desired({ metadata: { team: 'b' } }), info, V2_15);
    const removed = diffStreamConfig(desired(), info, V2_15);

    expect(same.changes).toEqual([]);
    expect(changed.changes).toEqual([{ field: 'metadata', current: { team: 'a' }, desired: { team: 'b' } }]);
    expect(removed.changes).toEqual([{ field: 'metadata', current: { team: 'a' }, desired: undefined }]);
  });

  it('finds no difference for a mirror, which the server gives no duplicate window', () => {
    const declared = normalizeStreamConfig({ name: 'copy', subjects: [], mirror: { name: 'orders' } } as never).config as Config;
    const info: Config = { ...INFO_2_15, name: 'copy', subjects: undefined, mirror: { name: 'orders' } };
    delete info.duplicate_window;

    expect(diffStreamConfig(declared, info, V2_15).changes).toEqual([]);
  });

  it("reads a subject transform without src as the server's src ''", () => {
    const declared = desired({ subject_transform: { dest: 'moved.>' } });
    const info = { ...INFO_2_15, subject_transform: { src: '', dest: 'moved.>' } };

    expect(diffStreamConfig(declared, info, V2_15).changes).toEqual([]);
  });

  it('reports a changed max_age with old and new nanoseconds, as an in-place change', () => {
    const diff = diffStreamConfig(desired({ max_age: '2h' }), INFO_2_15, V2_15);
    expect(diff.changes).toEqual([{ field: 'max_age', current: 3_600_000_000_000, desired: 7_200_000_000_000 }]);
    expect(diff.conflicts).toEqual([]);
  });

  it.each([V2_9, V2_15])('makes storage a conflict on %s', (version) => {
    const diff = diffStreamConfig(desired({ storage: 'memory' }), version === V2_9 ? INFO_2_9 : INFO_2_15, version);
    expect(diff.conflicts.map((c) => [c.field, c.current, c.desired])).toEqual([['storage', 'file', 'memory']]);
  });

  it('makes retention limits -> interest a conflict on 2.9 and an in-place change on 2.10+', () => {
    const old = diffStreamConfig(desired({ retention: 'interest' }), INFO_2_9, V2_9);
    const now = diffStreamConfig(desired({ retention: 'interest' }), INFO_2_15, V2_15);
    expect(old.conflicts.map((c) => c.field)).toEqual(['retention']);
    expect(now.changes.map((c) => c.field)).toEqual(['retention']);
    expect(now.conflicts).toEqual([]);
  });

  it('makes retention to workqueue a conflict on every version', () => {
    const diff = diffStreamConfig(desired({ retention: 'workqueue' }), INFO_2_15, V2_15);
    expect(diff.conflicts.map((c) => c.field)).toEqual(['retention']);
  });

  it('makes max_consumers a conflict on 2.9 only', () => {
    expect(diffStreamConfig(desired({ max_consumers: 5 }), INFO_2_9, V2_9).conflicts.map((c) => c.field)).toEqual(['max_consumers']);
    expect(diffStreamConfig(desired({ max_consumers: 5 }), INFO_2_15, V2_15).conflicts).toEqual([]);
  });

  it.each(['deny_delete', 'deny_purge', 'sealed'])('allows turning %s on in place but not off', (field) => {
    const on = diffStreamConfig(desired({ [field]: true }), INFO_2_15, V2_15);
    const off = diffStreamConfig(desired(), { ...INFO_2_15, [field]: true }, V2_15);
    expect(on.changes.map((c) => c.field)).toEqual([field]);
    expect(on.conflicts).toEqual([]);
    expect(off.conflicts.map((c) => c.field)).toEqual([field]);
  });

  it('allows turning allow_msg_ttl on but not off (2.11+)', () => {
    expect(diffStreamConfig(desired({ allow_msg_ttl: true }), INFO_2_15, V2_15).conflicts).toEqual([]);
    const off = diffStreamConfig(desired({ allow_msg_ttl: false }), { ...INFO_2_15, allow_msg_ttl: true }, V2_15);
    expect(off.conflicts.map((c) => c.field)).toEqual(['allow_msg_ttl']);
  });

  it('ignores subject order and reports a real subject change as in-place', () => {
    const same = diffStreamConfig(desired(), { ...INFO_2_15, subjects: ['orders.a', 'orders.b'] }, V2_15);
    const changed = diffStreamConfig(desired({ subjects: ['orders.>'] }), INFO_2_15, V2_15);
    expect(same.changes).toEqual([]);
    expect(changed.changes).toEqual([{ field: 'subjects', current: ['orders.a', 'orders.b'], desired: ['orders.>'] }]);
    expect(changed.conflicts).toEqual([]);
  });

  it('sees the default duplicate window capped at a short max_age as no change', () => {
    const info = { ...INFO_2_9, max_age: 30_000_000_000, duplicate_window: 30_000_000_000 };
    expect(diffStreamConfig(desired({ max_age: '30s' }), info, V2_9).changes).toEqual([]);
  });
});

describe('unsupportedFields', () => {
  it('names the 2.10+ fields a 2.9 server does not know, and none on 2.15', () => {
    const config = desired({ compression: 's2', metadata: { a: 'b' } });
    expect(unsupportedFields(config, V2_9).map((u) => [u.field, u.minVersion])).toEqual([
      ['compression', '2.10.0'],
      ['metadata', '2.10.0'],
    ]);
    expect(unsupportedFields(config, V2_15)).toEqual([]);
  });

  it('does not count a declared default as unsupported', () => {
    expect(unsupportedFields(desired({ compression: 'none' }), V2_9)).toEqual([]);
  });
});

describe('updateRequest', () => {
  it('keeps fields the library does not manage and overlays every managed one', () => {
    const info = { ...INFO_2_15, some_future_field: 'x' };
    const request = updateRequest(desired({ max_age: '2h' }), info, V2_15) as unknown as Config;
    expect(request.some_future_field).toBe('x');
    expect(request.max_age).toBe(7_200_000_000_000);
    expect(request.name).toBe('orders');
  });

  it('drops a field removed from the declaration, and never sends the server _nats.* metadata', () => {
    const info = { ...INFO_2_15, description: 'old', metadata: { ...(INFO_2_15.metadata as Config), team: 'a' } };
    const request = updateRequest(desired(), info, V2_15) as unknown as Config;
    expect('description' in request).toBe(false);
    expect('metadata' in request).toBe(false);
  });

  it('leaves out what a 2.9 server does not know', () => {
    const request = updateRequest(desired(), INFO_2_9, V2_9) as unknown as Config;
    for (const field of ['compression', 'metadata', 'consumer_limits', 'allow_msg_ttl', 'subject_transform']) {
      expect(field in request).toBe(false);
    }
  });
});

describe('createRequest', () => {
  it('sends the declaration without the fields the server does not know', () => {
    const config = desired({ first_seq: 10 });
    expect((createRequest(config, V2_15) as unknown as Config).first_seq).toBe(10);
    expect('first_seq' in createRequest(config, V2_9)).toBe(false);
  });
});
