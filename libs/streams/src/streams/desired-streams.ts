import { Inject, Injectable } from '@nestjs/common';
import { ConnectionService } from '../connection/connection.service.js';
import { copyDeclaration, DeclarationMemo, declarationOf } from '../declaration/declaration-memo.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { isRecord } from '../declaration/show-value.js';
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

/** Stream names whose declaration is remembered at once; beyond that the memo starts over. */
const MEMO_SIZE = 4_096;

interface Memo {
  desired: DesiredStream;
  /** The server version and clustering the declaration was checked against. */
  version: unknown;
  clustered: boolean;
}

/**
 * Turns declarations into desired streams: the module's `streamDefaults` applied, validated, and
 * checked against the connected server. Each declaration is normalised once: an equal declaration
 * of the same stream (same subjects and fields, compared by value, so a new object literal on every
 * call is found again) returns the same (frozen) desired stream without normalising. What invalidates
 * it: a different declaration of that stream name (it replaces the remembered one), a change of
 * server version or clustering (a reconnect to another server), and more than 4,096 stream names
 * (the memo starts over). Declarations holding anything but plain data (a Date, a class instance, a
 * function) are normalised on every call. `matches` of a cached info found equal before is a
 * lookup, so a warm `ensureStream` costs no comparison.
 */
@Injectable()
export class DesiredStreams {
  private readonly memo = new DeclarationMemo<Memo>(MEMO_SIZE);

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    private readonly connection: ConnectionService,
  ) {}

  /**
   * The desired stream of `ensureStream(name, subjects, config)`'s arguments.
   * @throws InvalidStreamConfigError naming the first invalid field
   */
  of(name: string, subjects: string[], config: object): DesiredStream {
    return this.remembered(name, subjects, config, () => ({ ...config, name, subjects }) as StreamDeclaration);
  }

  /**
   * A declaration normalised with the module's defaults and checked against the server
   * (remembered: see the class). A stream that stands for a declared bucket (`bucketStream`) or
   * object store (`objectStoreStream`) is normalised as the bucket or store, without the defaults.
   * @throws InvalidStreamConfigError naming the first invalid field
   */
  prepare(declaration: StreamDeclaration): DesiredStream {
    const input: unknown = declaration;
    // A bucket's or object store's stand-in is known by its identity, which a remembered copy would not have.
    if (!isRecord(input) || declaredBucket(declaration) || declaredObjectStore(declaration)) return this.normalize(declaration);
    return this.remembered(input.name, input.subjects, input, () => declaration);
  }

  /**
   * Whether the stream on the server (`info`) already matches `desired` in every field: a lookup
   * when this pair (or the same config object, which the info cache keeps while it does not
   * change) was found equal before (see `diffStreamConfig`).
   */
  matches(desired: DesiredStream, info: ServerStreamInfo): boolean {
    return diffStreamConfig(desired.config, info.config, this.connection.serverFacts().version).changes.length === 0;
  }

  /**
   * The remembered desired stream of an equal declaration, or a new one normalised from a copy of
   * it (so what is remembered is exactly what was checked); `asGiven` is normalised instead when
   * the declaration cannot be copied.
   */
  private remembered(name: unknown, subjects: unknown, fields: unknown, asGiven: () => StreamDeclaration): DesiredStream {
    if (typeof name !== 'string' || typeof fields !== 'object' || fields === null) return this.normalize(asGiven());
    const facts = this.connection.serverFacts();
    const known = this.memo.get(name, subjects, fields);
    if (known && known.version === facts.version && known.clustered === facts.clustered) return known.desired;
    const copy = copyDeclaration(subjects, fields);
    if (!copy) return this.normalize(asGiven());
    const desired = freeze(this.normalize(declarationOf(name, copy) as unknown as StreamDeclaration));
    this.memo.set(name, copy, { desired, version: facts.version, clustered: facts.clustered });
    return desired;
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
 * Freezes a remembered desired stream, which every equal declaration shares from then on: the
 * stream, its policy and its subjects list (what a batch's overlap check remembers it by). Not the
 * config object itself: V8 reads the fields of a frozen object by computed key (as the diff does)
 * several times slower, and the config never leaves the library.
 */
function freeze(desired: DesiredStream): DesiredStream {
  Object.freeze(desired.config.subjects);
  Object.freeze(desired.policy);
  return Object.freeze(desired);
}
