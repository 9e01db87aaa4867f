// The `nestjs-jetstream-streams/health` entry point: the Terminus indicators, which need `@nestjs/terminus`.
export { StreamsHealthModule } from './streams-health.module.js';
export { NatsHealthIndicator } from './nats.health.js';
export type { NatsHealthCheckOptions } from './nats.health.js';
export { StreamsHealthIndicator } from './streams.health.js';
export type { StreamsHealthCheckOptions } from './streams.health.js';
export type { HealthDetails, StreamSummary } from './health-details.js';
