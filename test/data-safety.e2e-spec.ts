import { StreamBatchError, StreamConfigConflictError, StreamDataLossError, type StreamsModuleOptions } from '@app/streams';
import { AckPolicy } from 'nats';
import { formatPlanTable } from '../libs/streams/src/cli/plan-report.js';
import { writesAmong } from './support/js-api-spy.js';
import { uniqueName, useStreamsFixture } from './support/streams-fixture.js';
import { startStreamsApp } from './support/streams-app.js';
import { waitFor } from './support/wait.js';

/** What keeps an unlimited stream as it is: the library's defaults would cap it. */
const UNLIMITED = { max_age: 0, max_msgs: -1, max_msgs_per_subject: -1 } as const;

describe('data safety: nothing deletes messages unless the declaration allows it', () => {
  const fx = useStreamsFixture();
  const atLeast = (version: string): boolean => {
    const [a, b] = (fx.raw.info?.version ?? '0.0').split('.').map(Number);
    const [x, y] = version.split('.').map(Number);
    return a > x || (a === x && b >= y);
  };

  /** A stream made by other tooling: no limits at all, `perSubject` messages on each of `subjects`. */
  async function legacyStream(name: string, subjects: string[], perSubject: number): Promise<void> {
    await fx.jsm.streams.add({ name, subjects: [`${name}.>`] });
    for (const subject of subjects) await publish(name, subject, perSubject);
  }

  async function publish(name: string, subject: string, count: number): Promise<void> {
    const js = fx.raw.jetstream();
    for (let i = 0; i < count; i++) await js.publish(`${name}.${subject}`, new TextEncoder().encode(`${subject}-${i}`));
  }

  const messages = async (name: string): Promise<number> => (await fx.jsm.streams.info(name)).state.messages;

  describe('lowering a limit below what the stream holds', () => {
    it('max_msgs: refused with the estimate, no update sent, planned as a loss; applied with allowDataLoss and the removal reported', async () => {
      const name = uniqueName('ORDERS');
      await legacyStream(name, ['a', 'b', 'c', 'd'], 10);
      const declared = { ...UNLIMITED, max_msgs: 10 };

      const refused = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], declared));
      const plan = await fx.streams.planStream(name, [`${name}.>`], declared);
      const allowed = await fx.streams.ensureStream(name, [`${name}.>`], { ...declared, allowDataLoss: true });

      expect(refused.error).toBeInstanceOf(StreamDataLossError);
      const loss = (refused.error as StreamDataLossError).loss;
      expect(loss).toMatchObject({ messages: 30, exact: true });
      expect(loss.fields).toEqual([expect.objectContaining({ field: 'max_msgs', current: -1, desired: 10, messages: 30 })]);
      expect((refused.error as Error).message).toMatch(/would delete 30 messages .*max_msgs -1 -> 10.*allowDataLoss: true/);
      expect(writesAmong(refused.requests)).toEqual([]);
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
        fx.streams.ensureStream(name, [`${name}.>`], { ...UNLIMITED, max_bytes: limit }),
      );

      expect(error).toBeInstanceOf(StreamDataLossError);
      expect((error as StreamDataLossError).loss.fields[0]).toMatchObject({
        field: 'max_bytes',
        bytes: before.state.bytes - limit,
        messages: 20,
      });
      expect(writesAmong(requests)).toEqual([]);
      expect(await messages(name)).toBe(40);

      const plan = await fx.streams.planStream(name, [`${name}.>`], { ...UNLIMITED, max_bytes: limit });
      const allowed = await fx.streams.ensureStream(name, [`${name}.>`], { ...UNLIMITED, max_bytes: limit, allowDataLoss: true });
      expect(plan).toMatchObject({ action: 'data-loss', dataLoss: { messages: 20, bytes: before.state.bytes - limit, exact: false } });
      expect(allowed.action).toBe('updated');
      // The estimate counts messages of average size; the server may drop one more to get under the limit.
      expect(allowed.removed?.messages).toBeGreaterThanOrEqual(20);
      expect(await messages(name)).toBe(40 - (allowed.removed?.messages ?? 0));
    });

    it('max_msgs_per_subject: counts the messages over the limit; removed says what went at once (2.9 and 2.10 apply it later)', async () => {
      const name = uniqueName('PERSUBJECT');
      await legacyStream(name, ['hot'], 30);
      await publish(name, 'cold', 3);
      const declared = { ...UNLIMITED, max_msgs_per_subject: 5 };

      const refused = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], declared));
      const plan = await fx.streams.planStream(name, [`${name}.>`], declared);

      expect(refused.error).toBeInstanceOf(StreamDataLossError);
      expect((refused.error as StreamDataLossError).loss).toMatchObject({ messages: 25, exact: true });
      expect(writesAmong(refused.requests)).toEqual([]);
      expect(plan.dataLoss?.messages).toBe(25);
      expect(await messages(name)).toBe(33);

      const allowed = await fx.streams.ensureStream(name, [`${name}.>`], { ...declared, allowDataLoss: true });
      expect(allowed).toMatchObject({ action: 'updated', dataLoss: { messages: 25 } });
      // A limit set from unlimited: 2.11+ applies it at once; 2.10 at the next publish on each
      // subject (or restart); 2.9 at its next restart, dropping one old message per publish on the
      // subject meanwhile. `removed` is what went at once.
      expect(allowed.removed?.messages).toBe(atLeast('2.11') ? 25 : 0);
      expect(await messages(name)).toBe(atLeast('2.11') ? 8 : 33);
      await publish(name, 'hot', 1);
      expect(await messages(name)).toBe(atLeast('2.10') ? 8 : 33);
    });

    it('max_age shorter than the oldest message: the older messages are counted exactly, by reading message times', async () => {
      const name = uniqueName('AGED');
      await legacyStream(name, ['old'], 12);
      const oldest = Date.now();
      await waitFor(
        async () => Date.now() - oldest,
        (ms) => ms > 2_500,
        { everyMs: 100, what: 'the first messages to age' },
      );
      await publish(name, 'new', 8);

      const refused = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], { ...UNLIMITED, max_age: '2s' }));

      expect(refused.error).toBeInstanceOf(StreamDataLossError);
      expect((refused.error as StreamDataLossError).loss.fields[0]).toMatchObject({ field: 'max_age', desired: 2e9, messages: 12 });
      expect((refused.error as StreamDataLossError).loss.exact).toBe(true);
      expect(writesAmong(refused.requests)).toEqual([]);
      expect(await messages(name)).toBe(20);

      const plan = await fx.streams.planStream(name, [`${name}.>`], { ...UNLIMITED, max_age: '2s' });
      const allowed = await fx.streams.ensureStream(name, [`${name}.>`], { ...UNLIMITED, max_age: '2s', allowDataLoss: true });
      expect(plan).toMatchObject({ action: 'data-loss', dataLoss: { messages: 12 } });
      expect(allowed.action).toBe('updated');
      // The server deleted the older ones at once; the rest expire by themselves within two seconds.
      expect(allowed.removed?.messages).toBeGreaterThanOrEqual(12);
    });

    it('retention limits -> interest: refused as a loss of every message (2.10+), a conflict on 2.9; 2.10 deletes them at the next consumer deletion', async () => {
      const name = uniqueName('INTEREST');
      await legacyStream(name, ['a'], 10);
      const declared = { ...UNLIMITED, retention: 'interest' as const };

      const { error, requests } = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], declared));

      expect(error).toBeInstanceOf(fx.modern ? StreamDataLossError : StreamConfigConflictError);
      if (fx.modern)
        expect((error as StreamDataLossError).loss).toMatchObject({
          messages: 10,
          fields: [expect.objectContaining({ field: 'retention' })],
        });
      expect(writesAmong(requests)).toEqual([]);
      const plan = await fx.streams.planStream(name, [`${name}.>`], declared);
      expect(plan.action).toBe(fx.modern ? 'data-loss' : 'conflict');
      if (!fx.modern) {
        expect(await messages(name)).toBe(10);
        return;
      }
      const allowed = await fx.streams.ensureStream(name, [`${name}.>`], { ...declared, allowDataLoss: true });
      expect(allowed).toMatchObject({ action: 'updated', dataLoss: { messages: 10 }, removed: { messages: atLeast('2.11') ? 10 : 0 } });
      // 2.10 keeps what no consumer needs until a consumer of the stream is deleted (it survives a restart).
      await fx.jsm.consumers.add(name, { durable_name: 'passing', ack_policy: AckPolicy.Explicit, filter_subject: `${name}.none` });
      await fx.jsm.consumers.delete(name, 'passing');
      expect(await messages(name)).toBe(0);
    });

    it('a shrink that deletes nothing is a plain update (no false alarm)', async () => {
      const name = uniqueName('SHRINK');
      await fx.streams.ensureStream(name, [`${name}.>`], { max_msgs: 1_000 });
      await publish(name, 'a', 40);

      const result = await fx.streams.ensureStream(name, [`${name}.>`], { max_msgs: 500 });

      expect(result.action).toBe('updated');
      expect(result.dataLoss).toBeUndefined();
      expect(await messages(name)).toBe(40);
    });
  });

  describe("defaults on adoption: a limit only a default lowers is refused, and the advice keeps every default's current value", () => {
    it('an unlimited stream with 99,990 messages on one subject: every default named; following the advice changes nothing', async () => {
      const name = uniqueName('LEGACY');
      await fx.jsm.streams.add({ name, subjects: [`${name}.>`] });
      const payload = new Uint8Array(0);
      for (let i = 0; i < 99_990; i++) fx.raw.publish(`${name}.one`, payload);
      await fx.raw.flush();
      await waitFor(
        () => messages(name),
        (n) => n === 99_990,
        { timeoutMs: 30_000, what: '99,990 messages stored' },
      );

      const { error, requests } = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`]));
      const keep = (error as StreamDataLossError).loss.defaults?.keep;
      const kept = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], keep));
      await publish(name, 'one', 100);

      expect(error).toBeInstanceOf(StreamDataLossError);
      expect((error as StreamDataLossError).loss.fields.map((f) => [f.field, f.current, f.desired, f.messages, f.from])).toEqual([
        ['max_age', 0, 3_600e9, 99_990, 'library'],
        ['max_msgs', -1, 1_000_000, 0, 'library'],
        ['max_msgs_per_subject', -1, 100_000, 0, 'library'],
      ]);
      expect((error as Error).message).toContain(
        `to keep its current values, declare { max_msgs: -1, max_age: 0, max_msgs_per_subject: -1 } on it; to apply the defaults, declare them on it.`,
      );
      expect(writesAmong(requests)).toEqual([]);
      expect(keep).toEqual({ max_msgs: -1, max_age: 0, max_msgs_per_subject: -1 });
      expect(kept.result?.action).toBe('unchanged');
      expect(writesAmong(kept.requests)).toEqual([]);
      expect(await messages(name)).toBe(100_090);
    });

    it("the module's streamDefaults capping a 45,000-message stream are refused although nothing goes at once", async () => {
      const name = uniqueName('CAPPED');
      await fx.jsm.streams.add({ name, subjects: [`${name}.>`] });
      const payload = new Uint8Array(0);
      for (let i = 0; i < 45_000; i++) fx.raw.publish(`${name}.m`, payload);
      await fx.raw.flush();
      await waitFor(
        () => messages(name),
        (n) => n === 45_000,
        { timeoutMs: 30_000, what: '45,000 messages stored' },
      );
      const options: StreamsModuleOptions = {
        connection: { servers: fx.server.url },
        streamDefaults: { max_msgs: 50_000, max_age: 0, max_msgs_per_subject: -1 },
        streams: [{ name, subjects: [`${name}.>`] }],
      };

      const failed = await startStreamsApp(options, { logger: false }).catch((e: unknown) => e);
      const app = await startStreamsApp({ ...options, streams: [{ name, subjects: [`${name}.>`], max_msgs: -1 }] }, { logger: false });
      fx.apps.push(app);
      for (let i = 0; i < 10_000; i++) fx.raw.publish(`${name}.m`, payload);
      await fx.raw.flush();

      expect(failed).toBeInstanceOf(StreamBatchError);
      const refusal = (failed as StreamBatchError).failures[0].error as StreamDataLossError;
      expect(refusal).toBeInstanceOf(StreamDataLossError);
      expect(refusal.loss).toMatchObject({
        messages: 0,
        fields: [{ field: 'max_msgs', current: -1, desired: 50_000, messages: 0, from: 'streamDefaults' }],
        defaults: { keep: { max_msgs: -1 } },
      });
      expect(refusal.message).toMatch(
        /would let the server delete messages it would otherwise keep: max_msgs -1 -> 50000 \(the module's streamDefaults\)/,
      );
      await waitFor(
        () => messages(name),
        (n) => n === 55_000,
        { what: 'all 55,000 messages kept' },
      );
      expect((await fx.jsm.streams.info(name)).config.max_msgs).toBe(-1);
    });

    it('an empty stream kept for 30 days is not given the default 1 h; declaring the default applies it', async () => {
      const name = uniqueName('MONTH');
      await fx.jsm.streams.add({ name, subjects: [`${name}.>`], max_age: 30 * 86_400e9 });
      const bare = { max_msgs: -1, max_msgs_per_subject: -1 };

      const { error, requests } = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], bare));
      const planned = await fx.streams.planStream(name, [`${name}.>`], bare);
      const declared = await fx.streams.ensureStream(name, [`${name}.>`], { ...bare, max_age: '1h' });

      expect(error).toBeInstanceOf(StreamDataLossError);
      expect((error as StreamDataLossError).loss).toMatchObject({
        fields: [{ field: 'max_age', current: 30 * 86_400e9, desired: 3_600e9, messages: 0, from: 'library' }],
        defaults: { keep: { max_age: '30d' } },
      });
      expect(writesAmong(requests)).toEqual([]);
      expect(planned.action).toBe('data-loss');
      expect(declared.action).toBe('updated');
      expect((await fx.jsm.streams.info(name)).config.max_age).toBe(3_600e9);
    });
  });

  it('a bucket speaks in its declaration\'s words: bucket "<name>" (stream KV_<name>), history', async () => {
    const bucket = uniqueName('carts');
    await fx.streams.ensureBucket(bucket, { history: 5 });
    const kv = await fx.raw.jetstream().views.kv(bucket);
    for (let i = 0; i < 5; i++) await kv.put('cart', new TextEncoder().encode(`v${i}`));

    const refused = await fx.streams.ensureBucket(bucket, { history: 2 }).catch((e: unknown) => e);
    const plan = await fx.streams.planBucket(bucket, { history: 2 });

    expect(refused).toBeInstanceOf(StreamDataLossError);
    expect((refused as Error).message).toBe(
      `Bucket "${bucket}" (stream KV_${bucket}) was left as it was: applying its declaration would delete 3 messages (${(refused as StreamDataLossError).loss.bytes} B): ` +
        'history 5 -> 2 deletes 3 of 3 messages over 2 on their key. ' +
        `To keep them, raise the limit in the declaration; to accept the loss, set allowDataLoss: true on bucket "${bucket}"`,
    );
    const table = formatPlanTable([plan], fx.server.url);
    expect(table).toContain('history 5 -> 2 deletes 3 of 3 messages over 2 on their key');
    expect(table).toContain(`set allowDataLoss: true on bucket "${bucket}"`);
    expect(table).not.toContain('max_msgs_per_subject 5 -> 2 deletes');
  });

  describe('start-up', () => {
    it("fails with 'fail' and leaves the stream alone with 'warn'", async () => {
      const name = uniqueName('BOOT');
      await legacyStream(name, ['a'], 20);
      const options: StreamsModuleOptions = {
        connection: { servers: fx.server.url },
        streams: [{ name, subjects: [`${name}.>`], ...UNLIMITED, max_msgs: 5 }],
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
      for (const call of [ok, gone, differs, batch]) expect(writesAmong(call.requests)).toEqual([]);
      expect((await fx.jsm.streams.info(drifted)).config.max_msgs).toBe(100);
      expect(await fx.jsm.streams.info(missing).catch(() => 'absent')).toBe('absent');
    });

    it('create: creates a missing stream, reports drift without updating it', async () => {
      const name = uniqueName('C_MODE');

      const created = await fx.streams.ensureStream(name, [`${name}.>`], { mode: 'create', max_msgs: 100 });
      const drift = await fx.spy.during(fx.nc, () => fx.streams.ensureStream(name, [`${name}.>`], { mode: 'create', max_msgs: 200 }));

      expect(created.action).toBe('created');
      expect(drift.result).toMatchObject({ action: 'drifted', changes: [{ field: 'max_msgs', current: 100, desired: 200 }] });
      expect(writesAmong(drift.requests)).toEqual([]);
      expect((await fx.jsm.streams.info(name)).config.max_msgs).toBe(100);
    });
  });
});
