import { RepairGuard } from './repair-guard.js';

describe('RepairGuard', () => {
  let now = 0;
  const clock = () => now;

  beforeEach(() => {
    now = Date.parse('2026-01-01T00:00:00Z');
  });

  it('admits maxRepairs repairs within the window, then marks the stream flapping for good', () => {
    const guard = new RepairGuard(2, 60_000, clock);
    expect(guard.admit('s')).toBe(true);
    guard.record('s');
    now += 1_000;
    expect(guard.admit('s')).toBe(true);
    guard.record('s');
    now += 1_000;

    expect(guard.admit('s')).toBe(false);
    expect(guard.flappingOf('s')).toEqual({ repairs: 2, windowMs: 60_000, since: '2026-01-01T00:00:02.000Z' });
    now += 10 * 60_000;
    expect(guard.admit('s')).toBe(false);
  });

  it('forgets repairs older than the window', () => {
    const guard = new RepairGuard(2, 60_000, clock);
    guard.record('s');
    now += 30_000;
    guard.record('s');
    now += 30_001;
    expect(guard.admit('s')).toBe(true);
    expect(guard.flappingOf('s')).toBeUndefined();
  });

  it('counts each stream on its own', () => {
    const guard = new RepairGuard(1, 60_000, clock);
    guard.record('a');
    expect(guard.admit('a')).toBe(false);
    expect(guard.admit('b')).toBe(true);
    expect(guard.flappingOf('b')).toBeUndefined();
  });
});
