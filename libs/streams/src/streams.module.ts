import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { InvalidOptionsError } from './errors/invalid-options.error.js';
import { StreamsCoreModule, type OptionsChecked } from './streams-core.module.js';
import { StreamsSharedModule } from './streams-registry.js';
import { markModule } from './streams-module-mark.js';
import { DEFAULT_CONNECTION } from './streams.constants.js';
import { STREAMS_ASYNC_OPTIONS_TYPE, STREAMS_OPTIONS_TYPE, StreamsConfigurableModule } from './streams.module-definition.js';
import { connectionName, validateAsyncExtras, validateOptions } from './validate-options.js';
import { connectionToken, getStreamsToken, PUBLIC_SERVICES, type ServiceKind } from './streams.tokens.js';
import { DeclaredStreams, type FeatureDeclarations } from './streams/declared-streams.js';
import type { StreamDeclaration } from './declaration/stream-declaration.js';

const KINDS = Object.keys(PUBLIC_SERVICES) as ServiceKind[];

/**
 * Owns one NATS connection (or several, named) and the app's JetStream streams.
 *
 * @example
 * StreamsModule.forRoot({
 *   connection: { servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' },
 *   streams: [{ name: 'orders', subjects: ['orders.>'], max_age: '7d' }],
 * })
 */
@Module({})
export class StreamsModule extends StreamsConfigurableModule {
  /**
   * Registers a connection with static options (validated here: an invalid option throws
   * `InvalidOptionsError` at once). Its services are exported to the importing module, or
   * everywhere with `isGlobal: true`.
   */
  static override forRoot(options: typeof STREAMS_OPTIONS_TYPE): DynamicModule {
    validateOptions(options, 'extras');
    // Checked here, once: the connection's core applies the defaults (and checks only a test's override).
    return publicModule(super.forRoot(options), options.name ?? DEFAULT_CONNECTION, 'checked', options.isGlobal);
  }

  /**
   * Registers a connection with options from a factory, class or existing provider. `isGlobal`
   * and `name` are checked here; what the factory returns, when the app starts (before connecting).
   */
  static override forRootAsync(options: typeof STREAMS_ASYNC_OPTIONS_TYPE): DynamicModule {
    validateAsyncExtras(options);
    return publicModule(super.forRootAsync(options), options.name ?? DEFAULT_CONNECTION, 'unchecked', options.isGlobal);
  }

  /**
   * Declares streams (a list) or streams, key-value buckets and object stores (`{ streams?,
   * buckets?, objectStores? }`) from a feature module, ensured at start-up with the others, and gives that
   * module the connection's services (`StreamService`, `ConnectionService`, `StreamMonitor`), with
   * or without `isGlobal`. Needs `forRoot` / `forRootAsync` (of the same `connection`) in the app:
   * start-up fails with a clear error otherwise.
   *
   * @param connection the name given to `forRoot({ name })`; the default connection when omitted
   */
  static forFeature(streams: StreamDeclaration[] | FeatureDeclarations, connection: string = DEFAULT_CONNECTION): DynamicModule {
    const name = connectionName(connection);
    const needRoot = (found: unknown): unknown => {
      if (found === undefined || found === null) {
        throw new InvalidOptionsError(
          'forFeature',
          name,
          `StreamsModule.forFeature() needs StreamsModule.forRoot() or forRootAsync()${name === DEFAULT_CONNECTION ? '' : ` with name '${name}'`} in the app`,
        );
      }
      return found;
    };
    const registration: Provider = {
      provide: Symbol('StreamsFeature'),
      useFactory: (declared: DeclaredStreams | undefined) => {
        (needRoot(declared) as DeclaredStreams).addFeature(streams);
        return streams;
      },
      inject: [{ token: connectionToken(DeclaredStreams, name), optional: true }],
    };
    const services = KINDS.map((kind): Provider => ({
      provide: getStreamsToken(kind, name),
      useFactory: needRoot,
      inject: [{ token: connectionToken(kind, name), optional: true }],
    }));
    return markModule(
      {
        module: StreamsModule,
        providers: [registration, ...services],
        exports: services.map((s) => (s as { provide: unknown }).provide as string),
      },
      { kind: 'feature', connection: name, declarations: streams },
    );
  }
}

/** The module `forRoot` returns: the connection's core, and its services under the public tokens. */
function publicModule(definition: DynamicModule, name: string, checked: OptionsChecked, isGlobal = false): DynamicModule {
  const core = StreamsCoreModule.register(name, definition.providers ?? [], definition.imports, checked);
  const services = KINDS.map((kind): Provider => ({ provide: getStreamsToken(kind, name), useExisting: connectionToken(kind, name) }));
  return markModule(
    {
      module: StreamsModule,
      global: isGlobal,
      imports: [core, StreamsSharedModule],
      providers: services,
      exports: [...services.map((s) => (s as { provide: unknown }).provide as string), StreamsSharedModule],
    },
    { kind: 'root', connection: name, optionProviders: definition.providers ?? [], imports: definition.imports ?? [] },
  );
}
