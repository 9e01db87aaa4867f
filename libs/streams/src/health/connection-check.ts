import type { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { RegisteredConnection, StreamsRegistry } from '../streams-registry.js';

/**
 * One indicator check of a named connection, the part both indicators share: `down` with the
 * reason when the connection is not registered, is shutting down, or `check` throws; otherwise what
 * `check` answers. Never throws.
 */
export async function checkConnection<Key extends string>(
  health: HealthIndicatorService,
  registry: StreamsRegistry,
  key: Key,
  connection: string | undefined,
  check: (indicator: ReturnType<typeof health.check<Key>>, registered: RegisteredConnection) => Promise<HealthIndicatorResult<Key>>,
): Promise<HealthIndicatorResult<Key>> {
  const indicator = health.check(key);
  try {
    const registered = registry.get(connection);
    if (registered.connection.isShuttingDown) return indicator.down({ reason: 'shutting down' });
    return await check(indicator, registered);
  } catch (err) {
    return indicator.down({ reason: (err as Error).message });
  }
}
