import {
  decodeMarker,
  encodeMarker,
  holdSubject,
  isHeld,
  MAX_DESCRIPTION_BYTES,
  migratingCopyOf,
  migrationStreamName,
  sourcesCopy,
  targetHash,
  type MigrationMarker,
} from './migration-marker.js';

const marker: MigrationMarker = {
  stream: 'orders',
  id: '0f0f',
  hold: '_migrating.orders.0f0f',
  subjects: ['orders.>', 'legacy.orders.*'],
};

describe('migration marker', () => {
  it('round-trips through a description', () => {
    expect(decodeMarker(encodeMarker(marker))).toEqual(marker);
  });

  it('is undefined when it does not fit in the 4096 bytes of a description', () => {
    const subjects = Array.from({ length: 400 }, (_, i) => `orders.region${i}.>`);
    expect(encodeMarker({ ...marker, subjects })).toBeUndefined();
    const fits = encodeMarker({ ...marker, subjects: subjects.slice(0, 100) });
    expect(Buffer.byteLength(fits as string)).toBeLessThanOrEqual(MAX_DESCRIPTION_BYTES);
  });

  it.each([
    ['no description', undefined],
    ['a plain description', 'Orders of the shop'],
    ['broken JSON', '{"kind":'],
    ['another kind', JSON.stringify({ ...marker, kind: 'something-else' })],
    ['a missing field', JSON.stringify({ kind: 'nestjs-jetstream-streams/migration', ...marker, hold: undefined })],
    ['a wrong type', JSON.stringify({ kind: 'nestjs-jetstream-streams/migration', ...marker, id: 7 })],
    ['subjects that are not strings', JSON.stringify({ kind: 'nestjs-jetstream-streams/migration', ...marker, subjects: [1] })],
  ])('reads %s as no marker', (_label, description) => {
    expect(decodeMarker(description)).toBeUndefined();
  });

  it('hashes a target config the same whatever its key order, and differently for another value', () => {
    const a = targetHash({ name: 'orders', max_msgs: 5, subjects: ['orders.>'], placement: { cluster: 'c', tags: ['x'] } });
    const b = targetHash({ placement: { tags: ['x'], cluster: 'c' }, subjects: ['orders.>'], max_msgs: 5, name: 'orders' });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(targetHash({ name: 'orders', max_msgs: 6, subjects: ['orders.>'] })).not.toBe(a);
  });

  it('names the copy and finds the original of a copy', () => {
    expect(migrationStreamName('orders')).toBe('orders__migrating');
    expect(migratingCopyOf('orders__migrating')).toBe('orders');
    expect(migratingCopyOf('orders')).toBeUndefined();
    expect(migratingCopyOf('__migrating')).toBeUndefined();
  });

  it('tells a held stream and one that sources its copy from ordinary ones', () => {
    expect(isHeld({ name: 'orders', subjects: [holdSubject('orders', 'ab12')] })).toBe(true);
    expect(isHeld({ name: 'orders', subjects: ['orders.>'] })).toBe(false);
    expect(isHeld({ name: 'orders', subjects: [holdSubject('other', 'ab12')] })).toBe(false);
    expect(isHeld({ name: 'orders', subjects: [] })).toBe(false);
    expect(sourcesCopy({ name: 'orders', sources: [{ name: 'orders__migrating' }] })).toBe(true);
    expect(sourcesCopy({ name: 'orders', sources: [{ name: 'payments' }] })).toBe(false);
    expect(sourcesCopy({ name: 'orders' })).toBe(false);
  });
});
