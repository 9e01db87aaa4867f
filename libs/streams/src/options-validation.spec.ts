import { InvalidOptionsError } from './errors/invalid-options.error.js';
import { resolveOptions, type StreamsModuleOptions } from './streams.options.js';

const connection = { servers: 'nats://127.0.0.1:4222' };

describe('reconcile options', () => {
  it('default to reporting drift, 3 repairs per minute', () => {
    expect(resolveOptions({ connection }).reconcile).toEqual({ onDrift: 'report', maxRepairs: 3, repairWindowMs: 60_000 });
  });

  it('take what is given', () => {
    const options: StreamsModuleOptions = { connection, reconcile: { onDrift: 'repair', maxRepairs: 5, repairWindowMs: 10_000 } };
    expect(resolveOptions(options).reconcile).toEqual({ onDrift: 'repair', maxRepairs: 5, repairWindowMs: 10_000 });
  });

  it.each([
    [{ onDrift: 'fix' }, 'reconcile.onDrift'],
    [{ maxRepairs: 0 }, 'reconcile.maxRepairs'],
    [{ repairWindowMs: 2 ** 31 }, 'reconcile.repairWindowMs'],
    [{ onDrfit: 'repair' }, 'reconcile.onDrfit'],
  ])('refuses %j naming %s', (reconcile, option) => {
    const act = () => resolveOptions({ connection, reconcile } as StreamsModuleOptions);
    expect(act).toThrow(InvalidOptionsError);
    expect(act).toThrow(option);
  });
});
