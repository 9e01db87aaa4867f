import { StreamBatchError, StreamConfigConflictError, StreamDataLossError, type StreamsModuleOptions } from '@app/streams';
import { uniqueName, useStreamsFixture } from './support/streams-fixture.js';
import { startStreamsApp } from './support/streams-app.js';
import { waitFor } from './support/wait.js';

const writes = (requests: string[]): string[] => requests.filter((r) => /^STREAM\.(CREATE|UPDATE|DELETE|PURGE)\./.test(r));

describe('data safety: nothing deletes messages unless the declaration allows it', () => {
  const fx = useStreamsFixture();

  /** A stream made by other tooling: no limits at all, `perSubject` messages on each of `subjects`. */
  async function legacyStream(name: string, subjects: string[], perSubject: number): Promise<void> {
    await fx.jsm.streams.add({ name, subjects: [`${name}.>`] });
    const js = fx.raw.jetstream();
    for (let i = 0; i < perSubject; i++) {
      await Promise.all(subjects.map((s) => js.publish(`${name}.${s}`, new TextEncoder().encode(`${s}-${i}`))));
    }
  }

  const messages = async (name: string): Promise<number> => (await fx.jsm.streams.info(name)).state.messages;

  describe('lowering a limit below what the stream holds', () => {
    it('max_msgs: refused with the estimate, no update sent, planned as a loss; applied with allowDataLoss and the removal reported', async () => {
      const name = uniqueName('ORDERS');
      await legacyStream(name, ['a', 'b', 'c', 'd'], 10);

      const refused = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], { max_msgs: 10, max_age: 0 }));
      const plan = await fx.streams.planStream(name, [`${name}.>`], { max_msgs: 10, max_age: 0 });
      const allowed = await fx.streams.ensureStream(name, [`${name}.>`], { max_msgs: 10, max_age: 0, allowDataLoss: true });

      expect(refused.error).toBeInstanceOf(StreamDataLossError);
      const loss = (refused.error as StreamDataLossError).loss;
      expect(loss).toMatchObject({ messages: 30, exact: true });
      expect(loss.fields).toEqual([expect.objectContaining({ field: 'max_msgs', current: -1, desired: 10, messages: 30 })]);
      expect((refused.error as Error).message).toMatch(/would delete 30 messages .*max_msgs -1 -> 10.*allowDataLoss: true/);
      expect(writes(refused.requests)).toEqual([]);
      expect(plan).toMatchObject({ action: 'data-loss', dataLoss: { messages: 30 } });
      expect(allowed).toMatchObject({ action: 'updated', removed: { messages: 30 }, dataLoss: { messages: 30 } });
      expect(await messages(name)).toBe(10);
    });

    it('max_bytes: refused with the bytes over the limit', async () => {
      const name = uniqueName('BYTES');
      await legacyStream(name, ['a'], 40);
      const before = await fx.jsm.streams.info(name);

      const limit = Math.floor(before.state.bytes / 2);
      const { error, requests } = await fx.spy.during(fx.nc, () =>
        fx.streams.ensureStream(name, [`${name}.>`], { max_bytes: limit, max_age: 0 }),
      );

      expect(error).toBeInstanceOf(StreamDataLossError);
      expect((error as StreamDataLossError).loss.fields[0]).toMatchObject({
        field: 'max_bytes',
        bytes: before.state.bytes - limit,
        messages: 20,
      });
      expect(writes(requests)).toEqual([]);
      expect(await messages(name)).toBe(40);

      const plan = await fx.streams.planStream(name, [`${name}.>`], { max_bytes: limit, max_age: 0 });
      const allowed = await fx.streams.ensureStream(name, [`${name}.>`], { max_bytes: limit, max_age: 0, allowDataLoss: true });
      expect(plan).toMatchObject({ action: 'data-loss', dataLoss: { messages: 20, bytes: before.state.bytes - limit, exact: false } });
      expect(allowed.action).toBe('updated');
      // The estimate counts messages of average size; the server may drop one more to get under the limit.
      expect(allowed.removed?.messages).toBeGreaterThanOrEqual(20);
      expect(await messages(name)).toBe(40 - (allowed.removed?.messages ?? 0));
    });

    it('max_msgs_per_subject: counts the messages over the limit on each subject', async () => {
      const name = uniqueName('PERSUBJECT');
      await legacyStream(name, ['hot'], 30);
      await legacyStreamPublish(name, 'cold', 3);

      const refused = await fx.spy.during(fx.nc, () =>
        fx.streams.ensureStream(name, [`${name}.>`], { max_msgs_per_subject: 5, max_age: 0 }),
      );
      const plan = await fx.streams.planStream(name, [`${name}.>`], { max_msgs_per_subject: 5, max_age: 0 });

      expect(refused.error).toBeInstanceOf(StreamDataLossError);
      expect((refused.error as StreamDataLossError).loss).toMatchObject({ messages: 25, exact: true });
      expect(writes(refused.requests)).toEqual([]);
      expect(plan.dataLoss?.messages).toBe(25);
      expect(await messages(name)).toBe(33);

      const allowed = await fx.streams.ensureStream(name, [`${name}.>`], { max_msgs_per_subject: 5, max_age: 0, allowDataLoss: true });
      expect(allowed.action).toBe('updated');
      // nats-server 2.9 applies a per-subject limit set from unlimited only at its next restart.
      expect(allowed.removed?.messages).toBe(fx.modern ? 25 : 0);
    });

    it('max_age shorter than the oldest message: the older messages are counted exactly', async () => {
      const name = uniqueName('AGED');
      await legacyStream(name, ['old'], 12);
      const oldest = Date.now();
      await waitFor(
        async () => Date.now() - oldest,
        (ms) => ms > 1_500,
        { everyMs: 100, what: 'the first messages to age' },
      );
      await legacyStreamPublish(name, 'new', 8);

      const refused = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], { max_age: '1s' }));

      expect(refused.error).toBeInstanceOf(StreamDataLossError);
      expect((refused.error as StreamDataLossError).loss.fields[0]).toMatchObject({ field: 'max_age', desired: 1e9, messages: 12 });
      expect((refused.error as StreamDataLossError).loss.exact).toBe(true);
      expect(writes(refused.requests)).toEqual([]);
      expect(await messages(name)).toBe(20);

      const plan = await fx.streams.planStream(name, [`${name}.>`], { max_age: '1s' });
      const allowed = await fx.streams.ensureStream(name, [`${name}.>`], { max_age: '1s', allowDataLoss: true });
      expect(plan).toMatchObject({ action: 'data-loss', dataLoss: { messages: 12 } });
      expect(allowed.action).toBe('updated');
      // The server deleted the older ones at once; the rest expire by themselves within a second.
      expect(allowed.removed?.messages).toBeGreaterThanOrEqual(12);
    });

    it('retention limits -> interest: refused as a loss of every message where the server allows it (2.10+), a conflict on 2.9', async () => {
      const name = uniqueName('INTEREST');
      await legacyStream(name, ['a'], 10);

      const { error, requests } = await fx.spy.during(fx.nc, () =>
        fx.streams.ensureStream(name, [`${name}.>`], { retention: 'interest', max_age: 0 }),
      );

      expect(error).toBeInstanceOf(fx.modern ? StreamDataLossError : StreamConfigConflictError);
      if (fx.modern)
        expect((error as StreamDataLossError).loss).toMatchObject({
          messages: 10,
          fields: [expect.objectContaining({ field: 'retention' })],
        });
      expect(writes(requests)).toEqual([]);
      const plan = await fx.streams.planStream(name, [`${name}.>`], { retention: 'interest', max_age: 0 });
      expect(plan.action).toBe(fx.modern ? 'data-loss' : 'conflict');
      if (fx.modern) {
        const allowed = await fx.streams.ensureStream(name, [`${name}.>`], { retention: 'interest', max_age: 0, allowDataLoss: true });
        expect(allowed).toMatchObject({ action: 'updated', removed: { messages: 10 } });
        expect(await messages(name)).toBe(0);
        return;
      }
      expect(await messages(name)).toBe(10);
    });

    it('a shrink that deletes nothing is a plain update (no false alarm)', async () => {
      const name = uniqueName('SHRINK');
      await fx.streams.ensureStream(name, [`${name}.>`], { max_msgs: 1_000 });
      await legacyStreamPublish(name, 'a', 40);

      const result = await fx.streams.ensureStream(name, [`${name}.>`], { max_msgs: 500 });

      expect(result.action).toBe('updated');
      expect(result.dataLoss).toBeUndefined();
      expect(await messages(name)).toBe(40);
    });
  });

  it('adoption: a bare declaration of an unlimited stream with more than 100,000 messages on one subject is refused, naming the default', async () => {
    const name = uniqueName('LEGACY');
    await fx.jsm.streams.add({ name, subjects: [`${name}.>`] });
    const payload = new Uint8Array(0);
    for (let i = 0; i < 100_050; i++) fx.raw.publish(`${name}.one`, payload);
    await fx.raw.flush();
    await waitFor(
      () => messages(name),
      (n) => n === 100_050,
      { timeoutMs: 30_000, what: '100,050 messages stored' },
    );

    const { error, requests } = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`]));

    expect(error).toBeInstanceOf(StreamDataLossError);
    const field = (error as StreamDataLossError).loss.fields.find((f) => f.field === 'max_msgs_per_subject');
    expect(field).toMatchObject({ current: -1, desired: 100_000, messages: 50, from: 'library' });
    expect((error as Error).message).toMatch(/max_msgs_per_subject -1 -> 100000 \(the library's default: declare max_msgs_per_subject: -1/);
    expect(writes(requests)).toEqual([]);
    expect(await messages(name)).toBe(100_050);
  });

  it("adoption: a default max_age shorter than the stream's is refused (it would expire every held message); declaring max_age keeps it", async () => {
    const name = uniqueName('AGELESS');
    await legacyStream(name, ['a'], 20);
    const bare = { max_msgs: -1, max_msgs_per_subject: -1 };

    const { error, requests } = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], bare));
    const planned = await fx.streams.planStream(name, [`${name}.>`], bare);
    const kept = await fx.streams.ensureStream(name, [`${name}.>`], { ...bare, max_age: 0 });

    expect(error).toBeInstanceOf(StreamDataLossError);
    expect((error as StreamDataLossError).loss.fields).toEqual([
      expect.objectContaining({ field: 'max_age', current: 0, desired: 3_600e9, messages: 20, from: 'library' }),
    ]);
    expect((error as Error).message).toMatch(
      /max_age 0 -> 3600000000000 \(the library's default: declare max_age: '0' to keep the current value\) deletes 20 of 20 messages, which it would expire within 1h/,
    );
    expect(writes(requests)).toEqual([]);
    expect(planned).toMatchObject({ action: 'data-loss', dataLoss: { messages: 20 } });
    // Keeping the current max_age, the rest of the template matches what the raw client made.
    expect(kept.action).toBe('unchanged');
    expect((await fx.jsm.streams.info(name)).config.max_age).toBe(0);
    expect(await messages(name)).toBe(20);
  });

  it('a narrower consumer filter on an interest stream is refused where the server would delete the messages it stops following (2.10+)', async () => {
    const name = uniqueName('INTEREST');
    const consumer = { durable_name: 'c', ack_policy: 'explicit' as const, filter_subject: `${name}.>` };
    const declared = (filter_subject: string, allowDataLoss = false) => ({
      retention: 'interest' as const,
      allowDataLoss,
      consumers: [{ ...consumer, filter_subject }],
    });
    await fx.streams.ensureStream(name, [`${name}.>`], declared(`${name}.>`));
    await legacyStreamPublish(name, 'a', 5);
    await legacyStreamPublish(name, 'b', 5);

    const refused = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], declared(`${name}.a`)));
    const plan = await fx.streams.planStream(name, [`${name}.>`], declared(`${name}.a`));

    if (!fx.modern) {
      // 2.9 keeps the messages when a filter narrows: a plain update.
      expect(refused.result?.consumers).toEqual([expect.objectContaining({ name: 'c', action: 'updated' })]);
      expect(await messages(name)).toBe(10);
      return;
    }
    expect(refused.error).toBeInstanceOf(StreamDataLossError);
    expect((refused.error as StreamDataLossError).loss).toMatchObject({
      messages: 10,
      fields: [{ field: 'consumers.c.filter_subjects', current: [`${name}.>`], desired: [`${name}.a`] }],
    });
    expect(refused.requests.filter((r) => r.startsWith('CONSUMER.CREATE') || r.startsWith('CONSUMER.DURABLE.CREATE'))).toEqual([]);
    expect(plan).toMatchObject({ action: 'data-loss', consumers: [{ name: 'c', action: 'data-loss' }] });
    expect(await messages(name)).toBe(10);
    const allowed = await fx.streams.ensureStream(name, [`${name}.>`], declared(`${name}.a`, true));
    expect(allowed.consumers).toEqual([expect.objectContaining({ name: 'c', action: 'updated' })]);
    await waitFor(
      () => messages(name),
      (n) => n === 5,
      { what: 'the messages on the subject no consumer follows deleted' },
    );
  });

  describe('start-up', () => {
    it("fails with 'fail' and leaves the stream alone with 'warn'", async () => {
      const name = uniqueName('BOOT');
      await legacyStream(name, ['a'], 20);
      const options: StreamsModuleOptions = {
        connection: { servers: fx.server.url },
        streams: [{ name, subjects: [`${name}.>`], max_msgs: 5 }],
      };

      const failed = await startStreamsApp(options, { logger: false }).catch((e: unknown) => e);
      const warned = await startStreamsApp({ ...options, onStartupError: 'warn' }, { logger: false });
      await warned.close();

      expect(failed).toBeInstanceOf(StreamBatchError);
      expect((failed as StreamBatchError).failures[0].error).toBeInstanceOf(StreamDataLossError);
      expect(await messages(name)).toBe(20);
    });
  });

  describe('modes', () => {
    it('verify: unchanged when it matches; missing and drifted are typed errors; never a create or an update', async () => {
      const [matching, missing, drifted] = [uniqueName('V_OK'), uniqueName('V_MISSING'), uniqueName('V_DRIFT')];
      await fx.streams.ensureStream(matching, [`${matching}.>`]);
      await fx.streams.ensureStream(drifted, [`${drifted}.>`], { max_msgs: 100 });

      const ok = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(matching, [`${matching}.>`], { mode: 'verify' }));
      const gone = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(missing, [`${missing}.>`], { mode: 'verify' }));
      const differs = await fx.spy.during(fx.nc, () =>
        fx.streams.ensureStream(drifted, [`${drifted}.>`], { mode: 'verify', max_msgs: 200 }),
      );
      const batch = await fx.spy.during(fx.nc, () =>
        fx.streams.ensureStreams([
          { name: matching, subjects: [`${matching}.>`], mode: 'verify' },
          { name: missing, subjects: [`${missing}.>`], mode: 'verify' },
          { name: drifted, subjects: [`${drifted}.>`], mode: 'verify', max_msgs: 200 },
        ]),
      );
      const plans = await fx.streams.planStreams([
        { name: missing, subjects: [`${missing}.>`], mode: 'verify' },
        { name: drifted, subjects: [`${drifted}.>`], mode: 'verify', max_msgs: 200 },
      ]);

      expect(ok.result?.action).toBe('unchanged');
      expect(gone.error).toMatchObject({ name: 'StreamNotFoundError', stream: missing });
      expect((gone.error as Error).message).toMatch(/mode 'verify'/);
      expect(differs.error).toMatchObject({ name: 'StreamDriftError', changes: [{ field: 'max_msgs', current: 100, desired: 200 }] });
      const results = (batch.error as StreamBatchError).results;
      expect(results.map((r) => r.action)).toEqual(['unchanged', 'failed', 'failed']);
      expect(plans.map((p) => p.action)).toEqual(['missing', 'drifted']);
      for (const call of [ok, gone, differs, batch]) expect(writes(call.requests)).toEqual([]);
      expect((await fx.jsm.streams.info(drifted)).config.max_msgs).toBe(100);
      expect(await fx.jsm.streams.info(missing).catch(() => 'absent')).toBe('absent');
    });

    it('create: creates a missing stream, reports drift without updating it', async () => {
      const name = uniqueName('C_MODE');

      const created = await fx.streams.ensureStream(name, [`${name}.>`], { mode: 'create', max_msgs: 100 });
      const drift = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], { mode: 'create', max_msgs: 200 }));

      expect(created.action).toBe('created');
      expect(drift.result).toMatchObject({ action: 'drifted', changes: [{ field: 'max_msgs', current: 100, desired: 200 }] });
      expect(writes(drift.requests)).toEqual([]);
      expect((await fx.jsm.streams.info(name)).config.max_msgs).toBe(100);
    });
  });

  async function legacyStreamPublish(name: string, subject: string, count: number): Promise<void> {
    const js = fx.raw.jetstream();
    for (let i = 0; i < count; i++) await js.publish(`${name}.${subject}`, new TextEncoder().encode(`${subject}-${i}`));
  }
});
