import type { ServerStreamInfo } from '../server/server-stream.js';
import { decodeMarker, encodeMarker, type MigrationMarker } from './migration-marker.js';
import type { MigrationRecord } from './migration-record.js';
import { nextStage, type MigrationView, type OwnerState } from './migration-stage.js';

const TARGET = 'target-hash';
const marker: MigrationMarker = { stream: 'orders', id: 'ab', hold: '_migrating.orders.ab', subjects: ['orders.>'] };
const record: MigrationRecord = {
  ...marker,
  owner: 'other',
  phase: 'copying',
  target: { name: 'orders', storage: 'memory' },
  targetHash: TARGET,
  original: { name: 'orders', storage: 'file' },
  direction: 'forward',
};

const stream = (config: Partial<ServerStreamInfo['config']>): ServerStreamInfo =>
  ({ config: { name: 'orders', subjects: ['orders.>'], ...config }, state: { messages: 1 } }) as ServerStreamInfo;
const original = stream({ max_msgs: 5 });
const held = stream({ subjects: ['_migrating.orders.ab'] });
const rebuilt = stream({ subjects: ['_migrating.orders.ab'], sources: [{ name: 'orders__migrating' }] });
const opened = stream({ sources: [{ name: 'orders__migrating' }] });
const copy = (description?: string): ServerStreamInfo => stream({ name: 'orders__migrating', subjects: [], description });
const withMarker = copy(encodeMarker(marker));

function view(
  s: ServerStreamInfo | null,
  c: ServerStreamInfo | null,
  owner: OwnerState = 'me',
  wanted = true,
  target = TARGET,
  r: MigrationRecord | null = c || owner !== 'me' ? record : null,
): MigrationView {
  return { record: r ?? undefined, stream: s, copy: c, marker: decodeMarker(c?.config.description), owner, target, wanted };
}

describe('nextStage', () => {
  it('starts a wanted migration, and leaves an ordinary or missing stream alone otherwise', () => {
    expect(nextStage(view(original, null))).toBe('start');
    expect(nextStage(view(original, null, 'me', false))).toBe('idle');
    expect(nextStage(view(null, null))).toBe('idle');
  });

  it('waits for an owner whose connection is open, answering or not, and takes over only from one whose connection is closed', () => {
    for (const s of [original, held, null, rebuilt, opened]) {
      for (const c of [withMarker, null]) {
        expect(nextStage(view(s, c, 'alive'))).toBe('wait');
        expect(nextStage(view(s, c, 'unresponsive', false))).toBe('wait');
        expect(nextStage(view(s, c, 'gone'))).toBe('claim');
      }
    }
  });

  it('retires an intact original (held or not) toward the recorded target, and rolls back one toward another target', () => {
    expect(nextStage(view(original, withMarker))).toBe('retire');
    expect(nextStage(view(held, withMarker))).toBe('retire');
    expect(nextStage(view(held, withMarker, 'me', false, 'another-target'))).toBe('rollback');
    expect(nextStage(view(original, withMarker, 'me', false, 'another-target'))).toBe('rollback');
  });

  it('rebuilds once the original is gone or is the new stream, whatever the target (the record says what to build)', () => {
    expect(nextStage(view(null, withMarker))).toBe('rebuild');
    expect(nextStage(view(rebuilt, withMarker))).toBe('rebuild');
    expect(nextStage(view(opened, withMarker, 'me', false, 'another-target'))).toBe('rebuild');
  });

  it('settles a stream left mid-migration after its copy was deleted, with or without a record', () => {
    expect(nextStage(view(held, null, 'me', true, TARGET, record))).toBe('settle');
    expect(nextStage(view(opened, null, 'me', false, TARGET, record))).toBe('settle');
    expect(nextStage(view(held, null))).toBe('settle');
    expect(nextStage(view(opened, null, 'me', false))).toBe('settle');
  });

  it('clears the record of a migration that left nothing on the server', () => {
    expect(nextStage(view(original, null, 'me', true, TARGET, record))).toBe('clear');
    expect(nextStage(view(null, null, 'me', false, TARGET, record))).toBe('clear');
  });

  it('never touches a stream named like the copy that holds no marker, unless a migration needs the name', () => {
    expect(nextStage(view(original, copy('some team stream'), 'me', false, TARGET, null))).toBe('idle');
    expect(nextStage(view(null, copy(), 'me', false, TARGET, null))).toBe('idle');
    expect(nextStage(view(original, copy('some team stream'), 'me', true, TARGET, null))).toBe('foreign');
    expect(nextStage(view(held, copy(), 'me', false, TARGET, null))).toBe('foreign');
    expect(nextStage(view(original, copy(), 'me', false, TARGET, record))).toBe('foreign');
  });

  it('refuses a copy of another migration than the record, and a marked copy without a record', () => {
    const other = copy(encodeMarker({ ...marker, id: 'cd' }));
    expect(nextStage(view(null, other, 'me', false, TARGET, record))).toBe('foreign');
    expect(nextStage(view(null, withMarker, 'me', false, TARGET, null))).toBe('orphan');
  });
});
