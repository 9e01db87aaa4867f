import { StreamMigrationError } from '../errors/stream-migration.error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import type { ServerConsumerInfo } from '../jetstream/api-types.js';
import type { ApiCaller } from '../jetstream/jetstream-api.js';
import { subjectsOverlap } from '../declaration/subjects.js';
import { checkRecordable } from './consumer-copier.js';
import { encodeMarker, holdSubject } from './migration-marker.js';
import type { MigrationApi, MigrationSpec } from './migration-run.js';

/** The first version whose streams take a `first_seq` (how streams downstream keep flowing). */
const FIRST_SEQ_FROM = '2.10.0';
/** The first version that may move a consumer with `CONSUMER.RESET` (see `probeReset`). */
const RESET_FROM = '2.11.0';

/** A stream that sources or mirrors the stream being migrated. */
export interface Downstream {
  name: string;
  how: 'sources' | 'mirrors';
}

/**
 * The streams of this JetStream (account and domain) that source or mirror `stream`. Streams of
 * other accounts or domains cannot be seen.
 */
export async function findDownstream(api: Pick<MigrationApi, 'listStreams'>, stream: string, caller: ApiCaller): Promise<Downstream[]> {
  const found: Downstream[] = [];
  for (const info of await api.listStreams(caller)) {
    const { name, mirror, sources } = info.config;
    if (mirror?.name === stream && !mirror.external) found.push({ name, how: 'mirrors' });
    else if (sources?.some((s) => s.name === stream && !s.external)) found.push({ name, how: 'sources' });
  }
  return found;
}

/**
 * Refuses, before anything is written, a migration that the server would refuse half-way or that
 * would lose messages or starve other streams:
 * - an `interest` target (the new stream has no consumers while it fills: it would drop messages),
 *   a mirror, an original that sources other streams (the new stream would copy them again);
 * - subjects or a consumer config too large to record;
 * - a target `max_consumers` below the durable consumers to keep;
 * - a work-queue target with durable consumers on a server that cannot move them (before 2.11 they
 *   would be recreated `by_start_sequence`, which a work queue refuses), or with consumers whose
 *   filters overlap (a work queue refuses the second);
 * - streams that source or mirror it (they would stop receiving), unless the declaration says
 *   `downstream: 'resume'` (2.10+, and no declared `first_seq`).
 * Returns the streams downstream (empty when it is refused for none).
 * @throws StreamMigrationError naming what is wrong; nothing was changed
 */
export async function checkMigration(
  api: Pick<MigrationApi, 'listStreams'>,
  spec: MigrationSpec,
  stream: ServerStreamInfo,
  durable: ServerConsumerInfo[],
  caller: ApiCaller,
): Promise<Downstream[]> {
  const { name, target, version } = spec;
  const refuse = (reason: string): never => {
    throw new StreamMigrationError(name, name, `${reason}. Nothing was changed`);
  };
  if (target.retention === 'interest') {
    refuse(
      'an interest stream keeps messages only while a consumer needs them, and the new stream has no consumers while it fills: messages would be dropped',
    );
  }
  if (stream.config.mirror || target.mirror) refuse('a mirror cannot be migrated through a sourced copy');
  if (stream.config.sources?.length) {
    // Its sources would keep adding messages to the held original, and the new stream would copy
    // them all again (a copy of a copy loses the first header, so the server cannot resume).
    refuse(
      `it sources other streams (${stream.config.sources.map((s) => s.name).join(', ')}), whose messages the new stream would copy again`,
    );
  }
  if (!encodeMarker({ stream: name, id: '00000000', hold: holdSubject(name, '00000000'), subjects: stream.config.subjects ?? [] })) {
    refuse('its subjects are too many to record in the migration marker (4096 bytes)');
  }
  checkRecordable(name, durable);
  const maxConsumers = target.max_consumers ?? -1;
  if (maxConsumers > 0 && durable.length > maxConsumers) {
    refuse(
      `the new stream's max_consumers is ${maxConsumers}, and the ${durable.length} durable consumers to keep (${durable.map((c) => c.name).join(', ')}) would not fit: raise max_consumers`,
    );
  }
  if (target.retention === 'workqueue' && durable.length > 0) {
    if (!version.atLeast(RESET_FROM)) {
      refuse(
        `nats-server ${version} cannot move a consumer to its position on a work-queue stream (it would be recreated with deliver_policy by_start_sequence, which a work queue refuses): durable consumers ${durable.map((c) => c.name).join(', ')}`,
      );
    }
    const overlap = overlappingFilters(durable);
    if (overlap) refuse(`a work-queue stream refuses consumers whose filters overlap, as those of "${overlap[0]}" and "${overlap[1]}" do`);
  }
  let downstream: Downstream[];
  try {
    downstream = await findDownstream(api, name, caller);
  } catch (err) {
    if (spec.resumeDownstream) return [];
    return refuse(
      `the streams could not be listed to find those that source or mirror it (${(err as Error).message}); declare downstream: 'resume' to migrate it without that check`,
    );
  }
  const listed = downstream.map((d) => `"${d.name}" (${d.how} it)`).join(', ');
  if (downstream.length && !spec.resumeDownstream) {
    refuse(
      `streams ${listed} would stop receiving: the new stream numbers its messages anew. Declare downstream: 'resume' on the stream to keep them flowing (nats-server 2.10+)`,
    );
  }
  if (downstream.length && !version.atLeast(FIRST_SEQ_FROM)) {
    refuse(`streams ${listed} can be kept flowing only from nats-server ${FIRST_SEQ_FROM} (first_seq); the server is ${version}`);
  }
  if (downstream.length && target.first_seq !== undefined) {
    refuse(`streams ${listed} can be kept flowing only if the new stream's first_seq is chosen by the migration; remove first_seq`);
  }
  return downstream;
}

/** Two durable consumers whose filters overlap (no filter: every subject), or undefined. */
function overlappingFilters(durable: ServerConsumerInfo[]): [string, string] | undefined {
  const filters = durable.map((c) => {
    const { filter_subject: one, filter_subjects: many } = c.config;
    return many?.length ? many : one ? [one] : ['>'];
  });
  for (let i = 0; i < durable.length; i++) {
    for (let j = i + 1; j < durable.length; j++) {
      if (filters[i].some((a) => filters[j].some((b) => subjectsOverlap(a, b)))) return [durable[i].name, durable[j].name];
    }
  }
  return undefined;
}
