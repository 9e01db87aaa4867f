import { InvalidOptionsError } from '../errors/invalid-options.error.js';
import { historyCapacity, MAX_HISTORY_SAMPLES, resolveDashboardOptions } from './dashboard-options.js';

describe('resolveDashboardOptions', () => {
  it('applies the defaults', () => {
    expect(resolveDashboardOptions()).toEqual({
      path: '/streams-ui',
      connection: 'default',
      historyMinutes: 10,
      historyStreams: 1000,
      title: 'JetStream streams',
    });
  });

  it('accepts a path under a prefix or the root, without a trailing slash', () => {
    expect(resolveDashboardOptions({ path: '/ops/streams/' }).path).toBe('/ops/streams');
    expect(resolveDashboardOptions({ path: '/' }).path).toBe('/');
  });

  it.each([
    [{ path: 'streams-ui' }, 'dashboard.path'],
    [{ path: '/a b' }, 'dashboard.path'],
    [{ path: '//evil.example' }, 'dashboard.path'],
    [{ connection: 'eu west' }, 'dashboard.connection'],
    [{ historyMinutes: 0 }, 'dashboard.historyMinutes'],
    [{ historyMinutes: Number.NaN }, 'dashboard.historyMinutes'],
    [{ historyStreams: 1.5 }, 'dashboard.historyStreams'],
  ])('refuses %j naming %s', (options, option) => {
    expect(() => resolveDashboardOptions(options)).toThrow(InvalidOptionsError);
    expect(() => resolveDashboardOptions(options)).toThrow(option);
  });
});

describe('resolveDashboardOptions refuses what would be silently wrong', () => {
  it('takes null as no options', () => {
    expect(resolveDashboardOptions(null).path).toBe('/streams-ui');
  });

  it.each([
    ['a string', 'path', 'dashboard'],
    ['an unknown key', { pth: '/x' }, 'dashboard.pth'],
    ['a .. segment', { path: '/..' }, 'dashboard.path'],
    ['a .. segment inside', { path: '/ops/../admin' }, 'dashboard.path'],
    ['a . segment', { path: '/./x' }, 'dashboard.path'],
    ['a fraction of a minute', { historyMinutes: 1e-9 }, 'dashboard.historyMinutes'],
    ['more than a day', { historyMinutes: 1441 }, 'dashboard.historyMinutes'],
    ['1.5 minutes', { historyMinutes: 1.5 }, 'dashboard.historyMinutes'],
    ['too many streams', { historyStreams: 10_001 }, 'dashboard.historyStreams'],
  ])('refuses %s naming %s', (_label, options, option) => {
    const act = () => resolveDashboardOptions(options as never);
    expect(act).toThrow(InvalidOptionsError);
    expect(act).toThrow(`option ${option}: got`);
  });

  it('accepts dots inside a segment', () => {
    expect(resolveDashboardOptions({ path: '/v1.2/..x' }).path).toBe('/v1.2/..x');
  });
});

describe('historyCapacity', () => {
  it('is the samples of historyMinutes at the monitor interval, at least 2', () => {
    expect(historyCapacity(resolveDashboardOptions(), 5_000)).toBe(120);
    expect(historyCapacity(resolveDashboardOptions({ historyMinutes: 1 }), 60_000)).toBe(2);
  });

  it('refuses a combination over MAX_HISTORY_SAMPLES, naming the numbers', () => {
    const day = resolveDashboardOptions({ historyMinutes: 1440, historyStreams: 1000 });

    expect(() => historyCapacity(day, 5_000)).toThrow(InvalidOptionsError);
    expect(() => historyCapacity(day, 5_000)).toThrow(`17280000 samples; at most ${MAX_HISTORY_SAMPLES}`);
    expect(historyCapacity(resolveDashboardOptions({ historyMinutes: 1440, historyStreams: 100 }), 5_000)).toBe(17_280);
  });
});
