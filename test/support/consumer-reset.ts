import { AckPolicy, type JetStreamManager, type NatsConnection } from 'nats';

/**
 * Whether the server has `CONSUMER.RESET` (2.15.1 has it; 2.9.10 and 2.10.27 do not, and do not
 * answer it): asked on a throw-away stream and consumer, which are deleted again.
 */
export async function hasConsumerReset(nc: NatsConnection, jsm: JetStreamManager): Promise<boolean> {
  const name = `reset_probe_${process.pid}_${Date.now()}`;
  await jsm.streams.add({ name, subjects: [`${name}.>`] });
  try {
    await jsm.consumers.add(name, { durable_name: 'probe', ack_policy: AckPolicy.Explicit });
    await nc.request(`$JS.API.CONSUMER.RESET.${name}.probe`, new TextEncoder().encode('{"seq":1}'), { timeout: 2_000 });
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'TIMEOUT') return false;
    throw err;
  } finally {
    await jsm.streams.delete(name);
  }
}
