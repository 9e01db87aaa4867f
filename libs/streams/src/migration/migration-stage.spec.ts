import type { ServerStreamInfo } from '../server/server-stream.js';
import { decodeMarker, encodeMarker, type MigrationMarker } from './migration-marker.js';
import { nextStage, type MigrationView, type OwnerState } from './migration-stage.js';

const TARGET = 'target-hash';
const marker: MigrationMarker = {
  stream: 'orders',
  owner: 'other',
  beat: 1,
  phase: 'copying',
  hold: '_migrating.orders.ab',
  subjects: ['orders.>'],
  target: TARGET,
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
): MigrationView {
  return { stream: s, copy: c, marker: decodeMarker(c?.config.description), owner, target, wanted };
}

describe('nextStage', () => {
  it('starts a wanted migration, and leaves an ordinary or missing stream alone otherwise', () => {
    expect(nextStage(view(original, null))).toBe('start');
    expect(nextStage(view(original, null, 'me', false))).toBe('idle');
    expect(nextStage(view(null, null))).toBe('idle');
  });

  it('waits for a live owner, whatever the stream looks like, and takes over from a gone one', () => {
    for (const s of [original, held, null, rebuilt, opened]) {
      expect(nextStage(view(s, withMarker, 'alive'))).toBe('wait');
      expect(nextStage(view(s, withMarker, 'alive', false))).toBe('wait');
      expect(nextStage(view(s, withMarker, 'gone'))).toBe('claim');
    }
  });

  it('retires an intact original (held or not) toward the same target, and rolls back one toward another target', () => {
    expect(nextStage(view(original, withMarker))).toBe('retire');
    expect(nextStage(view(held, withMarker))).toBe('retire');
    expect(nextStage(view(held, withMarker, 'me', false, 'another-target'))).toBe('rollback');
    expect(nextStage(view(original, withMarker, 'me', false, 'another-target'))).toBe('rollback');
  });

  it('rebuilds once the original is gone or is the new stream, whatever the target (there is no way back)', () => {
    expect(nextStage(view(null, withMarker))).toBe('rebuild');
    expect(nextStage(view(rebuilt, withMarker))).toBe('rebuild');
    expect(nextStage(view(opened, withMarker, 'me', false, 'another-target'))).toBe('rebuild');
  });

  it('settles a stream left mid-migration after its copy was deleted', () => {
    expect(nextStage(view(held, null))).toBe('settle');
    expect(nextStage(view(opened, null, 'me', false))).toBe('settle');
  });

  it('never touches a stream named like the copy that holds no marker, unless a migration needs the name', () => {
    expect(nextStage(view(original, copy('some team stream'), 'me', false))).toBe('idle');
    expect(nextStage(view(null, copy(), 'me', false))).toBe('idle');
    expect(nextStage(view(original, copy('some team stream')))).toBe('foreign');
    expect(nextStage(view(held, copy(), 'me', false))).toBe('foreign');
  });
});
