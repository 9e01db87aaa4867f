// One app instance in its own process for the fleet scenario (bench/fleet.scenario.ts): the bench's
// HTTP app (/health, /health/baseline) with the module options given as JSON in argv[2]; prints
// `LISTENING <base url>` once it listens. The scenario ends it with SIGTERM, or SIGKILL for failover.
import { startHttpApp } from './fixtures.js';

const { app, baseUrl } = await startHttpApp(JSON.parse(process.argv[2] ?? '{}'));
process.stdout.write(`LISTENING ${baseUrl}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
