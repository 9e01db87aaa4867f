import { InvalidStreamConfigError, StreamConfigConflictError, type ConsumerDeclaration, type StreamConfigInput } from '@app/streams';
import { writesAmong } from './support/js-api-spy.js';
import { uniqueName, useStreamsFixture } from './support/streams-fixture.js';
import { waitFor } from './support/wait.js';

/**
 * The requests of `requests` not about another stream than `stream`: a sourcing stream's server
 * keeps creating its own consumers on the origins (`CONSUMER.CREATE.<origin>`) in the background.
 */
const about = (requests: string[], stream: string): string[] =>
  requests.filter((r) => {
    const [kind, , named] = r.split('.');
    return (kind !== 'STREAM' && kind !== 'CONSUMER') || named === undefined || named === stream;
  });
/** The requests about `stream` that change it or one of its consumers. */
const writes = (requests: string[], stream: string): string[] => writesAmong(about(requests, stream));

/** One newer stream field: how it is first declared, a change the server makes in place (if any), and one it refuses. */
interface StreamFieldCase {
  field: keyof StreamConfigInput;
  since: string;
  created: StreamConfigInput;
  inPlace?: StreamConfigInput;
  conflict?: StreamConfigInput;
}

const STREAM_CASES: StreamFieldCase[] = [
  {
    field: 'allow_msg_schedules',
    since: '2.12.0',
    created: { allow_msg_schedules: true },
    conflict: {},
  },
  { field: 'allow_msg_counter', since: '2.12.0', created: { allow_msg_counter: true }, conflict: {} },
  { field: 'allow_atomic', since: '2.12.0', created: { allow_atomic: true }, inPlace: {} },
  { field: 'allow_batched', since: '2.14.0', created: { allow_batched: true }, inPlace: {} },
  { field: 'persist_mode', since: '2.12.0', created: { persist_mode: 'async' }, conflict: { persist_mode: 'default' } },
  {
    field: 'subject_delete_marker_ttl',
    since: '2.11.0',
    created: { subject_delete_marker_ttl: '5s' },
    inPlace: { subject_delete_marker_ttl: '10s' },
  },
];

describe('the fields of nats-server 2.11 to 2.14, against a real nats-server', () => {
  const fx = useStreamsFixture({ cacheTtlMs: 0 });
  const version = (): string => fx.raw.info?.version ?? '0.0.0';
  const atLeast = (since: string): boolean => version().localeCompare(since, undefined, { numeric: true }) >= 0;

  describe.each(STREAM_CASES)('stream field $field', ({ field, since, created, inPlace, conflict }) => {
    it(`is created, unchanged on a second ensure, changed in place or refused; refused before any request before ${since}`, async () => {
      const name = uniqueName(field.toUpperCase());
      const subjects = [`${name}.>`];

      const first = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, subjects, created));

      if (!atLeast(since)) {
        expect(first.error).toBeInstanceOf(InvalidStreamConfigError);
        expect((first.error as InvalidStreamConfigError).field).toBe(field);
        expect((first.error as Error).message).toContain(`needs nats-server ${since} or newer; the server is ${version()}`);
        expect(about(first.requests, name)).toEqual([]);
        expect(await fx.streams.streamExists(name)).toBe(false);
        return;
      }
      expect(first.error).toBeUndefined();
      expect(first.result?.action).toBe('created');
      const again = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, subjects, created));
      expect(again.result).toMatchObject({ action: 'unchanged', changes: [] });
      expect(writes(again.requests, name)).toEqual([]);
      const held = (await fx.jsm.streams.info(name)).config as unknown as Record<string, unknown>;
      expect(held[field]).toBeDefined();

      if (inPlace) {
        const changed = await fx.streams.ensureStream(name, subjects, inPlace);
        expect(changed.action).toBe('updated');
        expect(changed.changes.map((c) => c.field)).toContain(field);
        const settled = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, subjects, inPlace));
        expect(settled.result?.action).toBe('unchanged');
        expect(writes(settled.requests, name)).toEqual([]);
      }
      if (conflict) {
        const plan = await fx.streams.planStream(name, subjects, conflict);
        expect(plan.action).toBe('conflict');
        expect(plan.conflicts.map((c) => c.field)).toEqual([field]);
        const refused = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, subjects, conflict));
        expect(refused.error).toBeInstanceOf(StreamConfigConflictError);
        expect((refused.error as StreamConfigConflictError).conflicts.map((c) => c.field)).toEqual([field]);
        expect(writes(refused.requests, name)).toEqual([]);
      }
    });
  });

  it('declares the roll-ups that schedules and delete markers need, so the server rewrites nothing and a second ensure sends nothing', async () => {
    const name = uniqueName('ROLLUPS');
    const config: StreamConfigInput = atLeast('2.12.0')
      ? { allow_msg_schedules: true, subject_delete_marker_ttl: '5s' }
      : { subject_delete_marker_ttl: '5s' };
    if (!atLeast('2.11.0')) {
      const refused = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], config));
      expect(refused.error).toBeInstanceOf(InvalidStreamConfigError);
      expect(writes(refused.requests, name)).toEqual([]);
      return;
    }

    const first = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], config));
    const again = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], config));

    expect(first.result?.action).toBe('created');
    expect(again.result).toMatchObject({ action: 'unchanged', changes: [] });
    expect(writes(again.requests, name)).toEqual([]);
    expect((await fx.jsm.streams.info(name)).config).toMatchObject({ allow_rollup_hdrs: true, deny_purge: false });
  });

  it('refuses what the server would refuse or rewrite, in the plan and before any request', async () => {
    const name = uniqueName('REWRITE');
    const cases: Array<[StreamConfigInput, string]> = [
      [{ subject_delete_marker_ttl: '5s', allow_rollup_hdrs: false }, 'subject_delete_marker_ttl'],
      [{ subject_delete_marker_ttl: '5s', deny_purge: true }, 'allow_rollup_hdrs'],
      ...(atLeast('2.12.0')
        ? ([
            [{ allow_msg_schedules: true, allow_rollup_hdrs: false }, 'allow_msg_schedules'],
            [{ allow_msg_schedules: true, discard: 'new' }, 'allow_msg_schedules'],
            [{ allow_msg_counter: true, allow_msg_ttl: true }, 'allow_msg_counter'],
            [{ allow_msg_counter: true, retention: 'workqueue' }, 'allow_msg_counter'],
            [{ persist_mode: 'async', storage: 'memory' }, 'persist_mode'],
            [{ persist_mode: 'async', allow_atomic: true }, 'persist_mode'],
          ] as Array<[StreamConfigInput, string]>)
        : []),
    ];

    for (const [config, field] of cases) {
      const plan = await fx.spy.during(fx.nc, () => fx.streams.planStream(name, [`${name}.>`], config));
      const attempt = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], config));

      expect(plan.error).toBeInstanceOf(InvalidStreamConfigError);
      expect((plan.error as InvalidStreamConfigError).field).toBe(field);
      expect(about(plan.requests, name)).toEqual([]);
      expect(attempt.error).toBeInstanceOf(InvalidStreamConfigError);
      expect((attempt.error as InvalidStreamConfigError).field).toBe(field);
      expect(about(attempt.requests, name)).toEqual([]);
    }
  });

  it('turns a mirror into a normal stream by removing the mirror on 2.12+, keeping its messages; a conflict before', async () => {
    const origin = uniqueName('ORIGIN');
    const mirror = uniqueName('MIRROR');
    await fx.streams.ensureStream(origin, [`${origin}.>`]);
    await fx.streams.ensureStream(mirror, [], { mirror: { name: origin } });
    await fx.raw.jetstream().publish(`${origin}.a`);
    await waitFor(
      async () => (await fx.jsm.streams.info(mirror)).state.messages,
      (n) => n === 1,
      { what: 'the mirror to copy the message' },
    );

    const plan = await fx.streams.planStream(mirror, [`${mirror}.>`]);
    const promoted = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(mirror, [`${mirror}.>`]));

    if (!atLeast('2.12.0')) {
      expect(plan.action).toBe('conflict');
      expect(promoted.error).toBeInstanceOf(StreamConfigConflictError);
      expect((promoted.error as StreamConfigConflictError).conflicts.map((c) => c.field)).toEqual(['mirror']);
      expect(writes(promoted.requests, mirror)).toEqual([]);
      return;
    }
    expect(plan.action).toBe('update');
    expect(promoted.result?.action).toBe('updated');
    const info = await fx.jsm.streams.info(mirror);
    expect(info.config.mirror).toBeUndefined();
    expect(info.config.subjects).toEqual([`${mirror}.>`]);
    expect(info.state.messages).toBe(1);
  });

  it('reads a source through a durable consumer of the origin on 2.14+ (sources[].consumer); refused before any request before', async () => {
    const origin = uniqueName('WQ');
    const copy = uniqueName('COPY');
    const other = uniqueName('OTHER');
    await fx.streams.ensureStream(origin, [`${origin}.>`], { retention: 'workqueue' });
    await fx.streams.ensureStream(other, [`${other}.>`]);
    const sources = [{ name: origin, consumer: { name: 'copier', deliver_subject: `deliver.${copy}` } }];

    const first = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(copy, [], { sources }));

    if (!atLeast('2.14.0')) {
      expect(first.error).toBeInstanceOf(InvalidStreamConfigError);
      expect((first.error as Error).message).toMatch(/sources needs nats-server 2\.14\.0 or newer/);
      expect(about(first.requests, copy)).toEqual([]);
      return;
    }
    expect(first.result?.action).toBe('created');
    const again = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(copy, [], { sources }));
    expect(again.result).toMatchObject({ action: 'unchanged', changes: [] });
    expect(writes(again.requests, copy)).toEqual([]);
    const more = await fx.streams.ensureStream(copy, [], { sources: [...sources, { name: other }] });
    expect(more).toMatchObject({ action: 'updated', changes: [{ field: 'sources' }] });
    const bad = await fx.spy.during(fx.nc, () =>
      fx.streams.ensureStream(copy, [], { sources: [{ name: origin, consumer: { name: 'copier', deliver_subject: 'deliver.*' } }] }),
    );
    expect(bad.error).toBeInstanceOf(InvalidStreamConfigError);
    expect(about(bad.requests, copy)).toEqual([]);
  });

  describe('consumers', () => {
    const FUTURE = '2099-01-02T03:04:05Z';
    const LATER = '2099-06-07T08:09:10Z';

    it('pauses and resumes a declared consumer through its declaration (pause_until), with the pause API', async () => {
      const name = uniqueName('PAUSE');
      const paused: ConsumerDeclaration[] = [{ durable_name: 'worker', pause_until: FUTURE }];

      const first = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], { consumers: paused }));

      if (!atLeast('2.11.0')) {
        expect(first.error).toBeInstanceOf(InvalidStreamConfigError);
        expect((first.error as Error).message).toMatch(/consumers\.worker\.pause_until needs nats-server 2\.11\.0 or newer/);
        expect(about(first.requests, name)).toEqual([]);
        return;
      }
      expect(first.result?.consumers).toEqual([{ name: 'worker', action: 'created', changes: [] }]);
      expect((await fx.jsm.consumers.info(name, 'worker')) as unknown).toMatchObject({ paused: true });
      const again = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], { consumers: paused }));
      expect(again.result?.consumers?.[0].action).toBe('unchanged');
      expect(writes(again.requests, name)).toEqual([]);

      // Resuming: only the pause API, as an update would leave the consumer paused.
      const resumed = await fx.spy.during(fx.nc, () =>
        fx.streams.ensureStream(name, [`${name}.>`], { consumers: [{ durable_name: 'worker' }] }),
      );
      expect(resumed.result?.consumers?.[0]).toMatchObject({ action: 'updated', changes: [{ field: 'pause_until' }] });
      expect(writes(resumed.requests, name)).toEqual([`CONSUMER.PAUSE.${name}.worker`]);
      const running = (await fx.jsm.consumers.info(name, 'worker')) as unknown as { paused?: boolean };
      expect(running.paused ?? false).toBe(false);
      const settled = await fx.spy.during(fx.nc, () =>
        fx.streams.ensureStream(name, [`${name}.>`], { consumers: [{ durable_name: 'worker' }] }),
      );
      expect(writes(settled.requests, name)).toEqual([]);

      // Pausing again with another change: the update, then the pause.
      const repaused = await fx.spy.during(fx.nc, () =>
        fx.streams.ensureStream(name, [`${name}.>`], { consumers: [{ durable_name: 'worker', pause_until: LATER, max_deliver: 3 }] }),
      );
      expect(writes(repaused.requests, name)).toEqual([`CONSUMER.CREATE.${name}.worker`, `CONSUMER.PAUSE.${name}.worker`]);
      const info = (await fx.jsm.consumers.info(name, 'worker')) as unknown as { paused?: boolean; config: { pause_until?: string } };
      expect(info.paused).toBe(true);
      expect(Date.parse(info.config.pause_until ?? '')).toBe(Date.parse(LATER));
    });

    it("gives a consumer the stream's consumer_limits.inactive_threshold as the server does: accepted by a pedantic server, unchanged the second time", async () => {
      const name = uniqueName('LIMITS');
      const declaration = { consumer_limits: { inactive_threshold: '1h' }, consumers: [{ durable_name: 'c' }] };

      const first = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], declaration));

      if (!fx.modern) {
        expect(first.error).toBeInstanceOf(InvalidStreamConfigError);
        expect(about(first.requests, name)).toEqual([]);
        return;
      }
      expect(first.error).toBeUndefined();
      expect(first.result?.consumers?.[0].action).toBe('created');
      const again = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], declaration));
      expect(again.result?.consumers?.[0].action).toBe('unchanged');
      expect(writes(again.requests, name)).toEqual([]);
      expect((await fx.jsm.consumers.info(name, 'c')).config.inactive_threshold).toBe(3600e9);
    });

    it('declares priority groups: created, unchanged, changed in place; refused when the server refuses them, or before 2.11', async () => {
      const name = uniqueName('PRIO');
      const pinned: ConsumerDeclaration[] = [{ durable_name: 'jobs', priority_groups: ['b', 'a'], priority_policy: 'pinned_client' }];

      const first = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], { consumers: pinned }));

      if (!atLeast('2.11.0')) {
        expect(first.error).toBeInstanceOf(InvalidStreamConfigError);
        expect((first.error as Error).message).toMatch(/consumers\.jobs\.priority_groups needs nats-server 2\.11\.0 or newer/);
        expect(about(first.requests, name)).toEqual([]);
        return;
      }
      expect(first.result?.consumers?.[0].action).toBe('created');
      const again = await fx.spy.during(fx.nc, () =>
        fx.streams.ensureStream(name, [`${name}.>`], { consumers: [{ ...pinned[0], priority_groups: ['a', 'b'] }] }),
      );
      expect(again.result?.consumers?.[0].action).toBe('unchanged');
      expect(writes(again.requests, name)).toEqual([]);

      const overflow: ConsumerDeclaration[] = [{ durable_name: 'jobs', priority_groups: ['a'], priority_policy: 'overflow' }];
      const changed = await fx.streams.ensureStream(name, [`${name}.>`], { consumers: overflow });
      expect(changed.consumers?.[0].action).toBe('updated');
      // The server's own 2-minute priority_timeout of a pinned client was no change; leaving pinned_client drops it.
      expect(changed.consumers?.[0].changes.map((c) => c.field).sort()).toEqual(['priority_groups', 'priority_policy', 'priority_timeout']);
      expect((await fx.jsm.consumers.info(name, 'jobs')).config).toMatchObject({ priority_groups: ['a'], priority_policy: 'overflow' });

      for (const [consumer, field] of [
        [{ durable_name: 'bad', priority_groups: ['a'] }, 'priority_groups'],
        [{ durable_name: 'bad', priority_policy: 'overflow' }, 'priority_policy'],
        [{ durable_name: 'bad', priority_groups: ['a.b'], priority_policy: 'overflow' }, 'priority_groups'],
        [{ durable_name: 'bad', priority_groups: ['a'], priority_policy: 'overflow', deliver_subject: `d.${name}` }, 'priority_groups'],
      ] as Array<[ConsumerDeclaration, string]>) {
        const refused = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], { consumers: [consumer] }));
        expect(refused.error).toBeInstanceOf(InvalidStreamConfigError);
        expect((refused.error as InvalidStreamConfigError).field).toBe(`consumers.bad.${field}`);
        expect(about(refused.requests, name)).toEqual([]);
      }
      const prioritized = await fx.spy.during(fx.nc, () =>
        fx.streams.ensureStream(name, [`${name}.>`], {
          consumers: [{ durable_name: 'ranked', priority_groups: ['a'], priority_policy: 'prioritized' }],
        }),
      );
      if (atLeast('2.12.0')) {
        expect(prioritized.result?.consumers?.[0].action).toBe('created');
      } else {
        expect((prioritized.error as Error).message).toMatch(/"prioritized" needs nats-server 2\.12\.0 or newer/);
      }
    });
  });
});
