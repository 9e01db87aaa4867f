import { Inject, Injectable } from '@nestjs/common';
import { ConnectionService } from '../connection/connection.service.js';
import type { ServerStreamInfo } from '../declaration/server-stream.js';
import { STREAMS_RESOLVED_OPTIONS } from '../streams.constants.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { checkServerSupport } from './server-support.js';
import { normalizeStreamConfig, type DesiredStream } from '../declaration/stream-config.js';
import type { StreamDeclaration } from '../declaration/stream-declaration.js';
import { diffStreamConfig } from '../declaration/stream-diff.js';
import { declaredBucket, normalizeBucketConfig } from '../declaration/bucket-config.js';

/** Declarations remembered at once; beyond that the memo starts over (a bound, not an LRU). */
const MEMO_SIZE = 1_000;

interface Memo {
  desired: DesiredStream;
  /** The server version and clustering the declaration was checked against. */
  version: unknown;
  clustered: boolean;
}

/**
 * Turns declarations into desired streams: the module's `streamDefaults` applied, validated, and
 * checked against the connected server. An equal declaration (same name, subjects and config, by
 * value) is normalised once and remembered; only a change of server version or clustering
 * invalidates it. `matches` remembers which cached info a desired stream was found equal to, so a
 * warm `ensureStream` is a lookup.
 */
@Injectable()
export class DesiredStreams {
  private readonly memo = new Map<string, Memo>();
  private readonly matched = new WeakMap<ServerStreamInfo, DesiredStream>();

  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) private readonly options: ResolvedStreamsOptions,
    private readonly connection: ConnectionService,
  ) {}

  /** The desired stream of `ensureStream(name, subjects, config)`'s arguments. */
  of(name: string, subjects: string[], config: object): DesiredStream {
    const key = JSON.stringify([name, subjects, config]);
    const facts = this.connection.serverFacts();
    const known = this.memo.get(key);
    if (known && known.version === facts.version && known.clustered === facts.clustered) return known.desired;
    const desired = this.prepare({ ...config, name, subjects } as StreamDeclaration);
    if (this.memo.size >= MEMO_SIZE) this.memo.clear();
    this.memo.set(key, { desired, version: facts.version, clustered: facts.clustered });
    return desired;
  }

  /**
   * A declaration normalised with the module's defaults and checked against the server. A stream
   * that stands for a declared bucket (`bucketStream`) is normalised as the bucket, without them.
   * @throws InvalidStreamConfigError naming the first invalid field
   */
  prepare(declaration: StreamDeclaration): DesiredStream {
    const bucket = declaredBucket(declaration);
    const desired = bucket ? normalizeBucketConfig(bucket) : normalizeStreamConfig(declaration, this.options.streamDefaults);
    return checkServerSupport(desired, this.connection.serverFacts());
  }

  /** Whether the stream on the server (`info`) already matches `desired` in every field. */
  matches(desired: DesiredStream, info: ServerStreamInfo): boolean {
    if (this.matched.get(info) === desired) return true;
    const same = diffStreamConfig(desired.config, info.config, this.connection.serverFacts().version).changes.length === 0;
    if (same) this.matched.set(info, desired);
    return same;
  }
}
