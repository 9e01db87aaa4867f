import { StreamConfigConflictError, StreamDataLossError, type DataLossEstimate, type StreamPlan } from '../index.js';
import { formatPlanJson, formatPlanTable, planExitCode } from './plan-report.js';

const unchanged: StreamPlan = { name: 'orders', action: 'unchanged', changes: [], conflicts: [] };
const update: StreamPlan = {
  name: 'payments',
  action: 'update',
  changes: [{ field: 'max_msgs', current: 42, desired: 1000 }],
  conflicts: [],
};
const storageConflict = { field: 'storage', current: 'file', desired: 'memory', reason: 'storage cannot be changed' };
const conflict: StreamPlan = {
  name: 'audit',
  action: 'conflict',
  changes: [
    { field: 'storage', current: 'file', desired: 'memory' },
    { field: 'description', current: undefined, desired: 'Audit' },
  ],
  conflicts: [storageConflict],
  error: new StreamConfigConflictError('audit', [storageConflict]),
};

describe('plan report', () => {
  it('exits 0 only when every stream is unchanged', () => {
    expect(planExitCode([unchanged])).toBe(0);
    expect(planExitCode([])).toBe(0);
    expect(planExitCode([unchanged, update])).toBe(1);
    expect(planExitCode([{ ...unchanged, action: 'data-loss' as StreamPlan['action'] }])).toBe(1);
  });

  it('prints a row per stream with each change, conflicts with their reason, and a summary', () => {
    const table = formatPlanTable([unchanged, update, conflict], 'nats://127.0.0.1:4222');

    expect(table.split('\n')).toEqual([
      'Plan for 3 declared streams against nats://127.0.0.1:4222 (nothing was written)',
      '',
      'STREAM    ACTION     DETAILS',
      'orders    unchanged',
      'payments  update     max_msgs: 42 -> 1000',
      'audit     conflict   storage: "file" -> "memory"  (cannot change in place: storage cannot be changed)',
      '                     description: unset -> "Audit"',
      '',
      '2 of 3 streams would change (1 update, 1 conflict).',
      '',
    ]);
  });

  it('prints the error of an invalid stream and any member it does not know', () => {
    const invalid: StreamPlan = { name: 'bad', action: 'invalid', changes: [], conflicts: [], error: new Error('max_age is negative') };
    const noted = { ...update, keptConsumers: ['billing'], future: { a: 1 } } as unknown as StreamPlan;

    const table = formatPlanTable([invalid, noted], 'nats://h:1');

    expect(table).toContain('bad       invalid  error: max_age is negative');
    expect(table).toContain('keptConsumers: ["billing"]');
    expect(table).toContain('future: {"a":1}');
    expect(table).toContain('2 of 2 streams would change (1 invalid, 1 update).');
  });

  it('prints a refused data loss in plan words: each field, what it deletes, and how to proceed, not the refusal of a write', () => {
    const loss: DataLossEstimate = {
      messages: 3,
      bytes: 2048,
      exact: true,
      fields: [
        { field: 'max_msgs', current: 45, desired: 42, held: '45 messages', messages: 3, bytes: 2048 },
        {
          field: 'max_age',
          current: 0,
          desired: 3_600_000_000_000,
          held: '45 messages it holds now; from now on it keeps each message for at most 1h',
          messages: 0,
          bytes: 0,
          from: 'library',
        },
      ],
      defaults: { changes: [{ field: 'max_age', current: 0, desired: 3_600_000_000_000, from: 'library' }], keep: { max_age: 0 } },
    };
    const plan: StreamPlan = {
      name: 'orders',
      action: 'data-loss',
      changes: [{ field: 'max_msgs', current: 45, desired: 42 }],
      conflicts: [],
      error: new StreamDataLossError('orders', loss),
      dataLoss: loss,
    };

    const lines = formatPlanTable([plan], 'nats://h:1').split('\n');

    expect(lines.slice(3, 8)).toEqual([
      'orders  data-loss  max_msgs: 45 -> 42',
      '                   would delete 3 messages (2.0 KiB):',
      '                     max_msgs 45 -> 42 deletes 3 of 45 messages',
      "                     max_age 0 -> 3600000000000 (the library's default) deletes none of 45 messages it holds now; from now on it keeps each message for at most 1h",
      '                   Defaults nobody declared on stream "orders" would change max_age 0 -> 3600000000000: to keep its current values, ' +
        'declare { max_age: 0 } on it; to apply the defaults, declare them on it. ' +
        'To keep them, raise the limit in the declaration; to accept the loss, set allowDataLoss: true on stream "orders"',
    ]);
    expect(lines.join('\n')).not.toContain('was left as it was');
    expect(lines).toContain('1 of 1 stream would change (1 data-loss).');
  });

  it('says what an update that allowDataLoss permits would delete, an estimate as such', () => {
    const loss: DataLossEstimate = {
      messages: 1,
      bytes: 10,
      exact: false,
      fields: [{ field: 'max_bytes', current: -1, desired: 5, held: '15 bytes', messages: 1, bytes: 10, from: 'streamDefaults' }],
    };
    const plan: StreamPlan = { ...update, dataLoss: loss };

    expect(formatPlanTable([plan], 'nats://h:1')).toContain(
      'would delete about 1 message (10 B), which allowDataLoss: true permits:\n' +
        "                    max_bytes -1 -> 5 (the module's streamDefaults) deletes 1 of 15 bytes\n\n",
    );
  });

  it("lists an existing stream's consumer changes, and counts a stream whose consumers would change as changing", () => {
    const consumers: StreamPlan = {
      ...unchanged,
      consumers: [
        { name: 'billing', action: 'update', changes: [{ field: 'max_deliver', current: -1, desired: 5 }], conflicts: [] },
        { name: 'audit', action: 'unchanged', changes: [], conflicts: [] },
        { name: 'fresh', action: 'create', changes: [], conflicts: [] },
      ],
    };

    const table = formatPlanTable([consumers], 'nats://h:1');

    expect(table).toContain(
      'orders  unchanged  consumer billing: update (max_deliver: -1 -> 5)\n                   consumer fresh: create\n',
    );
    expect(table).toContain('1 of 1 stream would change (1 with consumer changes).');
    expect(planExitCode([consumers])).toBe(1);
    expect(planExitCode([{ ...consumers, consumers: [{ name: 'audit', action: 'unchanged', changes: [], conflicts: [] }] }])).toBe(0);
    expect(JSON.parse(formatPlanJson([consumers], 'nats://h:1')).changing).toBe(1);
  });

  it('says when every stream matches, and when none is declared', () => {
    expect(formatPlanTable([unchanged], 'nats://h:1')).toContain('\nThe 1 declared stream matches.\n');
    expect(formatPlanTable([unchanged, { ...unchanged, name: 'KV_sessions' }], 'nats://h:1')).toContain('\nAll 2 streams match.\n');
    expect(formatPlanTable([], 'nats://h:1')).toContain('No streams are declared.');
  });

  it('prints JSON with errors as name, message and their fields', () => {
    const json = JSON.parse(formatPlanJson([unchanged, conflict], 'nats://h:1'));

    expect(json.server).toBe('nats://h:1');
    expect(json.changing).toBe(1);
    expect(json.plans[0]).toEqual({ name: 'orders', action: 'unchanged', changes: [], conflicts: [] });
    expect(json.plans[1].error).toMatchObject({ name: 'StreamConfigConflictError', stream: 'audit', conflicts: [storageConflict] });
    expect(json.plans[1].error.message).toContain('cannot be updated in place');
  });
});
