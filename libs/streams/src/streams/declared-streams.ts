import { Inject, Injectable } from '@nestjs/common';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { declaredName } from './stream-batch.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import type { StreamDeclaration } from '../declaration/stream-declaration.js';
import { DesiredStreams } from './desired-streams.js';

/**
 * Every stream the app declares for this connection: those of `forRoot({ streams })` and of each
 * `forFeature([...])` (registered when the feature module is created, before any start-up hook
 * runs). A name declared twice is an error, raised by {@link all} during start-up.
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

  /** Adds the streams of one `forFeature` call. */
  addFeature(streams: readonly StreamDeclaration[]): void {
    if (!Array.isArray(streams)) {
      throw new InvalidArgumentError('StreamsModule.forFeature', 'streams', 'must be an array of stream declarations');
    }
    this.features.push({ streams });
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
    for (const declaration of [...this.options.streams, ...this.features.flatMap((f) => f.streams)]) {
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
