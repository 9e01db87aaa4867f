import { isPlainRecord, show } from '../checks/values.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { findSubjectOverlaps, streamNameProblem } from '../declaration/subjects.js';
import { type DesiredStream } from '../declaration/stream-config.js';
import type { StreamDeclaration, StreamDeclarations } from '../declaration/stream-declaration.js';

/**
 * The declarations of a batch as a list, in input order: a list as given, a record keyed by
 * name with the key as each name (own keys only).
 * @throws InvalidArgumentError when `streams` is neither a list nor a plain record (a `Map` is refused)
 */
export function declarationList(streams: StreamDeclarations, method: string): StreamDeclaration[] {
  if (Array.isArray(streams)) return streams;
  // A Map (or another class instance) has no own keys to read: it would ensure nothing.
  if (!isPlainRecord(streams)) {
    throw new InvalidArgumentError(
      method,
      'streams',
      `must be a list of declarations or a record keyed by stream name, got ${describe(streams)}`,
    );
  }
  return Object.keys(streams).map((key) => {
    const declaration = (streams as Record<string, Omit<StreamDeclaration, 'name'>>)[key];
    const named = (declaration as { name?: unknown } | null)?.name;
    if (named !== undefined && named !== key) {
      throw new InvalidArgumentError(
        method,
        `streams.${key}.name`,
        `is '${String(named)}' but its key is '${key}'; a record is keyed by stream name: leave name out`,
      );
    }
    return { ...declaration, name: key };
  });
}

/**
 * The stream names of a batch call (`deleteStreams`), every one checked before any request.
 * @throws InvalidArgumentError when `names` is no array, or names an invalid stream (by its index)
 */
export function nameList(names: unknown, method: string): string[] {
  if (!Array.isArray(names)) {
    throw new InvalidArgumentError(method, 'names', `must be an array of stream names, got ${describe(names)}`);
  }
  names.forEach((name, i) => {
    const problem = streamNameProblem(name);
    if (problem) throw new InvalidArgumentError(method, `names[${i}]`, problem);
  });
  return names as string[];
}

/** The name a declaration claims, for reporting it even when it is invalid. */
export function declaredName(declaration: unknown): string {
  const name = typeof declaration === 'object' && declaration !== null ? (declaration as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : String(name);
}

/**
 * Normalises a batch with `prepare`; an invalid item, a name declared twice (the later one) and
 * a declaration whose subjects overlap an earlier one's become their error, in input order.
 */
export function prepareBatch(
  list: readonly unknown[],
  prepare: (declaration: StreamDeclaration) => DesiredStream,
): Array<DesiredStream | Error> {
  const seen = new Set<string>();
  const prepared = list.map((declaration): DesiredStream | Error => {
    try {
      const desired = prepare(declaration as StreamDeclaration);
      // By position, not by name: the first declaration of a name goes ahead, later ones fail.
      if (seen.has(desired.name)) return new InvalidStreamConfigError(desired.name, 'name', 'is declared twice in this batch');
      seen.add(desired.name);
      return desired;
    } catch (err) {
      return err as Error;
    }
  });
  const valid = prepared.filter((p): p is DesiredStream => !(p instanceof Error));
  const blocked = new Map<string, Error>();
  for (const o of findSubjectOverlaps(valid)) {
    // The later declaration fails, naming the earlier one, which goes ahead.
    if (o.kind !== 'subjects' || blocked.has(o.stream) || blocked.has(o.otherStream)) continue;
    const error = new InvalidStreamConfigError(
      o.otherStream,
      'subjects',
      `subject "${o.otherSubject}" overlaps "${o.subject}" of stream "${o.stream}" in the same batch`,
      { otherStream: o.stream },
    );
    blocked.set(o.otherStream, error);
  }
  return prepared.map((p) => (p instanceof Error ? p : (blocked.get(p.name) ?? p)));
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `the string ${show(value)}` : show(value);
}
