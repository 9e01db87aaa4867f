import type { Type } from '@nestjs/common';
import type { TestingModuleBuilder } from '@nestjs/testing';
import { connectionProviders } from '../../libs/streams/src/connection-providers.js';
import { JetStreamApi } from '../../libs/streams/src/jetstream/jetstream-api.js';
import { StreamInfoCache } from '../../libs/streams/src/reconcile/stream-info-cache.js';
import { CONNECTION_SERVICES } from '../../libs/streams/src/streams-core.module.js';
import { connectionToken } from '../../libs/streams/src/streams.tokens.js';

/**
 * Replaces a connection's `JetStreamApi` with a subclass (a test double that pauses or counts at
 * chosen calls). A connection's services are built under per-connection tokens, so
 * `overrideProvider(JetStreamApi)` would only replace what the app gets by class.
 */
export function overrideJetStreamApi(builder: TestingModuleBuilder, api: Type<JetStreamApi>, connection = 'default'): TestingModuleBuilder {
  const [provider] = connectionProviders([api], connection, [...CONNECTION_SERVICES, StreamInfoCache]);
  return builder
    .overrideProvider(connectionToken(JetStreamApi, connection))
    .useFactory({ factory: provider.useFactory, inject: provider.inject });
}
