import { Inject, Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { normalizeStreamConfig, type DesiredStream } from './stream-config.js';
import type { StreamDeclaration } from './stream-declaration.js';

/** The streams one `StreamsModule.forFeature([...])` call declares. */
export class FeatureStreams {
  constructor(readonly streams: readonly StreamDeclaration[]) {}
}

/**
 * Every stream the app declares: those of `forRoot({ streams })` and of each
 * `forFeature([...])`, found through Nest's discovery. A name declared twice is an error.
 */
@Injectable()
export class DeclaredStreams {
  private cached?: Map<string, StreamDeclaration>;
  private readonly normalized = new Map<string, DesiredStream | null>();

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    private readonly discovery: DiscoveryService,
  ) {}

  /** All declared streams, in declaration order. */
  all(): StreamDeclaration[] {
    return [...this.byName().values()];
  }

  /** The declaration of `name`, if the app declared it. */
  get(name: string): StreamDeclaration | undefined {
    return this.byName().get(name);
  }

  /**
   * The declaration of `name` normalised with the module's `streamDefaults` (computed once: the
   * health checks compare against it on every tick), or undefined if `name` is not declared or
   * its declaration is invalid (ensuring it reports why).
   */
  desired(name: string): DesiredStream | undefined {
    if (!this.normalized.has(name)) {
      const declaration = this.get(name);
      let desired: DesiredStream | null = null;
      try {
        desired = declaration ? normalizeStreamConfig(declaration, this.options.streamDefaults) : null;
      } catch {
        desired = null;
      }
      this.normalized.set(name, desired);
    }
    return this.normalized.get(name) ?? undefined;
  }

  private byName(): Map<string, StreamDeclaration> {
    if (this.cached) return this.cached;
    const features = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is FeatureStreams => instance instanceof FeatureStreams);
    const map = new Map<string, StreamDeclaration>();
    for (const declaration of [...(this.options.streams ?? []), ...features.flatMap((f) => f.streams)]) {
      if (map.has(declaration.name)) {
        throw new InvalidStreamConfigError(declaration.name, 'name', 'is declared twice (forRoot/forFeature); declare each stream once');
      }
      map.set(declaration.name, declaration);
    }
    this.cached = map;
    return map;
  }
}
