import { buildConfig, decodeRecord, encodeRecord, recordKey, type MigrationRecord } from './migration-record.js';

const record: MigrationRecord = {
  stream: 'orders',
  id: '0f0f',
  owner: 'a1b2c3',
  phase: 'copying',
  hold: '_migrating.orders.0f0f',
  subjects: ['orders.>'],
  target: { name: 'orders', subjects: ['orders.>'], storage: 'memory' },
  targetHash: '0123456789abcdef',
  original: { name: 'orders', subjects: ['orders.>'], storage: 'file' },
  direction: 'forward',
};

describe('migration record', () => {
  it('round-trips, with and without its optional fields', () => {
    expect(decodeRecord(encodeRecord(record), 'orders')).toEqual(record);
    const full = { ...record, direction: 'back' as const, reason: 'a limit', firstSeq: 3_001, reset: true };
    expect(decodeRecord(JSON.parse(JSON.stringify(encodeRecord(full))), 'orders')).toEqual(full);
  });

  it.each([
    ['another stream', encodeRecord(record), 'payments'],
    ['another kind', { ...encodeRecord(record), kind: 'something-else' }, 'orders'],
    ['an unknown phase', { ...encodeRecord(record), phase: 'sleeping' }, 'orders'],
    ['a target without a name', { ...encodeRecord(record), target: { storage: 'memory' } }, 'orders'],
    ['an unknown direction', { ...encodeRecord(record), direction: 'sideways' }, 'orders'],
    ['a first sequence that is no integer', { ...encodeRecord(record), firstSeq: 1.5 }, 'orders'],
    ['no object', 'orders', 'orders'],
  ])('reads %s as no record', (_label, value, stream) => {
    expect(decodeRecord(value, stream)).toBeUndefined();
  });

  it('keys a plain name as itself and any other name base64url-encoded, so no two streams share a key', () => {
    expect(recordKey('orders_EU-1')).toBe('migration.orders_EU-1');
    expect(recordKey('commandes-été')).toBe(`migration.=${Buffer.from('commandes-été').toString('base64url')}`);
    expect(recordKey('=abc')).not.toBe(recordKey('abc'));
    expect(recordKey('a$b')).toMatch(/^migration\.=[A-Za-z0-9_-]+$/);
  });

  it('builds with the target going forward and with the original going back', () => {
    expect(buildConfig(record)).toBe(record.target);
    expect(buildConfig({ ...record, direction: 'back' })).toBe(record.original);
  });
});
