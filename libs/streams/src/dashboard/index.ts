// The `nestjs-jetstream-streams/dashboard` entry point: the mountable page of a connection's streams.
export { StreamsDashboardModule } from './streams-dashboard.module.js';
export type { StreamsDashboardOptions } from './dashboard-options.js';
