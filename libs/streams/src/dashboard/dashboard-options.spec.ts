import { InvalidOptionsError } from '../errors/invalid-options.error.js';
import { resolveDashboardOptions } from './dashboard-options.js';

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
