import type { ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule, type TestingModuleBuilder } from '@nestjs/testing';
import { DEFAULT_CONNECTION } from '../streams.constants.js';
import { StreamsModule } from '../streams.module.js';
import type { StreamsModuleExtras } from '../streams.module-definition.js';
import type { StreamsModuleOptions } from '../streams.options.js';
import { StreamsRegistry } from '../streams-registry.js';
import { getStreamsOptionsOverrideToken } from '../streams.tokens.js';
import type { NatsTestCluster } from './nats-cluster.js';
import { InvalidNatsTestOptionsError } from './nats-test-options.error.js';
import { describeValue, isPlainObject, nonEmptyString } from './nats-test-options.validation.js';
import type { NatsTestServer } from './nats-test-server.js';

/** A test server or cluster to connect to. */
export type NatsTestTarget = NatsTestServer | NatsTestCluster;

function serversOf(target: NatsTestTarget): string | string[] {
  const candidate = target as Partial<{ url: unknown; urls: unknown }> | null;
  if (candidate !== null && typeof candidate === 'object') {
    if (Array.isArray(candidate.urls) && candidate.urls.length > 0) {
      return candidate.urls as string[];
    }
    if (typeof candidate.url === 'string') {
      return candidate.url;
    }
  }
  throw new InvalidNatsTestOptionsError(
    'target',
    `must be a server from startNatsServer or a cluster from startNatsCluster (with url or urls), got ${describeValue(target)}`,
  );
}

/**
 * A Nest testing module with `StreamsModule.forRoot` connected to a test server or cluster, plus
 * your own module metadata. Every module option is accepted, `isGlobal` and `name` included.
 * Override providers on the builder as usual, then `compile()`. To test a whole app that calls
 * `forRoot`/`forRootAsync` itself, use {@link overrideStreamsConnection} instead (one connection).
 *
 * @throws {InvalidNatsTestOptionsError} at once for a `target` that is not a test server or
 *   cluster, or `options` / `metadata` that are not plain objects (`null` among them); invalid
 *   module options throw the module's `InvalidOptionsError`, also before anything connects.
 * @example
 * const server = await startNatsServer();
 * const moduleRef = await createStreamsTestingModule(server, { streams: [{ name: 'orders', subjects: ['orders.>'] }] }, {
 *   providers: [OrdersService],
 * }).compile();
 * const app = await moduleRef.createNestApplication().init();
 */
export function createStreamsTestingModule(
  target: NatsTestTarget,
  options: Partial<StreamsModuleOptions> & StreamsModuleExtras = {},
  metadata: ModuleMetadata = {},
): TestingModuleBuilder {
  const servers = serversOf(target);
  if (!isPlainObject(options as unknown)) {
    throw new InvalidNatsTestOptionsError('options', `must be a plain object of StreamsModule options, got ${describeValue(options)}`);
  }
  if (!isPlainObject(metadata as unknown)) {
    throw new InvalidNatsTestOptionsError(
      'metadata',
      `must be a plain object of module metadata (imports, providers, ...), got ${describeValue(metadata)}`,
    );
  }
  return Test.createTestingModule({
    ...metadata,
    imports: [StreamsModule.forRoot({ ...options, connection: { ...options.connection, servers } }), ...(metadata.imports ?? [])],
  });
}

/**
 * Points an app's own `StreamsModule.forRoot` / `forRootAsync` (with its production settings) at a
 * test server or cluster: its connection's servers are replaced, everything else it declares
 * (streams, defaults, health settings, the connection's other options) is kept, and `options` may
 * override more (e.g. shorter timeouts). One connection, the app's own: no second module.
 *
 * `compile()` of the returned builder fails when the app registers no connection of that name
 * (a typo would otherwise leave the app connecting to its own, possibly production, servers):
 * the check runs once every provider exists and before any connection opens (`app.init()`).
 *
 * @param connection the `name` the app gave `forRoot`; the default connection when omitted
 * @throws {InvalidNatsTestOptionsError} at once for a `target` that is not a test server or
 *   cluster, `options` that are not a plain object, or an empty `connection`; from `compile()` when
 *   the app has no connection named `connection` (the message lists the ones it has).
 * @example
 * const server = await startNatsServer();
 * const moduleRef = await overrideStreamsConnection(Test.createTestingModule({ imports: [AppModule] }), server).compile();
 * const app = await moduleRef.createNestApplication().init();
 */
export function overrideStreamsConnection(
  builder: TestingModuleBuilder,
  target: NatsTestTarget,
  options: Partial<StreamsModuleOptions> = {},
  connection?: string,
): TestingModuleBuilder {
  const servers = serversOf(target);
  if (!isPlainObject(options)) {
    throw new InvalidNatsTestOptionsError('options', `must be a plain object of StreamsModule options, got ${describeValue(options)}`);
  }
  const name = nonEmptyString('connection', connection) ?? DEFAULT_CONNECTION;
  const override = { ...options, connection: { ...options.connection, servers } };
  builder.overrideProvider(getStreamsOptionsOverrideToken(name)).useValue(override);
  // Nest ignores an override of a token no module provides; only the compiled module knows the app's connections.
  const compile = builder.compile.bind(builder);
  builder.compile = async (...args) => requireConnection(await compile(...args), name);
  return builder;
}

async function requireConnection(moduleRef: TestingModule, name: string): Promise<TestingModule> {
  const names = connectionNames(moduleRef);
  if (names.includes(name)) {
    return moduleRef;
  }
  await moduleRef.close();
  const known = names.map((existing) => `"${existing}"`).join(', ') || 'none';
  throw new InvalidNatsTestOptionsError(
    'connection',
    `the app registers no StreamsModule connection named "${name}" (its connections: ${known}), so the override would be ignored`,
  );
}

function connectionNames(moduleRef: TestingModule): string[] {
  try {
    // Every connection registers itself while its providers are created, which compile() did.
    return moduleRef.get(StreamsRegistry, { strict: false }).names();
  } catch {
    // Nest throws when no module provides the registry: the app has no StreamsModule at all.
    return [];
  }
}
