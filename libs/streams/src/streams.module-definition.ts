import { ConfigurableModuleBuilder } from '@nestjs/common';
import { DEFAULT_CONNECTION } from './streams.constants.js';
import type { StreamsModuleOptions } from './streams.options.js';

/** Options of `forRoot` / `forRootAsync` that shape the module rather than the connection. */
export interface StreamsModuleExtras {
  /** Register the module's services globally (every module may inject them). @default false */
  isGlobal?: boolean;
  /**
   * The connection's name, for apps that talk to several NATS systems: each `forRoot` gets its
   * own connection, declarations, cache, monitor and health. Inject a named connection's services
   * with `@InjectStreamService(name)` (and its siblings); `forFeature(streams, name)` declares
   * streams on it; the indicators take `{ connection: name }`.
   * @default 'default'
   */
  name?: string;
}

export const {
  ConfigurableModuleClass: StreamsConfigurableModule,
  MODULE_OPTIONS_TOKEN: STREAMS_MODULE_OPTIONS,
  OPTIONS_TYPE: STREAMS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: STREAMS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<StreamsModuleOptions>({ moduleName: 'Streams' })
  .setClassMethodName('forRoot')
  .setExtras<StreamsModuleExtras>({ isGlobal: false, name: DEFAULT_CONNECTION }, (definition) => definition)
  .build();
