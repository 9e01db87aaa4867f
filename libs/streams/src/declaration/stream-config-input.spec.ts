import { normalizeStreamConfig } from './stream-config.js';
import type { StreamConfigInput, StreamDeclaration } from './stream-declaration.js';
import { invalidErrorOf } from '../../spec-support/invalid-error.js';

/** Sets `values` on `Object.prototype` while `act` runs, and always removes them. */
function withPollutedPrototype<T>(values: Record<string, unknown>, act: () => T): T {
  const prototype = Object.prototype as Record<string, unknown>;
  try {
    Object.assign(prototype, values);
    return act();
  } finally {
    for (const key of Object.keys(values)) delete prototype[key];
  }
}

describe('normalizeStreamConfig reads only what the declaration owns', () => {
  it('refuses a declaration with a prototype of its own, which could add fields and a policy', () => {
    // Arrange
    const inherited = { onConflict: 'recreate', allowDataLoss: true, mode: 'verify', max_msgs: 5, storage: 'memory' };
    const declaration = Object.assign(Object.create(inherited) as object, { name: 'orders', subjects: ['orders.>'] });

    // Act
    const error = invalidErrorOf(() => normalizeStreamConfig(declaration as StreamDeclaration));

    // Assert
    expect(error.field).toBe('declaration');
    expect(error.reason).toContain('got an object');
  });

  it.each<[string, unknown]>([
    ['a Date', new Date(0)],
    ['a Map', new Map([['name', 'orders']])],
    [
      'a class instance',
      new (class Orders {
        name = 'orders';
        subjects = ['orders.>'];
      })(),
    ],
  ])('refuses %s as a declaration, naming its kind', (_label, value) => {
    // Act
    const error = invalidErrorOf(() => normalizeStreamConfig(value as StreamDeclaration));

    // Assert
    expect(error.field).toBe('declaration');
    expect(error.reason).toMatch(/got an? (Date|Map|Orders)/);
  });

  it('is not changed by a polluted Object.prototype, in the declaration, the defaults or a nested object', () => {
    // Arrange
    const pollution = { onConflict: 'recreate', allowDataLoss: true, storage: 'memory', cluster: 'evil', filter_subject: 'x.>' };
    const declaration: StreamDeclaration = {
      name: 'orders',
      subjects: ['orders.>'],
      placement: { tags: ['eu'] },
      sources: [{ name: 'other' }],
    };

    // Act
    const desired = withPollutedPrototype(pollution, () => normalizeStreamConfig(declaration, {}));

    // Assert
    expect(desired.policy).toEqual({ onConflict: 'fail', allowDataLoss: false, mode: 'manage', downstream: 'refuse' });
    expect(desired.config.storage).toBe('file');
    expect(Object.keys(desired.config.placement ?? {})).toEqual(['tags']);
    expect(Object.keys(desired.config.sources?.[0] ?? {})).toEqual(['name']);
  });

  it('ignores an own property that is not enumerable', () => {
    // Arrange
    const declaration = { name: 'orders', subjects: ['orders.>'] };
    Object.defineProperty(declaration, 'max_age', { value: 'not a duration', enumerable: false });

    // Act
    const { config } = normalizeStreamConfig(declaration);

    // Assert
    expect(config.max_age).toBe(3_600_000_000_000);
  });

  it('reads a getter of the declaration and of the defaults exactly once', () => {
    // Arrange
    const reads = { name: 0, max_age: 0, onConflict: 0, max_msgs: 0 };
    const declaration = {
      get name() {
        reads.name++;
        return 'orders';
      },
      subjects: ['orders.>'],
      get max_age() {
        reads.max_age++;
        return '2h';
      },
      get onConflict() {
        reads.onConflict++;
        return 'migrate' as const;
      },
    };
    const defaults = {
      get max_msgs() {
        reads.max_msgs++;
        return 50;
      },
    };

    // Act
    const { config } = normalizeStreamConfig(declaration, defaults);

    // Assert
    expect(config).toMatchObject({ max_age: 7_200_000_000_000, max_msgs: 50 });
    expect(reads).toEqual({ name: 1, max_age: 1, onConflict: 1, max_msgs: 1 });
  });

  it('copies nested values, so changing the declaration later changes nothing', () => {
    // Arrange
    const declaration: StreamDeclaration = {
      name: 'orders',
      subjects: ['orders.b', 'orders.a'],
      placement: { tags: ['eu'] },
      metadata: { team: 'a' },
    };
    const { config } = normalizeStreamConfig(declaration);

    // Act
    declaration.subjects.push('orders.c');
    declaration.placement?.tags?.push('us');
    if (declaration.metadata) declaration.metadata.team = 'b';

    // Assert
    expect(config.subjects).toEqual(['orders.a', 'orders.b']);
    expect(config.placement).toEqual({ tags: ['eu'] });
    expect(config.metadata).toEqual({ team: 'a' });
  });
});

describe('normalizeStreamConfig refuses what is not a declaration', () => {
  it.each([
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a number', 42, 'the number 42'],
    ['a string', 'orders', "the string 'orders'"],
    ['an array', [{ name: 'orders' }], 'an array [an object]'],
    ['a function', () => ({}), 'a function'],
  ])('refuses %s, naming it', (_label, value, named) => {
    // Act
    const error = invalidErrorOf(() => normalizeStreamConfig(value as never));

    // Assert
    expect(error.field).toBe('declaration');
    expect(error.reason).toBe(`must be an object with a name and subjects, got ${named}`);
  });

  it('names the declaration itself as the stream when it is a string', () => {
    // Act
    const error = invalidErrorOf(() => normalizeStreamConfig('orders' as never));

    // Assert
    expect(error.stream).toBe('orders');
  });

  it.each<[string, unknown, string, string]>([
    ['not an object', 'memory', 'streamDefaults', "must be an object, got 'memory'"],
    ['null', null, 'streamDefaults', 'must be an object, got null'],
    ['with subjects', { subjects: ['x'] }, 'subjects', 'is not a stream config field in streamDefaults; check its spelling'],
    ['with a policy', { onConflict: 'recreate' }, 'onConflict', 'is not a stream config field in streamDefaults; check its spelling'],
    ['with a misspelled field', { maxMsgs: 5 }, 'maxMsgs', 'is not a stream config field in streamDefaults; check its spelling'],
  ])('refuses module defaults %s', (_label, defaults, field, reason) => {
    // Act
    const error = invalidErrorOf(() => normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'] }, defaults as StreamConfigInput));

    // Assert
    expect([error.field, error.reason]).toEqual([field, reason]);
  });

  it('names the same first error whatever the order of the keys', () => {
    // Arrange
    const first = { name: 'orders', subjects: ['orders.>'], max_age: 'soon', storage: 'disk' } as never;
    const second = { storage: 'disk', max_age: 'soon', subjects: ['orders.>'], name: 'orders' } as never;

    // Act
    const one = invalidErrorOf(() => normalizeStreamConfig(first));
    const other = invalidErrorOf(() => normalizeStreamConfig(second));

    // Assert
    expect(one.field).toBe('storage');
    expect(other.field).toBe('storage');
  });
});

describe('DesiredStream.policy.mode', () => {
  it.each(['manage', 'create', 'verify'] as const)('keeps mode %p', (mode) => {
    // Act
    const { policy } = normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'], mode });

    // Assert
    expect(policy.mode).toBe(mode);
  });

  it("defaults to 'manage' and names the allowed values when wrong", () => {
    // Act
    const { policy } = normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'] });
    const error = invalidErrorOf(() => normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'], mode: 'sync' } as never));

    // Assert
    expect(policy.mode).toBe('manage');
    expect(error.reason).toBe("is 'sync'; allowed values are 'manage', 'create', 'verify'");
  });

  it.each(['onConflict', 'allowDataLoss', 'mode', 'downstream'])(
    'refuses %s: null as every config field does (only undefined means the default)',
    (key) => {
      // Act
      const error = invalidErrorOf(() => normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'], [key]: null } as never));
      const fieldError = invalidErrorOf(() => normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'], max_age: null } as never));
      const { policy } = normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'], [key]: undefined } as never);

      // Assert
      expect(error.field).toBe(key);
      expect(error.reason).toMatch(/null/);
      expect(fieldError.field).toBe('max_age');
      expect(policy).toEqual({ onConflict: 'fail', allowDataLoss: false, mode: 'manage', downstream: 'refuse' });
    },
  );
});

describe('DesiredStream.defaulted', () => {
  it('tells each defaulted field from where its value came, and lists no declared one', () => {
    // Arrange
    const declaration: StreamDeclaration = { name: 'orders', subjects: ['orders.>'], max_age: '7d', description: 'all orders' };

    // Act
    const { defaulted } = normalizeStreamConfig(declaration, { storage: 'memory', max_msgs: 10 });

    // Assert
    expect(defaulted.get('max_msgs_per_subject')).toBe('library');
    expect(defaulted.get('retention')).toBe('library');
    expect(defaulted.get('duplicate_window')).toBe('library');
    expect(defaulted.get('storage')).toBe('streamDefaults');
    expect(defaulted.get('max_msgs')).toBe('streamDefaults');
    for (const field of ['max_age', 'description', 'subjects', 'name', 'compression', 'toString']) {
      expect(defaulted.has(field)).toBe(false);
    }
  });

  it('lists every defaulted field once, in table order, as a map does', () => {
    // Act
    const { defaulted, config } = normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'], max_msgs: 5, no_ack: true });

    // Assert
    const expected = Object.keys(config).filter((field) => !['name', 'subjects', 'max_msgs', 'no_ack'].includes(field));
    expect([...defaulted.keys()].sort()).toEqual(expected.sort());
    expect(defaulted.size).toBe(expected.length);
    expect(new Map(defaulted).get('max_msgs_per_subject')).toBe('library');
    expect([...defaulted.values()].every((source) => source === 'library')).toBe(true);
    const seen: string[] = [];
    defaulted.forEach((_source, field) => seen.push(field));
    expect(seen).toEqual([...defaulted.keys()]);
  });

  it('counts a declared value the server reads as "use your default" as defaulted', () => {
    // Act
    const { defaulted, config } = normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'], max_age: '30s', duplicate_window: 0 });

    // Assert
    expect(config.duplicate_window).toBe(30_000_000_000);
    expect(defaulted.get('duplicate_window')).toBe('library');
    expect(defaulted.get('max_age')).toBeUndefined();
  });

  it('counts a flag the server turns on because of another field as defaulted', () => {
    // Act
    const { defaulted } = normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'], subject_delete_marker_ttl: '15m' });

    // Assert
    expect(defaulted.get('allow_msg_ttl')).toBe('library');
    expect(defaulted.get('allow_rollup_hdrs')).toBe('library');
    expect(defaulted.get('subject_delete_marker_ttl')).toBeUndefined();
  });
});
