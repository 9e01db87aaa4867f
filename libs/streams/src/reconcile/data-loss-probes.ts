import type { ServerStreamInfo } from '../server/server-stream.js';
import type { ServerVersion } from '../server/server-version.js';
import type { ApiCaller, JetStreamApi } from '../jetstream/jetstream-api.js';
import { ErrCode } from '../errors/err-codes.js';
import { errCodeOf } from '../errors/to-streams-error.js';
import type { LossProbes } from './data-loss.js';

/** The API calls the probes make: reads only (STREAM.INFO, STREAM.MSG.GET). */
export type ProbeApi = Pick<JetStreamApi, 'streamInfo' | 'getMessage'>;

/**
 * Per-subject counts are read in pages of 100,000 subjects (about 1.9 MB and 0.3-0.5 s each on a
 * local server); past this many pages the count is given up and the change is refused as a
 * possible loss that cannot be estimated.
 */
const MAX_SUBJECT_PAGES = 10;
/** Interior deletes are counted from their list (about 10 bytes each) up to this many; beyond, the age count is an estimate. */
const MAX_DELETED_LISTED = 100_000;

/**
 * Reads what {@link assessDataLoss} needs and the cheap bounds could not decide, without writing
 * anything (a plan makes the same reads as an ensure, and a user allowed only to read gets the
 * same plan): the messages over a new per-subject limit (STREAM.INFO with `subjects_filter`,
 * paged) and the messages older than a new max_age ({@link olderThan}).
 */
export async function readLossProbes(
  api: ProbeApi,
  current: ServerStreamInfo,
  needs: { subjectLimit?: number; cutoffMs?: number },
  version: ServerVersion,
  caller: ApiCaller,
): Promise<LossProbes> {
  const probes: LossProbes = {};
  if (needs.subjectLimit !== undefined) {
    const limit = needs.subjectLimit;
    let over = 0;
    const complete = await eachSubject(api, current.config.name, '>', caller, (_subject, count) => {
      if (count > limit) over += count - limit;
    });
    probes.overSubjectLimit = { limit, messages: complete ? over : undefined };
  }
  if (needs.cutoffMs !== undefined) {
    probes.olderThan = { cutoffMs: needs.cutoffMs, ...(await olderThan(api, current, needs.cutoffMs, version, caller)) };
  }
  return probes;
}

/** The subjects the stream holds messages on that match `filter`, or undefined when there are too many to read. */
export async function heldSubjects(
  api: Pick<ProbeApi, 'streamInfo'>,
  stream: string,
  filter: string,
  caller: ApiCaller,
): Promise<string[] | undefined> {
  const subjects: string[] = [];
  const complete = await eachSubject(api, stream, filter, caller, (subject) => subjects.push(subject));
  return complete ? subjects : undefined;
}

/** Calls `visit` with each held subject matching `filter` and its count, page by page; false when it gave up (too many pages). */
async function eachSubject(
  api: Pick<ProbeApi, 'streamInfo'>,
  stream: string,
  filter: string,
  caller: ApiCaller,
  visit: (subject: string, count: number) => void,
): Promise<boolean> {
  let offset = 0;
  for (let page = 0; page < MAX_SUBJECT_PAGES; page++) {
    const info = (await api.streamInfo(stream, caller, { subjects_filter: filter, offset })) as ServerStreamInfo & { total?: number };
    const counts = info.state.subjects ?? {};
    let seen = 0;
    for (const subject in counts) {
      seen += 1;
      visit(subject, counts[subject]);
    }
    offset += seen;
    if (seen === 0 || offset >= (info.total ?? 0)) return true;
  }
  return false;
}

/**
 * Messages older than `cutoffMs`, read without writing. Messages are stored in time order (the
 * server expires them from the first in that order), so the first one at or after the cutoff
 * splits the stream: one STREAM.MSG.GET by `start_time` finds it on nats-server 2.11+, a binary
 * search over sequences (`next_by_subj: '>'` at a sequence, reading message times; about log2(n)
 * reads, each returning one message) on older servers. Exact when the stream has no interior
 * deletes, or when their list (STREAM.INFO `deleted_details`, up to 100,000) tells how many lie
 * before that message; else the span is scaled by the share of sequences still held (an estimate).
 * Where messages cannot be read (permissions), interpolated between the first and last message
 * times (an estimate).
 */
async function olderThan(
  api: ProbeApi,
  current: ServerStreamInfo,
  cutoffMs: number,
  version: ServerVersion,
  caller: ApiCaller,
): Promise<{ messages: number; exact: boolean }> {
  const stream = current.config.name;
  const { messages, first_seq: first, last_seq: last, num_deleted: deletes = 0 } = current.state;
  let boundary: number;
  try {
    boundary = version.atLeast('2.11.0')
      ? await firstAtOrAfterTime(api, stream, cutoffMs, last, caller)
      : await searchBoundary(api, stream, cutoffMs, first, last, caller);
  } catch {
    const firstMs = Date.parse(current.state.first_ts);
    const lastMs = Date.parse(current.state.last_ts);
    const share = lastMs > firstMs ? Math.min(1, Math.max(0, (cutoffMs - firstMs) / (lastMs - firstMs))) : 1;
    return { messages: Math.max(1, Math.round(messages * share)), exact: false };
  }
  const span = Math.max(0, boundary - first);
  if (deletes === 0) return { messages: Math.min(messages, span), exact: true };
  if (deletes <= MAX_DELETED_LISTED) {
    const listed = await api
      .streamInfo(stream, caller, { deleted_details: true })
      .then((info) => info.state.deleted)
      .catch(() => undefined);
    if (listed) return { messages: Math.min(messages, span - listed.filter((seq) => seq >= first && seq < boundary).length), exact: true };
  }
  return { messages: Math.min(messages, Math.round((span * messages) / Math.max(1, last - first + 1))), exact: false };
}

/** The sequence of the first message at or after `cutoffMs` (`start_time`, 2.11+), or `last + 1` when every message is older. */
async function firstAtOrAfterTime(api: ProbeApi, stream: string, cutoffMs: number, last: number, caller: ApiCaller): Promise<number> {
  try {
    return (await api.getMessage(stream, { start_time: new Date(cutoffMs).toISOString() }, caller)).seq;
  } catch (err) {
    if (errCodeOf(err) === ErrCode.NoMessageFound) return last + 1;
    throw err;
  }
}

/**
 * The same boundary by binary search: the smallest sequence from which the next held message is
 * at or after the cutoff (or none is left). A read that lands on an older message moves the
 * lower end past that message's own sequence.
 */
async function searchBoundary(
  api: ProbeApi,
  stream: string,
  cutoffMs: number,
  first: number,
  last: number,
  caller: ApiCaller,
): Promise<number> {
  let low = first;
  let high = last + 1;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    const found = await api.getMessage(stream, { seq: middle, next_by_subj: '>' }, caller).catch((err: unknown) => {
      if (errCodeOf(err) === ErrCode.NoMessageFound) return undefined;
      throw err;
    });
    if (!found || Date.parse(found.time) >= cutoffMs) high = middle;
    else low = found.seq + 1;
  }
  return low;
}
