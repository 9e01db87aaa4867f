import { DefaultedFields, GIVEN_BY_DEFAULTS } from './defaulted-fields.js';

const FIELDS = ['subjects', 'storage', 'max_age', 'max_msgs', 'description'];

describe('DefaultedFields', () => {
  // subjects and max_age declared, storage from the module's defaults, max_msgs from the library, no description.
  const config = { name: 'orders', subjects: ['orders.>'], storage: 'memory', max_age: 1, max_msgs: 1_000_000 };
  const defaulted = new DefaultedFields(FIELDS, config, [0, 2, 1 + GIVEN_BY_DEFAULTS]);

  it('answers where each field that the declaration did not give came from', () => {
    // Act
    const sources = FIELDS.map((field) => defaulted.get(field));

    // Assert
    expect(sources).toEqual([undefined, 'streamDefaults', undefined, 'library', undefined]);
    expect(defaulted.has('max_msgs')).toBe(true);
    expect(defaulted.has('name')).toBe(false);
    expect(defaulted.has('hasOwnProperty')).toBe(false);
  });

  it('iterates like a read-only map, in table order', () => {
    // Act
    const entries = [...defaulted];

    // Assert
    expect(entries).toEqual([
      ['storage', 'streamDefaults'],
      ['max_msgs', 'library'],
    ]);
    expect(defaulted.size).toBe(2);
    expect([...defaulted.entries()]).toEqual(entries);
    expect([...defaulted.keys()]).toEqual(['storage', 'max_msgs']);
    expect([...defaulted.values()]).toEqual(['streamDefaults', 'library']);
  });

  it('passes itself to forEach callbacks, with the caller’s this', () => {
    // Arrange
    const context = { seen: [] as string[] };

    // Act
    defaulted.forEach(function (this: typeof context, source, field, map) {
      this.seen.push(`${field}=${source}`);
      expect(map).toBe(defaulted);
    }, context);

    // Assert
    expect(context.seen).toEqual(['storage=streamDefaults', 'max_msgs=library']);
  });
});
