import type { INestApplicationContext } from '@nestjs/common';
import { StreamConfigConflictError, StreamService } from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { startStreamsApp } from './support/streams-app.js';

/**
 * Instances racing to create one stream with different configs: one storage wins, and the others
 * get the conflict it is — never the "subjects overlap with another stream" that nats-server 2.9
 * sometimes answers when the other stream is the same one (issue #12 item 12; the exact
 * interleaving is rare here, so `reconciler.spec.ts` forces it against a fake of the adapter).
 */
describe('two instances racing to create one stream', () => {
  let server: NatsTestServer;
  let apps: INestApplicationContext[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    apps = await Promise.all([0, 1, 2, 3].map(() => startStreamsApp({ connection: { servers: server.url } }, { logger: false })));
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await server?.dispose();
  });

  it('with different storage: the instances of one storage succeed, the others get StreamConfigConflictError, in every round', async () => {
    const instances = apps.map((app) => app.get(StreamService));
    const unexpected: unknown[] = [];
    for (let round = 0; round < 300; round++) {
      const name = `race_${process.pid}_${round}`;
      // Two instances declare file storage, two memory: the losers of the other storage conflict.
      const outcomes = await Promise.allSettled(
        instances.map((s, i) => s.ensureStream(name, [`${name}.>`], { storage: i % 2 ? 'memory' : 'file' })),
      );
      const ok = outcomes.filter((o) => o.status === 'fulfilled');
      const conflicts = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof StreamConfigConflictError);
      if (ok.length !== 2 || conflicts.length !== 2)
        unexpected.push(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.action : String(o.reason))));
    }

    expect(unexpected).toEqual([]);
  });
});
