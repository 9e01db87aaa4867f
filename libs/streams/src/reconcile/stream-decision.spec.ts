import { StreamConfigConflictError } from '../errors/stream-config-conflict.error.js';
import { StreamDataLossError, type DataLossEstimate } from '../errors/stream-data-loss.error.js';
import { StreamDriftError } from '../errors/stream-drift.error.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { normalizeStreamConfig } from '../declaration/stream-config.js';
import type { StreamDeclaration } from '../declaration/stream-declaration.js';
import type { StreamDiff } from '../declaration/stream-diff.js';
import { decide, wanted, type Facts } from './stream-decision.js';

const STREAM = { config: { name: 'orders' }, state: { messages: 5 } } as unknown as ServerStreamInfo;
const SAME: StreamDiff = { changes: [], conflicts: [] };
const CHANGED = { changes: [{ field: 'max_msgs', current: -1, desired: 10 }], conflicts: [] } as unknown as StreamDiff;
const CONFLICTING = {
  changes: [{ field: 'storage', current: 'file', desired: 'memory' }],
  conflicts: [{ field: 'storage', current: 'file', desired: 'memory' }],
} as unknown as StreamDiff;
const LOSS: DataLossEstimate = { messages: 4, bytes: 40, exact: true, fields: [] };

const desired = (policy: Partial<StreamDeclaration> = {}) =>
  normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'], ...policy } as StreamDeclaration);

/** The facts of a declaration next to `current`, with what else was read. */
function facts(
  policy: Partial<StreamDeclaration>,
  current: ServerStreamInfo | null,
  diff: StreamDiff,
  read: Partial<Omit<Facts, 'comparison'>> = {},
): Facts {
  const d = desired(policy);
  return { comparison: { desired: d, current, diff, wants: wanted(d, current, diff) }, migrating: false, ...read };
}

describe('wanted: what the differing fields alone call for', () => {
  it.each<[string, Partial<StreamDeclaration>, ServerStreamInfo | null, StreamDiff, string]>([
    ['a missing stream', {}, null, SAME, 'create'],
    ["a missing 'verify' stream", { mode: 'verify' }, null, SAME, 'missing'],
    ['a matching stream', {}, STREAM, SAME, 'unchanged'],
    ['fields that change in place', {}, STREAM, CHANGED, 'update'],
    ["a 'create' stream that differs", { mode: 'create' }, STREAM, CONFLICTING, 'drifted'],
    ["a 'verify' stream that differs", { mode: 'verify' }, STREAM, CHANGED, 'drifted'],
    ['a conflict', {}, STREAM, CONFLICTING, 'conflict'],
    ["a conflict with onConflict 'migrate'", { onConflict: 'migrate' }, STREAM, CONFLICTING, 'migrate'],
    ["a conflict with onConflict 'recreate'", { onConflict: 'recreate', allowDataLoss: true }, STREAM, CONFLICTING, 'recreate'],
  ])('%s', (_label, policy, current, diff, expected) => {
    const d = desired(policy);
    expect(wanted(d, current, diff)).toBe(expected);
  });
});

describe('decide: once, on everything read', () => {
  it('acts on what the fields call for when nothing else stands in the way', () => {
    expect(decide(facts({}, null, SAME))).toEqual({ action: 'create' });
    expect(decide(facts({}, STREAM, SAME))).toEqual({ action: 'unchanged' });
    expect(decide(facts({}, STREAM, CHANGED))).toEqual({ action: 'update' });
    expect(decide(facts({ onConflict: 'migrate' }, STREAM, CONFLICTING))).toEqual({ action: 'migrate', begin: true });
    expect(decide(facts({ mode: 'create' }, STREAM, CHANGED))).toEqual({ action: 'drifted' });
  });

  it('refuses with the typed error of each refusal', () => {
    expect(decide(facts({ mode: 'verify' }, null, SAME)).error).toBeInstanceOf(StreamNotFoundError);
    expect(decide(facts({ mode: 'verify' }, STREAM, CHANGED)).error).toBeInstanceOf(StreamDriftError);
    expect(decide(facts({}, STREAM, CONFLICTING)).error).toBeInstanceOf(StreamConfigConflictError);
  });

  it('refuses an update or a migration that loses messages unless allowDataLoss, never a recreate (it needs allowDataLoss)', () => {
    const update = decide(facts({}, STREAM, CHANGED, { loss: LOSS }));
    const migrate = decide(facts({ onConflict: 'migrate' }, STREAM, CONFLICTING, { loss: LOSS }));

    expect(update).toMatchObject({ action: 'data-loss', error: expect.any(StreamDataLossError) });
    expect((update.error as StreamDataLossError).loss).toBe(LOSS);
    expect(migrate.action).toBe('data-loss');
    expect(decide(facts({ allowDataLoss: true }, STREAM, CHANGED, { loss: LOSS }))).toEqual({ action: 'update' });
    expect(decide(facts({ onConflict: 'recreate', allowDataLoss: true }, STREAM, CONFLICTING, { loss: LOSS }))).toEqual({
      action: 'recreate',
    });
  });

  it('puts a migration in progress first: a manage stream follows it, other modes report it, whatever else was found', () => {
    const read = { migrating: true, loss: LOSS, consumerRefusal: { action: 'conflict' as const, error: new Error('consumer') } };

    expect(decide(facts({}, STREAM, CONFLICTING, read))).toEqual({ action: 'migrate', begin: false });
    expect(decide(facts({}, null, SAME, read))).toEqual({ action: 'migrate', begin: false });
    expect(decide(facts({ mode: 'verify' }, null, SAME, read))).toEqual({ action: 'migrating' });
    expect(decide(facts({ mode: 'create' }, STREAM, CHANGED, read))).toEqual({ action: 'migrating' });
  });

  it("puts a declared consumer's refusal before the stream's own (it was read on the stream as it is)", () => {
    const refusal = { action: 'data-loss' as const, error: new Error('consumer c would lose messages') };

    expect(decide(facts({}, STREAM, SAME, { consumerRefusal: refusal }))).toBe(refusal);
    expect(decide(facts({}, STREAM, CHANGED, { loss: LOSS, consumerRefusal: refusal }))).toBe(refusal);
    expect(decide(facts({}, STREAM, CONFLICTING, { consumerRefusal: refusal }))).toBe(refusal);
  });
});
