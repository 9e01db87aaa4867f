import { Inject, Injectable } from '@nestjs/common';
import { ConnectionService } from '../connection/connection.service.js';
import { isPlainRecord, show } from '../checks/values.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { checkServerSupport } from '../reconcile/server-support.js';
import { normalizeStreamConfig, type DesiredStream } from '../declaration/stream-config.js';
import type { StreamDeclaration } from '../declaration/stream-declaration.js';
import { diffStreamConfig } from '../declaration/stream-diff.js';
import { declaredBucket, normalizeBucketConfig } from '../declaration/bucket-config.js';
import { bucketTopologyProblem } from '../declaration/bucket-topology.js';
import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { declaredObjectStore, normalizeObjectStoreConfig } from '../declaration/object-store-config.js';

/** Deeper than any declaration: a value nested further is not remembered (and a cycle ends). */
const MAX_DEPTH = 16;

/** A declaration normalised before: its JSON text and what it became. */
interface Remembered {
  json: string;
  desired: DesiredStream;
}

/**
 * Turns declarations into desired streams: the module's `streamDefaults` applied, validated, and
 * checked against the connected server. Each declaration is normalised once: the last one of each
 * stream name is remembered with its JSON text, so an equal declaration (a new object literal on
 * every call included, written with its keys in the same order) returns the same frozen desired
 * stream without normalising. The memo holds one entry per stream name the app declared, so it
 * never forgets the declarations of a large app (10,000 streams) and never grows past them.
 * What invalidates an entry: a different declaration of the same name (it replaces the entry), a
 * change of server version or clustering (a reconnect to another server). A declaration holding
 * anything but plain data is normalised (and refused) every time.
 */
@Injectable()
export class DesiredStreams {
  /** The last declaration of each stream name, by name, as checked against {@link server}. */
  private readonly memo = new Map<string, Remembered>();
  /** The server version and clustering the remembered declarations were checked against. */
  private server = '';

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    private readonly connection: ConnectionService,
  ) {}

  /**
   * The desired stream of `ensureStream(name, subjects, config)`'s arguments (`method` names the
   * call in errors): `config` must be a plain object, and may repeat `name` or `subjects` only
   * with the same values.
   * @throws InvalidArgumentError when `config` is not a plain object or contradicts `name` or `subjects`
   * @throws InvalidStreamConfigError naming the first invalid field
   */
  of(method: string, name: string, subjects: string[], config: object): DesiredStream {
    const input: unknown = config;
    if (!isPlainRecord(input)) {
      throw new InvalidArgumentError(method, 'config', `must be a plain object such as { max_age: '7d' }, got ${show(input)}`);
    }
    if (input.name !== undefined && input.name !== name) {
      throw new InvalidArgumentError(method, 'config.name', `is ${show(input.name)} but the name argument is ${show(name)}; leave it out`);
    }
    if (input.subjects !== undefined && JSON.stringify(input.subjects) !== JSON.stringify(subjects)) {
      throw new InvalidArgumentError(
        method,
        'config.subjects',
        `is ${show(input.subjects)} but the subjects argument is ${show(subjects)}; pass subjects as the second argument only`,
      );
    }
    // Name and subjects first, as a declaration usually lists them: the same text as the declared stream.
    return this.prepare({ name, subjects, ...input } as StreamDeclaration);
  }

  /**
   * A declaration normalised with the module's defaults and checked against the server
   * (remembered: see the class). A stream that stands for a declared bucket (`bucketStream`) or
   * object store (`objectStoreStream`) is normalised as the bucket or store, without the defaults.
   * @throws InvalidStreamConfigError naming the first invalid field
   */
  prepare(declaration: StreamDeclaration): DesiredStream {
    // A bucket's or object store's stand-in is known by its identity, which a remembered copy would not have.
    if (declaredBucket(declaration) || declaredObjectStore(declaration)) return this.normalize(declaration);
    const name: unknown = declaration.name;
    // A declaration without a string name is refused by normalising; it has no entry to share.
    if (typeof name !== 'string' || !isPlainData(declaration, 0)) return this.normalize(declaration);
    const json = JSON.stringify(declaration);
    const facts = this.connection.serverFacts();
    const server = `${facts.version.toString()} ${facts.clustered}`;
    if (server !== this.server) {
      // Another server (a reconnect elsewhere): every declaration is checked against it anew.
      this.memo.clear();
      this.server = server;
    }
    const known = this.memo.get(name);
    if (known?.json === json) return known.desired;
    // Normalised from a copy, so that what is remembered is exactly what was checked.
    const desired = freeze(this.normalize(JSON.parse(json) as StreamDeclaration));
    this.memo.set(name, { json, desired });
    return desired;
  }

  /** Whether the stream on the server (`info`) already matches `desired` in every field. */
  matches(desired: DesiredStream, info: ServerStreamInfo): boolean {
    return diffStreamConfig(desired.config, info.config, this.connection.serverFacts().version).changes.length === 0;
  }

  private normalize(declaration: StreamDeclaration): DesiredStream {
    const bucket = declaredBucket(declaration);
    const store = bucket ? undefined : declaredObjectStore(declaration);
    const desired = bucket
      ? normalizeBucketConfig(bucket)
      : store
        ? normalizeObjectStoreConfig(store)
        : normalizeStreamConfig(declaration, this.options.streamDefaults);
    const topology = bucket && bucketTopologyProblem(desired.config.sources, this.connection.serverFacts().version);
    if (topology) throw new InvalidStreamConfigError(desired.name, 'sources', topology);
    return checkServerSupport(desired, this.connection.serverFacts());
  }
}

/**
 * Whether `value` is plain data, which `JSON.parse(JSON.stringify(value))` gives back exactly:
 * plain objects (without a `toJSON`), arrays without holes or `undefined`, strings, finite
 * numbers, booleans and null; `undefined` as an object's value (which counts as not given).
 */
function isPlainData(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (value[i] === undefined || !isPlainData(value[i], depth + 1)) return false;
    return true;
  }
  if (!isPlainRecord(value) || typeof value.toJSON === 'function') return false;
  for (const key in value) {
    const item = value[key];
    if (item !== undefined && !isPlainData(item, depth + 1)) return false;
  }
  return true;
}

/**
 * Freezes a remembered desired stream, which every equal declaration shares from then on: the
 * stream, its policy and its subjects list. Not the config object itself, which never leaves the
 * library.
 */
function freeze(desired: DesiredStream): DesiredStream {
  Object.freeze(desired.config.subjects);
  Object.freeze(desired.policy);
  return Object.freeze(desired);
}
