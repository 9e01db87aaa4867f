import type { FieldConflict, StreamPlan } from '../index.js';
import { dataLossLines } from './data-loss-lines.js';

/** The plan members printed in their own way; any other member is printed generically. */
const KNOWN_MEMBERS = new Set(['name', 'action', 'changes', 'conflicts', 'error', 'consumers', 'dataLoss']);

/** 0 when every stream (and each of its declared consumers) matches its declaration, 1 when any would change or cannot be applied. */
export function planExitCode(plans: readonly StreamPlan[]): 0 | 1 {
  return plans.every(isUnchanged) ? 0 : 1;
}

/** Whether the stream and each of its declared consumers match their declarations. */
function isUnchanged(plan: StreamPlan): boolean {
  return plan.action === 'unchanged' && (plan.consumers ?? []).every((c) => c.action === 'unchanged');
}

/**
 * The plan as a table for people: one row per stream with its action, then one line per detail
 * (each differing field `current -> desired`, conflicts with their reason, errors, and any other
 * member the plan carries), and a closing summary.
 *
 * @example
 * STREAM         ACTION     DETAILS
 * orders         update     max_msgs: 42 -> 1000000
 * payments       unchanged
 */
export function formatPlanTable(plans: readonly StreamPlan[], server: string): string {
  const header = `Plan for ${plans.length} declared stream${plans.length === 1 ? '' : 's'} against ${server} (nothing was written)`;
  if (plans.length === 0) return `${header}\n\nNo streams are declared.\n`;
  const rows = plans.map((plan) => ({ name: plan.name, action: String(plan.action), details: planDetails(plan) }));
  const nameWidth = Math.max('STREAM'.length, ...rows.map((r) => r.name.length));
  const actionWidth = Math.max('ACTION'.length, ...rows.map((r) => r.action.length));
  const indent = ' '.repeat(nameWidth + actionWidth + 4);
  const lines = [header, '', `${'STREAM'.padEnd(nameWidth)}  ${'ACTION'.padEnd(actionWidth)}  DETAILS`];
  for (const row of rows) {
    const [first = '', ...more] = row.details;
    lines.push(`${row.name.padEnd(nameWidth)}  ${row.action.padEnd(actionWidth)}  ${first}`.trimEnd());
    lines.push(...more.map((detail) => indent + detail));
  }
  lines.push('', summary(plans));
  return `${lines.join('\n')}\n`;
}

/** The plan as JSON: `{ server, plans, changing }`, errors as `{ name, message, ...their fields }`. */
export function formatPlanJson(plans: readonly StreamPlan[], server: string): string {
  const changing = plans.filter((plan) => !isUnchanged(plan)).length;
  return `${toJson({ server, plans, changing })}\n`;
}

/** JSON text in which errors keep their name, message and fields, and bigints become strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Error ? errorFields(v) : typeof v === 'bigint' ? v.toString() : v), 2);
}

function errorFields(error: Error): Record<string, unknown> {
  return { name: error.name, message: error.message, ...Object.fromEntries(Object.entries(error)) };
}

function planDetails(plan: StreamPlan): string[] {
  const conflicts = new Map<string, FieldConflict>(plan.conflicts.map((c) => [c.field, c]));
  const details = plan.changes.map((change) => {
    const conflict = conflicts.get(change.field);
    conflicts.delete(change.field);
    const note = conflict ? `  (cannot change in place: ${conflict.reason})` : '';
    return `${change.field}: ${show(change.current)} -> ${show(change.desired)}${note}`;
  });
  for (const c of conflicts.values())
    details.push(`${c.field}: ${show(c.current)} -> ${show(c.desired)}  (cannot change in place: ${c.reason})`);
  if (plan.dataLoss) details.push(...dataLossLines(plan.name, plan.dataLoss, plan.action === 'data-loss'));
  // A conflict's error repeats the fields listed above, a data loss's the lines just written (in
  // the words of a write that was refused, where a plan attempted none); every other error is news.
  const repeated =
    (plan.action === 'conflict' && plan.conflicts.length > 0) || (plan.action === 'data-loss' && plan.dataLoss !== undefined);
  if (plan.error && !repeated) details.push(`error: ${plan.error.message}`);
  // A created stream gets its consumers with it: only an existing stream's consumer changes are news.
  for (const consumer of plan.action === 'create' ? [] : (plan.consumers ?? [])) {
    if (consumer.action === 'unchanged') continue;
    const fields = consumer.changes.map((c) => `${c.field}: ${show(c.current)} -> ${show(c.desired)}`).join(', ');
    details.push(`consumer ${consumer.name}: ${consumer.action}${fields ? ` (${fields})` : ''}`);
  }
  for (const [key, value] of Object.entries(plan)) {
    if (!KNOWN_MEMBERS.has(key) && value !== undefined) details.push(`${key}: ${show(value)}`);
  }
  return details;
}

function summary(plans: readonly StreamPlan[]): string {
  const changing = plans.filter((plan) => !isUnchanged(plan));
  if (changing.length === 0) return plans.length === 1 ? 'The 1 declared stream matches.' : `All ${plans.length} streams match.`;
  const counts = new Map<string, number>();
  for (const plan of changing) {
    const action = plan.action === 'unchanged' ? 'with consumer changes' : plan.action;
    counts.set(action, (counts.get(action) ?? 0) + 1);
  }
  const byAction = [...counts].map(([action, n]) => `${n} ${action}`).join(', ');
  return `${changing.length} of ${plans.length} stream${plans.length === 1 ? '' : 's'} would change (${byAction}).`;
}

function show(value: unknown): string {
  if (value === undefined) return 'unset';
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Error ? errorFields(v) : typeof v === 'bigint' ? v.toString() : v));
}
