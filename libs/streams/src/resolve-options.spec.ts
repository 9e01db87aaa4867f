import { resolveOptions } from './resolve-options.js';
import type { StreamsModuleOptions } from './streams.options.js';

const connection = { servers: 'nats://127.0.0.1:4222' };

describe('module options resolved', () => {
  it('applies the documented defaults, ignoring undefined fields', () => {
    const resolved = resolveOptions({ connection, startup: { timeoutMs: undefined }, health: { drift: 'warn' } });

    expect(resolved).toMatchObject({
      name: 'default',
      apiPrefix: '$JS.API',
      startup: { wait: true, timeoutMs: 10_000, retryIntervalMs: 500 },
      concurrency: 8,
      onStartupError: 'fail',
      health: { usageThreshold: 0.9, degradedReplicas: 'up', rttTimeoutMs: 2_000, drift: 'warn', details: 'compact' },
    });
  });

  it('turns a JetStream domain into its API prefix', () => {
    expect(resolveOptions({ connection, jetstream: { domain: 'hub' } }).apiPrefix).toBe('$JS.hub.API');
    expect(resolveOptions({ connection, jetstream: { apiPrefix: '$JS.x.API' } }).apiPrefix).toBe('$JS.x.API');
  });

  it('passes the connection options on as given', () => {
    const options: StreamsModuleOptions = { connection: { ...connection, name: 'app', noEcho: true } };

    expect(resolveOptions(options).connection).toBe(options.connection);
  });
});

describe('reconcile options', () => {
  it('default to reporting drift, 3 repairs per minute', () => {
    expect(resolveOptions({ connection }).reconcile).toEqual({ onDrift: 'report', maxRepairs: 3, repairWindowMs: 60_000 });
  });

  it('take what is given', () => {
    const options: StreamsModuleOptions = { connection, reconcile: { onDrift: 'repair', maxRepairs: 5, repairWindowMs: 10_000 } };
    expect(resolveOptions(options).reconcile).toEqual({ onDrift: 'repair', maxRepairs: 5, repairWindowMs: 10_000 });
  });
});

describe('fleet options', () => {
  it('are off unless given', () => {
    expect(resolveOptions({ connection }).fleet).toBeNull();
  });

  it('default to a 15 s lease and a stale bound of the lease plus two monitor intervals', () => {
    expect(resolveOptions({ connection, fleet: { group: 'orders-api' } }).fleet).toEqual({
      group: 'orders-api',
      leaseMs: 15_000,
      staleAfterMs: 25_000,
    });
    expect(resolveOptions({ connection, monitorIntervalMs: 1_000, fleet: { group: 'g', leaseMs: 3_000 } }).fleet?.staleAfterMs).toBe(5_000);
  });
});
