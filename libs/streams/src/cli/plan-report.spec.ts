import { StreamConfigConflictError, type StreamPlan } from '../index.js';
import { formatPlanJson, formatPlanTable, planExitCode } from './plan-report.js';

const unchanged: StreamPlan = { name: 'orders', action: 'unchanged', changes: [], conflicts: [] };
const update: StreamPlan = { name: 'payments', action: 'update', changes: [{ field: 'max_msgs', current: 42, desired: 1000 }], conflicts: [] };
const storageConflict = { field: 'storage', current: 'file', desired: 'memory', reason: 'storage cannot be changed' };
const conflict: StreamPlan = {
  name: 'audit',
  action: 'conflict',
  changes: [{ field: 'storage', current: 'file', desired: 'memory' }, { field: 'description', current: undefined, desired: 'Audit' }],
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

  it('prints the error of an invalid stream and any member it does not know, such as dataLoss', () => {
    const invalid: StreamPlan = { name: 'bad', action: 'invalid', changes: [], conflicts: [], error: new Error('max_age is negative') };
    const lossy = { ...update, action: 'data-loss', dataLoss: { messages: 3, bytes: 120, fields: [{ field: 'max_msgs', current: 42, desired: 1 }] } } as unknown as StreamPlan;

    const table = formatPlanTable([invalid, lossy], 'nats://h:1');

    expect(table).toContain('bad       invalid    error: max_age is negative');
    expect(table).toContain('dataLoss: {"messages":3,"bytes":120,"fields":[{"field":"max_msgs","current":42,"desired":1}]}');
    expect(table).toContain('2 of 2 streams would change (1 invalid, 1 data-loss).');
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

    expect(table).toContain('orders  unchanged  consumer billing: update (max_deliver: -1 -> 5)\n                   consumer fresh: create\n');
    expect(table).toContain('1 of 1 streams would change (1 consumers).');
    expect(planExitCode([consumers])).toBe(1);
    expect(planExitCode([{ ...consumers, consumers: [{ name: 'audit', action: 'unchanged', changes: [], conflicts: [] }] }])).toBe(0);
    expect(JSON.parse(formatPlanJson([consumers], 'nats://h:1')).changing).toBe(1);
  });

  it('says when every stream matches, and when none is declared', () => {
    expect(formatPlanTable([unchanged], 'nats://h:1')).toContain('All 1 streams match.');
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
