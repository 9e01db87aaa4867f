import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { StreamService, StreamsModule, type StreamPlan } from '@app/streams';
import { DEMO_STREAMS } from './demo-streams.js';
import { ORDERS_FEATURE_STREAMS } from './orders/orders.module.js';

/**
 * `npm run streams:plan`: prints what ensuring the demo's declared streams would do against the
 * server at NATS_URL, writing nothing. Exits 1 when anything would change (a drift check for CI),
 * 2 when the server cannot be reached, 0 when every stream matches.
 */
async function main(): Promise<number> {
  const servers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const app = await NestFactory.createApplicationContext(
    StreamsModule.forRoot({ connection: { servers }, startup: { wait: false, timeoutMs: 5_000 } }),
    { logger: ['error'] },
  );
  try {
    const plans = await app.get(StreamService).planStreams([...DEMO_STREAMS, ...ORDERS_FEATURE_STREAMS]);
    for (const plan of plans) console.log(describe(plan));
    const changing = plans.filter((p) => p.action !== 'unchanged');
    console.log(changing.length ? `\n${changing.length} of ${plans.length} streams would change.` : `\nAll ${plans.length} streams match.`);
    return changing.length ? 1 : 0;
  } finally {
    await app.close();
  }
}

function describe(plan: StreamPlan): string {
  const lines = [`${plan.name}: ${plan.action}`];
  const conflicting = new Set(plan.conflicts.map((c) => c.field));
  for (const change of plan.changes) {
    const mark = conflicting.has(change.field) ? '  (cannot change in place)' : '';
    lines.push(`  ${change.field}: ${JSON.stringify(change.current)} -> ${JSON.stringify(change.desired)}${mark}`);
  }
  if (plan.error && plan.action !== 'conflict') lines.push(`  ${plan.error.message}`);
  return lines.join('\n');
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`streams:plan failed: ${err.message}`);
    process.exit(2);
  },
);
