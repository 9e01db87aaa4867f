import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import type { PurgeOptions } from '../reconcile/stream-results.js';
import { purgeRequest } from './purge-request.js';

/** The field of the typed error `purgeRequest` throws for `selection`. */
function refusedField(selection: unknown): string | undefined {
  try {
    purgeRequest('orders', selection as PurgeOptions);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidStreamConfigError);
    return (err as InvalidStreamConfigError).field;
  }
  return undefined;
}

describe('purgeRequest', () => {
  it('turns a subject into a filter, and copies each own selector once', () => {
    expect(purgeRequest('orders', 'orders.eu.>')).toEqual({ filter: 'orders.eu.>' });
    expect(purgeRequest('orders', {})).toEqual({});
    expect(purgeRequest('orders', { filter: 'orders.a', keep: 0 })).toEqual({ filter: 'orders.a', keep: 0 });
    expect(purgeRequest('orders', { seq: 1 })).toEqual({ seq: 1 });
    expect(purgeRequest('orders', Object.assign(Object.create(null) as object, { keep: 5 }))).toEqual({ keep: 5 });
  });

  it.each<[string, unknown, string]>([
    ['an unknown key (a typo would purge every message)', { filtr: 'orders.a' }, 'filtr'],
    ['a selector given as undefined (it would widen to every message)', { filter: undefined }, 'filter'],
    ['an inherited selector (dropped by a copy)', Object.create({ filter: 'orders.a' }) as object, 'filter'],
    ['an instance of a class', new (class Selection {})(), 'purge'],
    ['an array', ['orders.a'], 'purge'],
    ['null', null, 'purge'],
    ['a number', 42, 'purge'],
    ['seq 0', { seq: 0 }, 'seq'],
    ['a negative keep', { keep: -1 }, 'keep'],
    ['a fractional keep', { keep: 1.5 }, 'keep'],
    ['a keep given as a string', { keep: '5' }, 'keep'],
    ['seq and keep together', { seq: 3, keep: 1 }, 'purge'],
    ['an invalid subject', 'orders..a', 'subjects'],
    ['an invalid filter', { filter: 'orders. a' }, 'subjects'],
  ])('refuses %s, naming the key', (_label, selection, field) => {
    expect(refusedField(selection)).toBe(field);
  });
});
