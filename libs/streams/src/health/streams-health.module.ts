import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { StreamsSharedModule } from '../streams-registry.js';
import { NatsHealthIndicator } from './nats.health.js';
import { StreamsHealthIndicator } from './streams.health.js';

/**
 * The Terminus indicators of every connection the app registers with `StreamsModule.forRoot`:
 * `NatsHealthIndicator` (the connection and a round trip) and `StreamsHealthIndicator` (the
 * declared streams and consumers). Import it where your health controller lives, next to
 * `TerminusModule`; each indicator takes `{ connection: name }` for a named connection.
 *
 * Kept out of the package's root entry so that an app that never uses the indicators never loads
 * `@nestjs/terminus` (an optional peer).
 *
 * @example
 * import { NatsHealthIndicator, StreamsHealthIndicator, StreamsHealthModule } from 'nestjs-jetstream-streams/health';
 *
 * @Module({ imports: [TerminusModule, StreamsHealthModule], controllers: [HealthController] })
 * export class HealthModule {}
 */
@Module({
  // The registry too: without any forRoot, a check is down (no such connection), not a start-up failure.
  imports: [TerminusModule, StreamsSharedModule],
  providers: [NatsHealthIndicator, StreamsHealthIndicator],
  exports: [NatsHealthIndicator, StreamsHealthIndicator],
})
export class StreamsHealthModule {}
