import { ServerVersion } from '../server/server-version.js';
import {
  comparable,
  diffFields,
  emptyIsUnset,
  fieldRows,
  knows,
  sameValue,
  sortedStrings,
  turnsOnOnly,
  unlimitedIfZero,
  zeroIsUnset,
  type FieldSpec,
} from './field-table.js';

/** A small table of another object, as a consumer or key-value table would be. */
interface BucketConfig {
  bucket: string;
  history: number;
  max_bytes: number;
  ttl: number;
  tags?: string[];
  compression?: boolean;
}

const BUCKET_FIELDS = fieldRows<BucketConfig, 'history' | 'max_bytes' | 'ttl' | 'tags' | 'compression'>({
  history: { kind: 'int', min: 1, max: 64, fill: 'always', absent: 1 },
  max_bytes: { kind: 'limit', fill: 'always', absent: -1, normalize: unlimitedIfZero },
  ttl: { kind: 'duration', fill: 'always', absent: 0, immutable: (current, desired) => (current !== desired ? 'ttl is fixed' : undefined) },
  tags: { kind: 'object', fill: 'never', normalize: sortedStrings },
  compression: { kind: 'boolean', fill: 'never', absent: false, since: '2.10.0' },
});
const V2_9 = ServerVersion.parse('2.9.10');
const V2_10 = ServerVersion.parse('2.10.0');

describe('a field table', () => {
  it('lists its rows in table order, frozen', () => {
    // Act
    const fields = BUCKET_FIELDS.map((row) => row.field);

    // Assert
    expect(fields).toEqual(['history', 'max_bytes', 'ttl', 'tags', 'compression']);
    expect(Object.isFrozen(BUCKET_FIELDS[0])).toBe(true);
  });

  it('knows which fields a server version supports', () => {
    // Act
    const old = BUCKET_FIELDS.map((row) => knows(row, V2_9));
    const now = BUCKET_FIELDS.map((row) => knows(row, V2_10));

    // Assert
    expect(old).toEqual([true, true, true, true, false]);
    expect(now).toEqual([true, true, true, true, true]);
  });

  it('diffs another kind of config over its own table', () => {
    // Arrange
    const desired: BucketConfig = { bucket: 'b', history: 5, max_bytes: -1, ttl: 10, tags: ['y', 'x'] };
    const actual: BucketConfig = { bucket: 'b', history: 1, max_bytes: 0, ttl: 20, tags: ['x', 'y'], compression: false };

    // Act
    const diff = diffFields(BUCKET_FIELDS, desired, actual, V2_10);

    // Assert
    expect(diff.changes).toEqual([
      { field: 'history', current: 1, desired: 5 },
      { field: 'ttl', current: 20, desired: 10 },
    ]);
    expect(diff.conflicts).toEqual([{ field: 'ttl', current: 20, desired: 10, reason: 'ttl is fixed' }]);
  });

  it('skips a field the server does not know unless it is declared', () => {
    // Arrange
    const actual: BucketConfig = { bucket: 'b', history: 1, max_bytes: -1, ttl: 0 };

    // Act
    const undeclared = diffFields(BUCKET_FIELDS, { ...actual }, actual, V2_9);
    const declared = diffFields(BUCKET_FIELDS, { ...actual, compression: true }, actual, V2_9);

    // Assert
    expect(undeclared.changes).toEqual([]);
    expect(declared.changes).toEqual([{ field: 'compression', current: false, desired: true }]);
  });

  it('reads an absent value as the one the server holds, which may depend on the rest of the config', () => {
    // Arrange
    const spec: FieldSpec<BucketConfig> = { kind: 'limit', fill: 'always', absentIn: (config) => (config.history ?? 1) * 100 };

    // Act
    const value = comparable(spec, undefined, { history: 3 });

    // Assert
    expect(value).toBe(300);
  });
});

describe('sameValue', () => {
  it.each<[unknown, unknown, boolean]>([
    [1, 1, true],
    [1, '1', false],
    [null, undefined, false],
    [[1, 2], [1, 2], true],
    [[1, 2], [2, 1], false],
    [{ a: 1, b: { c: [1] } }, { b: { c: [1] }, a: 1 }, true],
    [{ a: 1, b: undefined }, { a: 1 }, true],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [{ a: 1 }, [1], false],
    [{}, null, false],
  ])('%p vs %p -> %p', (a, b, expected) => {
    // Act
    const forward = sameValue(a, b);
    const backward = sameValue(b, a);

    // Assert
    expect(forward).toBe(expected);
    expect(backward).toBe(expected);
  });
});

describe('normalisers', () => {
  it('read 0 as unlimited or unset, and empty objects as unset', () => {
    // Act + Assert
    expect([unlimitedIfZero(0), unlimitedIfZero(5), unlimitedIfZero(-1)]).toEqual([-1, 5, -1]);
    expect([zeroIsUnset(0), zeroIsUnset(7)]).toEqual([undefined, 7]);
    expect([emptyIsUnset({}), emptyIsUnset(null), emptyIsUnset({ a: 1 }), emptyIsUnset('x')]).toEqual([
      undefined,
      undefined,
      { a: 1 },
      'x',
    ]);
  });

  it('sort a list only when it is not sorted, never in place', () => {
    // Arrange
    const sorted = ['a', 'b'];
    const unsorted = ['b', 'a'];

    // Act
    const same = sortedStrings(sorted);
    const copy = sortedStrings(unsorted);

    // Assert
    expect(same).toBe(sorted);
    expect(copy).toEqual(['a', 'b']);
    expect(unsorted).toEqual(['b', 'a']);
  });

  it('let a flag be turned on but not off', () => {
    // Arrange
    const rule = turnsOnOnly('deny_delete');

    // Act + Assert
    expect(rule?.(false, true, V2_10)).toBeUndefined();
    expect(rule?.(true, true, V2_10)).toBeUndefined();
    expect(rule?.(true, false, V2_10)).toBe('deny_delete cannot be turned off once on');
  });
});
