import { ConfigurableModuleBuilder, Inject } from '@nestjs/common';
import type { StreamsModuleOptions } from './streams.options.js';

export const {
  ConfigurableModuleClass: StreamsConfigurableModule,
  MODULE_OPTIONS_TOKEN: STREAMS_MODULE_OPTIONS,
  OPTIONS_TYPE: STREAMS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: STREAMS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<StreamsModuleOptions>({ moduleName: 'Streams' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** Injects the module's raw options, as given to `forRoot` / `forRootAsync`. */
export const InjectStreamsOptions = (): ParameterDecorator => Inject(STREAMS_MODULE_OPTIONS);
