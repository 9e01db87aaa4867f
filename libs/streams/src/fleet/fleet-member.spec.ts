import { jest } from '@jest/globals';
import { BehaviorSubject } from 'rxjs';
import type { NatsConnection } from 'nats';
import type { ConnectionService } from '../connection/connection.service.js';
import { statusOf, type ConnectionStatus } from '../connection/connection-status.js';
import { NatsNotConnectedError } from '../errors/nats-not-connected.error.js';
import type { JetStreamApi } from '../jetstream/jetstream-api.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { ServerVersion } from '../server/server-version.js';
import { FleetMember } from './fleet-member.js';

/** A fleet member on a connection the test opens and closes; no request is sent (the connection never says it can carry one). */
function member() {
  const status = new BehaviorSubject<ConnectionStatus>(statusOf('connecting', false));
  const subscribe = jest.fn(() => ({ unsubscribe: jest.fn() }));
  let nc: NatsConnection | undefined;
  const connection = {
    status$: status.asObservable(),
    get currentStatus() {
      return status.value;
    },
    getConnection: () => {
      if (!nc) throw new NatsNotConnectedError('connecting', 'getConnection');
      return nc;
    },
    isConnected: () => false,
    serverFacts: () => ({ version: ServerVersion.parse('2.15.1'), clustered: false }),
  } as unknown as ConnectionService;
  const options = {
    name: 'default',
    apiPrefix: '$JS.API',
    requestTimeoutMs: 1_000,
    monitorIntervalMs: 5_000,
    fleet: { group: 'orders-api', leaseMs: 15_000, staleAfterMs: 25_000 },
  } as unknown as ResolvedStreamsOptions;
  const fleet = new FleetMember(options, connection, {} as JetStreamApi);
  const open = () => {
    nc = { subscribe } as unknown as NatsConnection;
    status.next(statusOf('connected', true, 'nats://127.0.0.1:4222'));
  };
  return { fleet, status, subscribe, open };
}

describe('FleetMember', () => {
  it('starts following its group when the connection opens after application bootstrap', async () => {
    // Arrange
    const { fleet, subscribe, open } = member();
    fleet.onApplicationBootstrap();
    const before = subscribe.mock.calls.length;

    // Act
    open();

    // Assert
    expect(before).toBe(0);
    expect(subscribe).toHaveBeenCalledTimes(1);
    expect(subscribe.mock.calls[0]).toEqual([expect.stringContaining('fleet.orders-api.snapshot'), expect.anything()]);
    await fleet.onModuleDestroy();
  });

  it('starts at once when the connection is open at bootstrap, and only once', async () => {
    // Arrange
    const { fleet, subscribe, open } = member();
    open();

    // Act
    fleet.onApplicationBootstrap();
    fleet.onApplicationBootstrap();

    // Assert
    expect(subscribe).toHaveBeenCalledTimes(1);
    await fleet.onModuleDestroy();
  });

  it('never starts when the app shuts down before the connection opened', async () => {
    // Arrange
    const { fleet, subscribe, open } = member();
    fleet.onApplicationBootstrap();

    // Act
    await fleet.onModuleDestroy();
    open();

    // Assert
    expect(subscribe).not.toHaveBeenCalled();
    expect(fleet.role).toBe('solo');
  });
});
