import 'reflect-metadata';
import { forwardRef, Global, Inject, Injectable, Module, type Type } from '@nestjs/common';
import { StreamsModule } from '../streams.module.js';
import { appModuleDeclarations, rootModuleOf } from './app-module-declarations.js';
import { DeclarationsModuleError } from './declarations-module.error.js';

const connection = { servers: 'nats://nowhere.invalid:4222' };
const stream = (name: string) => ({ name, subjects: [`${name}.>`] });

/** A provider that must never be made: the plan does not start the app. */
@Injectable()
class Database {
  constructor() {
    throw new Error('the app was started');
  }
}

@Global()
@Module({ providers: [{ provide: 'SETTINGS', useValue: { streams: [stream('async_orders')], max_age: '2d' } }], exports: ['SETTINGS'] })
class SettingsModule {}

@Module({ imports: [StreamsModule.forFeature([stream('invoices')])], providers: [Database] })
class BillingModule {}

@Module({
  imports: [
    StreamsModule.forFeature(
      { streams: [stream('eu_refunds')], buckets: [{ bucket: 'eu_carts' }], objectStores: [{ bucket: 'eu_files' }] },
      'eu',
    ),
    forwardRef(() => BillingModule),
  ],
})
class EuModule {}

@Module({
  imports: [
    StreamsModule.forRoot({
      connection,
      streams: [stream('orders')],
      buckets: [{ bucket: 'sessions', history: 5 }],
      objectStores: [{ bucket: 'files', ttl: '1d' }],
      streamDefaults: { max_msgs: 7 },
    }),
    StreamsModule.forRoot({ name: 'eu', connection, streams: [stream('eu_orders')], jetstream: { domain: 'hub' } }),
    Promise.resolve({ module: class AsyncFeatureModule {}, imports: [StreamsModule.forFeature({ buckets: [{ bucket: 'carts' }] })] }),
    BillingModule,
    EuModule,
  ],
  providers: [Database],
})
class AppModule {}

@Module({
  imports: [
    SettingsModule,
    StreamsModule.forRootAsync({
      inject: ['SETTINGS'],
      useFactory: (settings: { streams: []; max_age: string }) => ({
        connection,
        streams: settings.streams,
        streamDefaults: { max_age: settings.max_age },
      }),
    }),
    BillingModule,
  ],
})
class AsyncAppModule {}

@Injectable()
class OptionsFactory {
  constructor(@Inject('MISSING') readonly missing: unknown) {}
  create() {
    return { connection };
  }
}

@Module({ imports: [StreamsModule.forRootAsync({ useClass: OptionsFactory })] })
class UnresolvableAppModule {}

@Module({ imports: [BillingModule] })
class NoRootAppModule {}

describe('appModuleDeclarations', () => {
  const plan = (root: Type, name = 'default', timeoutMs = 5_000) => appModuleDeclarations('/app/dist/app.module.js', root, name, timeoutMs);

  it('collects forRoot and every forFeature of the default connection, through forward references and async imports, making no provider of the app', async () => {
    await expect(plan(AppModule)).resolves.toEqual({
      streams: [stream('orders'), stream('invoices')],
      buckets: [{ bucket: 'sessions', history: 5 }, { bucket: 'carts' }],
      objectStores: [{ bucket: 'files', ttl: '1d' }],
      streamDefaults: { max_msgs: 7 },
      jetstream: undefined,
    });
  });

  it('collects a named connection with --connection', async () => {
    await expect(plan(AppModule, 'eu')).resolves.toEqual({
      streams: [stream('eu_orders'), stream('eu_refunds')],
      buckets: [{ bucket: 'eu_carts' }],
      objectStores: [{ bucket: 'eu_files' }],
      streamDefaults: undefined,
      jetstream: { domain: 'hub' },
    });
  });

  it("runs a forRootAsync factory with what it injects from the app's global modules, and nothing else of the app", async () => {
    await expect(plan(AsyncAppModule)).resolves.toEqual({
      streams: [stream('async_orders'), stream('invoices')],
      buckets: [],
      objectStores: [],
      streamDefaults: { max_age: '2d' },
      jetstream: undefined,
    });
  });

  it.each([
    [
      'no forRoot at all',
      NoRootAppModule,
      'default',
      /has no StreamsModule\.forRoot or forRootAsync in the module graph of NoRootAppModule/,
    ],
    [
      'a connection it does not register',
      AppModule,
      'us',
      /has no StreamsModule\.forRoot\/forRootAsync for connection 'us' in the module graph of AppModule \(its connections: 'default', 'eu'\); choose one with --connection <name>/,
    ],
    [
      'async options whose dependency nothing provides',
      UnresolvableAppModule,
      'default',
      /could not give the options of its StreamsModule\.forRootAsync without starting the app: .*MISSING/,
    ],
  ])('refuses %s with a DeclarationsModuleError', async (_case, root, name, message) => {
    const error = await plan(root, name).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(DeclarationsModuleError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('rootModuleOf', () => {
  it('takes --module by name, else the default export, else the only exported module class', () => {
    expect(rootModuleOf('/m.js', { AppModule, BillingModule }, 'AppModule')).toBe(AppModule);
    expect(rootModuleOf('/m.js', { default: AppModule, BillingModule })).toBe(AppModule);
    expect(rootModuleOf('/m.js', { default: { __esModule: true, default: AppModule } })).toBe(AppModule);
    expect(rootModuleOf('/m.js', { AppModule, helper: () => 1 })).toBe(AppModule);
  });

  it.each<[string, Record<string, unknown>, string | undefined, RegExp]>([
    ['an unknown --module', { AppModule }, 'Missing', /exports no class named `Missing` \(--module\); its exports: AppModule/],
    [
      'several module classes',
      { AppModule, BillingModule },
      undefined,
      /exports several module classes \(AppModule, BillingModule\): name the root one with --module <Name>/,
    ],
    ['no module class', { answer: 42 }, undefined, /exports neither declarations .* nor a Nest module class/],
  ])('refuses %s', (_case, namespace, name, message) => {
    expect(() => rootModuleOf('/m.js', namespace, name)).toThrow(DeclarationsModuleError);
    expect(() => rootModuleOf('/m.js', namespace, name)).toThrow(message);
  });
});
