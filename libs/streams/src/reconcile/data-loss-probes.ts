import type { ServerStreamInfo } from '../server/server-stream.js';
import type { ApiCaller, JetStreamApi } from '../jetstream/jetstream-api.js';
import type { LossProbes } from './data-loss.js';

/** The API calls the probes make. */
export type ProbeApi = Pick<JetStreamApi, 'streamInfo' | 'createConsumer' | 'deleteConsumer'>;

/**
 * Per-subject counts are read in pages of 100,000 subjects (about 1.9 MB and 0.3-0.5 s each on a
 * local server); past this many pages the count is given up and the change is refused as a
 * possible loss that cannot be estimated.
 */
const MAX_SUBJECT_PAGES = 10;

/**
 * Reads what {@link assessDataLoss} needs and the cheap bounds could not decide: the messages over
 * a new per-subject limit (STREAM.INFO with `subjects_filter`, paged) and the messages older than
 * a new max_age (an ephemeral pull consumer starting at the cutoff time: its `num_pending` counts
 * the younger messages exactly; it is deleted right after). Read-only for the stream.
 */
export async function readLossProbes(
  api: ProbeApi,
  current: ServerStreamInfo,
  needs: { subjectLimit?: number; cutoffMs?: number },
  caller: ApiCaller,
): Promise<LossProbes> {
  const probes: LossProbes = {};
  if (needs.subjectLimit !== undefined) {
    probes.overSubjectLimit = {
      limit: needs.subjectLimit,
      messages: await overLimit(api, current.config.name, needs.subjectLimit, caller),
    };
  }
  if (needs.cutoffMs !== undefined) {
    probes.olderThan = { cutoffMs: needs.cutoffMs, ...(await olderThan(api, current, needs.cutoffMs, caller)) };
  }
  return probes;
}

/** Messages above `limit` summed over the stream's subjects, or undefined when there are too many subjects. */
async function overLimit(api: ProbeApi, stream: string, limit: number, caller: ApiCaller): Promise<number | undefined> {
  let over = 0;
  let offset = 0;
  for (let page = 0; page < MAX_SUBJECT_PAGES; page++) {
    const info = (await api.streamInfo(stream, caller, { subjects_filter: '>', offset })) as ServerStreamInfo & { total?: number };
    const counts = (info.state as { subjects?: Record<string, number> }).subjects ?? {};
    let seen = 0;
    for (const subject in counts) {
      seen += 1;
      if (counts[subject] > limit) over += counts[subject] - limit;
    }
    offset += seen;
    if (seen === 0 || offset >= (info.total ?? 0)) return over;
  }
  return undefined;
}

/** Messages older than `cutoffMs`: exact through a probe consumer, else interpolated between the first and last message times. */
async function olderThan(
  api: ProbeApi,
  current: ServerStreamInfo,
  cutoffMs: number,
  caller: ApiCaller,
): Promise<{ messages: number; exact: boolean }> {
  const stream = current.config.name;
  const { messages, first_ts: firstTs, last_ts: lastTs } = current.state;
  try {
    const probe = await api.createConsumer(
      stream,
      {
        deliver_policy: 'by_start_time',
        opt_start_time: new Date(cutoffMs).toISOString(),
        ack_policy: 'none',
        mem_storage: true,
        inactive_threshold: 5_000_000_000,
      },
      caller,
    );
    await api.deleteConsumer(stream, probe.name, caller).catch(() => undefined); // it expires by itself anyway
    return { messages: Math.max(0, messages - probe.num_pending), exact: true };
  } catch {
    // No probe possible (a work-queue stream with an unfiltered consumer, max_consumers reached, permissions).
    const first = Date.parse(firstTs);
    const last = Date.parse(lastTs);
    const share = last > first ? Math.min(1, Math.max(0, (cutoffMs - first) / (last - first))) : 1;
    return { messages: Math.max(1, Math.round(messages * share)), exact: false };
  }
}
