import type { ServerStreamInfo } from '../server/server-stream.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import { SubjectIndex } from '../declaration/subject-index.js';

/** Another stream on the server capturing a subject the declaration wants, if any. */
export function overlappingStream(
  desired: DesiredStream,
  others: Iterable<ServerStreamInfo> | SubjectIndex<ServerStreamInfo>,
): { name: string; subjects: string[] } | undefined {
  const index = others instanceof SubjectIndex ? others : indexSubjects(others);
  for (const subject of desired.config.subjects) {
    const other = index.overlapping(subject).find((e) => e.value.config.name !== desired.name)?.value;
    if (other) return { name: other.config.name, subjects: other.config.subjects ?? [] };
  }
  return undefined;
}

/** The streams on the server indexed by the subjects they capture. */
export function indexSubjects(infos: Iterable<ServerStreamInfo>): SubjectIndex<ServerStreamInfo> {
  const index = new SubjectIndex<ServerStreamInfo>();
  for (const info of infos) for (const subject of info.config.subjects ?? []) index.add(subject, info);
  return index;
}
