import { Inject, Injectable } from '@nestjs/common';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { declaredName } from './stream-batch.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import type { StreamDeclaration } from '../declaration/stream-declaration.js';
import type { BucketDeclaration } from '../declaration/bucket-declaration.js';
import { bucketStream } from '../declaration/bucket-config.js';
import type { ObjectStoreDeclaration } from '../declaration/object-store-declaration.js';
import { objectStoreStream } from '../declaration/object-store-config.js';
import { DesiredStreams } from './desired-streams.js';

/** What one `StreamsModule.forFeature` call declares: streams, key-value buckets, object stores, or any of them. */
export interface FeatureDeclarations {
  streams?: StreamDeclaration[];
  buckets?: BucketDeclaration[];
  objectStores?: ObjectStoreDeclaration[];
}

/**
 * Every stream the app declares for this connection: those of `forRoot({ streams, buckets,
 * objectStores })` and of each `forFeature(...)` (registered when the feature module is created,
 * before any start-up hook runs). A bucket is listed as its stream `KV_<bucket>` (see
 * `bucketStream`) and an object store as `OBJ_<bucket>` (see `objectStoreStream`), after the
 * streams of the same call. A name declared twice is an error, raised by {@link all} during start-up.
 */
@Injectable()
export class DeclaredStreams {
  private readonly features: Array<{ streams: readonly StreamDeclaration[] }> = [];
  private byName?: Map<string, StreamDeclaration>;
  private readonly normalized = new Map<string, DesiredStream | null>();

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    private readonly desiredStreams: DesiredStreams,
  ) {}

  /** Adds the declarations of one `forFeature` call: a list of streams, or `{ streams?, buckets?, objectStores? }`. */
  addFeature(declarations: readonly StreamDeclaration[] | FeatureDeclarations): void {
    const {
      streams = [],
      buckets = [],
      objectStores = [],
    } = Array.isArray(declarations) ? { streams: declarations } : ((declarations ?? {}) as FeatureDeclarations);
    if (
      !Array.isArray(streams) ||
      !Array.isArray(buckets) ||
      !Array.isArray(objectStores) ||
      (!Array.isArray(declarations) && !isObject(declarations))
    ) {
      throw new InvalidArgumentError(
        'StreamsModule.forFeature',
        'declarations',
        'must be an array of stream declarations, or { streams?: [...], buckets?: [...], objectStores?: [...] }',
      );
    }
    this.features.push({ streams: [...streams, ...buckets.map(bucketStream), ...objectStores.map(objectStoreStream)] });
    this.byName = undefined;
    this.normalized.clear();
  }

  /**
   * All declared streams, in declaration order (forRoot first).
   * @throws InvalidStreamConfigError when a name is declared twice, or a declaration has no name
   */
  all(): StreamDeclaration[] {
    return [...this.index().values()];
  }

  /** Whether the app declared a stream of this name. */
  has(name: string): boolean {
    return this.safeIndex().has(name);
  }

  /**
   * The declaration of `name` normalised and checked (computed once: health compares against it
   * on every tick), or undefined if `name` is not declared or its declaration is invalid (ensuring
   * it reports why).
   */
  desired(name: string): DesiredStream | undefined {
    if (!this.normalized.has(name)) {
      const declaration = this.safeIndex().get(name);
      let desired: DesiredStream | null = null;
      try {
        desired = declaration ? this.desiredStreams.prepare(declaration) : null;
      } catch {
        desired = null;
      }
      this.normalized.set(name, desired);
    }
    return this.normalized.get(name) ?? undefined;
  }

  /** The declarations by name; an invalid set (a duplicate) reads as empty outside start-up. */
  private safeIndex(): Map<string, StreamDeclaration> {
    try {
      return this.index();
    } catch {
      return new Map();
    }
  }

  private index(): Map<string, StreamDeclaration> {
    if (this.byName) return this.byName;
    const map = new Map<string, StreamDeclaration>();
    const root = [...this.options.streams, ...this.options.buckets.map(bucketStream), ...this.options.objectStores.map(objectStoreStream)];
    for (const declaration of [...root, ...this.features.flatMap((f) => f.streams)]) {
      const name = declaredName(declaration);
      if (map.has(name)) {
        throw new InvalidStreamConfigError(name, 'name', 'is declared twice (forRoot/forFeature); declare each stream once');
      }
      map.set(name, declaration);
    }
    this.byName = map;
    return map;
  }
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}
