import type { NatsConnection } from 'nats';
import { RoundTrips } from './round-trips.js';

/** A connection whose round trip settles only when the test says so. */
function connection(): { nc: NatsConnection; answer: (ms: number) => void } {
  let answer: (ms: number) => void = () => undefined;
  const nc = { rtt: () => new Promise<number>((resolve) => (answer = resolve)) } as unknown as NatsConnection;
  return { nc, answer: (ms) => answer(ms) };
}

describe('RoundTrips', () => {
  it("resolves with the client's measure", async () => {
    const trips = new RoundTrips();
    const { nc, answer } = connection();

    const trip = trips.measure(nc);
    answer(3);

    await expect(trip).resolves.toBe(3);
  });

  it('rejects a round trip still in flight when its connection closes', async () => {
    const trips = new RoundTrips();
    const { nc } = connection();

    const trip = trips.measure(nc);
    trips.rejectAll();

    await expect(trip).rejects.toThrow('the NATS connection closed before the round trip completed');
  });
});
