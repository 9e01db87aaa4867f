import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { durationNanos } from './duration.js';
import { CONSUMER_FIELDS, type ConsumerObjectField, type DesiredConsumerConfig } from './consumer-fields.js';
import { absentValue } from './field-table.js';
import { converterFor, type ConvertField } from './field-values.js';
import { MOVED_CONSUMER_METADATA_KEY, PLACING_UNTIL } from './moved-consumer.js';
import type { ServerConsumerConfig } from '../server/server-consumer.js';
import { isRecord, show } from '../checks/values.js';
import { STREAM_OBJECT_CHECKS } from './stream-objects.js';
import { streamNameProblem, subjectProblem, patternsOverlap } from './subjects.js';

/** A consumer declaration turned into exactly what the server should hold. */
export interface DesiredConsumer {
  /** The durable name. */
  name: string;
  /** Complete config in server units (durations in nanoseconds), ready to send. */
  config: DesiredConsumerConfig;
}

type Fail = (reason: string) => never;

/** A priority group name as the server takes it. */
const PRIORITY_GROUP = /^[A-Za-z0-9\-_/=)+]{1,16}$/;

/** An RFC 3339 date with seconds and a zone, as the server parses it. */
function checkTime(value: unknown, fail: Fail): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value)) || !/T\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/i.test(value)) {
    return fail(`must be an RFC 3339 date such as '2024-01-02T03:04:05Z', got ${show(value)}`);
  }
  return value;
}

/** The checker of each consumer field the generic kinds do not cover; each returns the server's form. */
const OBJECT_CHECKS: { readonly [K in ConsumerObjectField]: (value: unknown, fail: Fail, stream: string) => ServerConsumerConfig[K] } = {
  opt_start_time: (value, fail) => checkTime(value, fail),
  pause_until: (value, fail) => {
    const until = checkTime(value, fail);
    return Date.parse(until) === Date.parse(PLACING_UNTIL) ? fail(`${show(value)} is reserved for migrations`) : until;
  },
  priority_groups: (value, fail) => {
    if (!Array.isArray(value) || value.length === 0) return fail(`must be a non-empty list of group names, got ${show(value)}`);
    const groups = value as unknown[];
    groups.forEach((group, i) => {
      if (typeof group !== 'string' || !PRIORITY_GROUP.test(group)) {
        fail(`${show(group)} is not a group name: letters, digits and -_/=)+, 16 at most`);
      }
      if (groups.indexOf(group) !== i) fail(`lists ${show(group)} twice`);
    });
    return [...(groups as string[])];
  },
  backoff: (value, fail, stream) => {
    if (!Array.isArray(value)) return fail(`must be a list of durations such as ['1s', '5s', '30s'], got ${show(value)}`);
    if (value.length === 0) return undefined;
    return value.map((step: unknown, i) =>
      durationNanos(step, 1e6, (reason) => {
        throw new InvalidStreamConfigError(stream, `backoff[${i}]`, reason);
      }),
    );
  },
  filter_subject: (value, fail) => {
    const problem = subjectProblem(value);
    return problem ? fail(problem.replace('must be strings', 'must be a string')) : (value as string);
  },
  filter_subjects: (value, fail) => {
    if (!Array.isArray(value) || value.length === 0) return fail(`must be a non-empty list of subjects, got ${show(value)}`);
    const list = value as unknown[];
    for (const subject of list) {
      const problem = subjectProblem(subject);
      if (problem) fail(problem);
    }
    const subjects = list as string[];
    for (let i = 0; i < subjects.length; i++) {
      for (let j = i + 1; j < subjects.length; j++) {
        if (patternsOverlap(subjects[i], subjects[j]))
          fail(`${show(subjects[i])} and ${show(subjects[j])} overlap; the server refuses overlapping filters`);
      }
    }
    return [...subjects];
  },
  sample_freq: (value, fail) => {
    if (typeof value !== 'string' || !/^(100|[1-9]?\d)%?$/.test(value))
      return fail(`must be a percentage such as '50%', got ${show(value)}`);
    return value;
  },
  metadata: (value, fail, stream) => {
    const metadata = STREAM_OBJECT_CHECKS.metadata(value, stream);
    if (Object.hasOwn(metadata, MOVED_CONSUMER_METADATA_KEY)) fail(`key ${show(MOVED_CONSUMER_METADATA_KEY)} is reserved for migrations`);
    return metadata;
  },
  deliver_subject: (value, fail) => {
    const problem = subjectProblem(value);
    if (problem) return fail(problem.replace('must be strings', 'must be a string'));
    if (/(^|\.)[*>](\.|$)/.test(value as string)) return fail(`${show(value)} has a wildcard; a deliver subject cannot`);
    return value as string;
  },
  deliver_group: (value, fail) => {
    if (typeof value !== 'string' || value === '' || /[\s.*>]/.test(value))
      return fail(`must be a queue group name (no spaces, '.', '*' or '>'), got ${show(value)}`);
    return value;
  },
};

const CONVERTERS: ReadonlyMap<string, ConvertField> = new Map(
  CONSUMER_FIELDS.map((row) => {
    const check = (OBJECT_CHECKS as Record<string, (value: unknown, fail: Fail, stream: string) => unknown>)[row.field];
    const objectCheck: ConvertField | undefined =
      check &&
      ((value, stream) =>
        check(
          value,
          (reason) => {
            throw new InvalidStreamConfigError(stream, row.field, reason);
          },
          stream,
        ));
    return [row.field, converterFor(row, objectCheck)];
  }),
);

/**
 * Turns a stream's `consumers` into the configs the server should hold, without touching a
 * server. Each consumer is checked (names, kinds, ranges, durations in nanoseconds, the rules
 * between fields the server enforces, filters that can match the stream's subjects) and completed
 * with the defaults the server fills in, so those never read as a change. Only own enumerable
 * properties are read.
 *
 * @param stream the stream the consumers are declared with, named in errors
 * @param subjects the stream's subjects (empty for a stream that only sources or mirrors)
 * @throws InvalidStreamConfigError naming `consumers.<name>.<field>` (or `consumers[<i>]`) and the problem
 */
export function normalizeConsumers(
  stream: string,
  consumers: unknown,
  subjects: readonly string[],
  retention = 'limits',
): DesiredConsumer[] {
  if (!Array.isArray(consumers)) {
    throw new InvalidStreamConfigError(stream, 'consumers', `must be a list of consumer declarations, got ${show(consumers)}`);
  }
  const seen = new Set<string>();
  const desired = consumers.map((declaration: unknown, index) => {
    const consumer = normalizeConsumerConfig(stream, declaration, index, subjects);
    if (seen.has(consumer.name))
      throw new InvalidStreamConfigError(stream, `consumers.${consumer.name}`, 'is declared twice; declare each consumer once');
    seen.add(consumer.name);
    return consumer;
  });
  if (retention === 'workqueue') checkWorkQueue(stream, desired);
  return desired;
}

/**
 * What nats-server refuses on a work-queue stream, checked before any request (else the stream
 * would be written and its consumers refused): explicit acks, delivery of all messages, and
 * filters no two consumers share (no filter is every subject).
 */
function checkWorkQueue(stream: string, consumers: readonly DesiredConsumer[]): void {
  const filters = (c: DesiredConsumer) =>
    c.config.filter_subjects ?? (c.config.filter_subject !== undefined ? [c.config.filter_subject] : ['>']);
  consumers.forEach((consumer, i) => {
    const { ack_policy: ack, deliver_policy: deliver } = consumer.config;
    const fail = (field: string, reason: string): never => {
      throw new InvalidStreamConfigError(
        stream,
        `consumers.${consumer.name}.${field}`,
        `${reason} (the stream's retention is 'workqueue')`,
      );
    };
    if (ack !== 'explicit') fail('ack_policy', `must be 'explicit' on a work-queue stream, got '${ack}'`);
    if (deliver !== 'all') fail('deliver_policy', `must be 'all' on a work-queue stream, got '${deliver}'`);
    for (const other of consumers.slice(0, i)) {
      const shared = filters(consumer).find((f) => filters(other).some((o) => patternsOverlap(f, o)));
      if (shared)
        fail('filter_subjects', `overlaps consumer "${other.name}" on ${shared}: each message of a work-queue stream goes to one consumer`);
    }
  });
}

/** One consumer of {@link normalizeConsumers}, at `index` in the list. */
export function normalizeConsumerConfig(stream: string, declaration: unknown, index: number, subjects: readonly string[]): DesiredConsumer {
  if (!isRecord(declaration)) {
    throw new InvalidStreamConfigError(stream, `consumers[${index}]`, `must be an object with a durable_name, got ${show(declaration)}`);
  }
  const name = declaration.durable_name;
  const nameProblem = streamNameProblem(name);
  if (nameProblem) {
    throw new InvalidStreamConfigError(stream, `consumers[${index}].durable_name`, nameProblem.replace('stream names', 'consumer names'));
  }
  const consumer = name as string;
  const fail = (field: string, reason: string): never => {
    throw new InvalidStreamConfigError(stream, `consumers.${consumer}.${field}`, reason);
  };
  const declared: Partial<Record<string, unknown>> = {};
  for (const key of Object.keys(declaration)) {
    if (key === 'durable_name') continue;
    const convert = CONVERTERS.get(key) ?? fail(key, 'is not a consumer config field; check its spelling');
    const value = declaration[key];
    if (value === undefined) continue;
    try {
      const converted = convert(value, stream);
      if (converted !== undefined) declared[key] = converted;
    } catch (err) {
      if (err instanceof InvalidStreamConfigError) fail(err.field, err.reason);
      throw err;
    }
  }
  const config: Record<string, unknown> = { durable_name: consumer };
  for (const row of CONSUMER_FIELDS) if (declared[row.field] !== undefined) config[row.field] = declared[row.field];
  // Then what the server fills in, which depends on declared fields (ack_wait on backoff, max_waiting on deliver_subject).
  for (const row of CONSUMER_FIELDS) {
    if (row.fill !== 'always' || config[row.field] !== undefined) continue;
    const value = row.libraryDefault !== undefined ? row.libraryDefault : absentValue(row, config as Partial<ServerConsumerConfig>);
    if (value !== undefined) config[row.field] = value;
  }
  const desired = config as unknown as DesiredConsumerConfig;
  const broken = consumerRuleProblem(desired, Object.hasOwn(declared, 'ack_wait'), subjects);
  if (broken) fail(broken[0], broken[1]);
  return { name: consumer, config: desired };
}

/**
 * The rules between fields of a consumer config that the server enforces (or that make a consumer
 * that can never receive anything), on a complete desired config: the first one broken as
 * `[field, reason]`, or undefined.
 */
export function consumerRuleProblem(
  c: DesiredConsumerConfig,
  ackWaitDeclared: boolean,
  subjects: readonly string[],
): [string, string] | undefined {
  if (c.filter_subject !== undefined && c.filter_subjects !== undefined)
    return ['filter_subjects', 'cannot be combined with filter_subject; list every filter in filter_subjects'];
  const policy = c.deliver_policy;
  if (policy === 'by_start_sequence' && c.opt_start_seq === undefined)
    return ['opt_start_seq', "is required with deliver_policy 'by_start_sequence'"];
  if (policy !== 'by_start_sequence' && c.opt_start_seq !== undefined)
    return ['opt_start_seq', `needs deliver_policy 'by_start_sequence', but it is '${policy}'`];
  if (policy === 'by_start_time' && c.opt_start_time === undefined)
    return ['opt_start_time', "is required with deliver_policy 'by_start_time'"];
  if (policy !== 'by_start_time' && c.opt_start_time !== undefined)
    return ['opt_start_time', `needs deliver_policy 'by_start_time', but it is '${policy}'`];
  if (policy === 'last_per_subject' && c.filter_subject === undefined && c.filter_subjects === undefined) {
    return ['deliver_policy', "'last_per_subject' needs filter_subject or filter_subjects"];
  }
  if (c.backoff && ackWaitDeclared)
    return ['ack_wait', 'cannot be combined with backoff: the server replaces it with backoff[0]; leave it out'];
  const push = c.deliver_subject !== undefined;
  if (!push) {
    for (const field of ['idle_heartbeat', 'flow_control', 'rate_limit_bps'] as const) {
      if (c[field] !== undefined) return [field, 'is for push consumers only (declare a deliver_subject)'];
    }
  } else if (c.max_waiting !== undefined) {
    return ['max_waiting', 'is for pull consumers only (this one has a deliver_subject)'];
  } else if (subjects.some((subject) => patternsOverlap(c.deliver_subject as string, subject))) {
    return [
      'deliver_subject',
      `${show(c.deliver_subject)} is among the stream's own subjects: its deliveries would be stored again (a cycle the server refuses)`,
    ];
  }
  if (c.flow_control && !c.idle_heartbeat) return ['flow_control', 'needs idle_heartbeat'];
  const priority = priorityProblem(c);
  if (priority) return priority;
  const filters = c.filter_subjects ?? (c.filter_subject !== undefined ? [c.filter_subject] : []);
  const field = c.filter_subjects ? 'filter_subjects' : 'filter_subject';
  for (const filter of filters) {
    if (subjects.length > 0 && !subjects.some((subject) => patternsOverlap(filter, subject))) {
      return [
        field,
        `${show(filter)} matches none of the stream's subjects (${subjects.join(', ')}): the consumer would never receive a message`,
      ];
    }
  }
  return undefined;
}

/** What the server refuses about priority groups (nats-server 2.11+). */
function priorityProblem(c: DesiredConsumerConfig): [string, string] | undefined {
  const policy = c.priority_policy ?? 'none';
  if (c.priority_groups && policy === 'none') return ['priority_groups', "need a priority_policy other than 'none'"];
  if (!c.priority_groups && policy !== 'none') return ['priority_policy', `'${policy}' needs priority_groups`];
  if (c.priority_groups && c.deliver_subject !== undefined)
    return ['priority_groups', 'are for pull consumers only (this one has a deliver_subject)'];
  if (c.priority_timeout !== undefined && policy !== 'pinned_client') {
    return ['priority_timeout', `is for priority_policy 'pinned_client', but it is '${policy}'`];
  }
  return undefined;
}
