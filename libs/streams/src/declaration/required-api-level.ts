import type { ServerConsumerConfig } from '../server/server-consumer.js';
import type { ServerStreamConfig } from '../server/server-stream.js';
import { apiLevelOf } from '../server/api-level.js';
import { CONSUMER_FIELDS } from './consumer-fields.js';
import { absentValue, comparable, sameValue, type FieldRow } from './field-table.js';
import { STREAM_FIELDS } from './stream-fields.js';

/** The JetStream API level a config needs, and the field that needs it. */
export interface ApiLevelNeed {
  /** The API level (ADR-44), e.g. 4. */
  level: number;
  /** The field whose value needs it (the first in table order at that level), e.g. `allow_batched`. */
  field: string;
  /** The first nats-server version that knows that value, e.g. `2.14.0`. */
  since: string;
}

/**
 * The highest JetStream API level a config's values need, from the table's `since` and
 * `valueSince`, or undefined when it uses nothing newer than 2.10. A field holding the value the
 * server holds without it (`allow_atomic: false`, a pause already past) needs nothing.
 */
function neededLevel<Config>(rows: readonly FieldRow<Config>[], config: Partial<Config>): ApiLevelNeed | undefined {
  let need: ApiLevelNeed | undefined;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const value = config[row.field];
    if (value === undefined || (row.since === undefined && row.valueSince === undefined)) continue;
    const since = latest(row.since, row.valueSince?.(value));
    if (since === undefined) continue;
    const level = apiLevelOf(since);
    if (level === 0 || (need && need.level >= level)) continue;
    if (sameValue(comparable(row, value, config), absentValue(row, config))) continue;
    need = { level, field: row.field, since };
  }
  return need;
}

/**
 * The API level a stream create or update with `config` needs (sent as `Nats-Required-Api-Level`,
 * so a server below it refuses instead of dropping the field).
 * @example
 * streamApiLevel({ name: 'orders', allow_batched: true }); // { level: 4, field: 'allow_batched', since: '2.14.0' }
 */
export function streamApiLevel(config: Partial<ServerStreamConfig>): ApiLevelNeed | undefined {
  return neededLevel(STREAM_FIELDS, config);
}

/**
 * The API level a consumer create or update with `config` needs.
 * @example
 * consumerApiLevel({ durable_name: 'c', priority_policy: 'prioritized' }); // { level: 2, field: 'priority_policy', ... }
 */
export function consumerApiLevel(config: Partial<ServerConsumerConfig>): ApiLevelNeed | undefined {
  return neededLevel(CONSUMER_FIELDS, config);
}

function latest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return apiLevelOf(a) >= apiLevelOf(b) ? a : b;
}
