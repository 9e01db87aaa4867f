import { Injectable } from '@nestjs/common';
import { toStreamsError } from '../errors/to-streams-error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { consumerApiLevel, streamApiLevel } from '../declaration/required-api-level.js';
import type {
  AccountInfo,
  ConsumerAction,
  CreatedStreamInfo,
  MessageRequest,
  Paged,
  PurgeRequest,
  ServerConsumerConfig,
  ServerConsumerInfo,
  StoredMessage,
  StreamInfoRequest,
  StreamRequestConfig,
} from './api-types.js';
import { ApiRequester, type ApiCaller } from './api-requester.js';

export type { ApiCallEvent } from './api-call.js';
export type { ApiCaller, ApiConnection, RequestScope } from './api-requester.js';

/**
 * The JetStream API as this library uses it: the only code that knows the API subjects. Each
 * method is one named request (or the pages of a list), sent as {@link ApiRequester} sends every
 * request: retried on transient answers, failing with typed errors.
 */
@Injectable()
export class JetStreamApi extends ApiRequester {
  /** The stream's info; rejects with `StreamNotFoundError` when it does not exist. */
  streamInfo(name: string, caller: ApiCaller, request?: StreamInfoRequest): Promise<ServerStreamInfo> {
    return this.request(`STREAM.INFO.${name}`, request, caller);
  }

  /**
   * Every stream's info (all pages), or of those capturing `subject`. The streams the server holds
   * but has offline (nats-server 2.12+; listed apart, without info) are added to `offline` when
   * given, by name, with the server's reason.
   */
  async listStreams(caller: ApiCaller, subject?: string, offline?: Map<string, string>): Promise<ServerStreamInfo[]> {
    const all: ServerStreamInfo[] = [];
    // Offline streams count in `total` but are not in `streams`: paging goes by what was seen.
    let seen = 0;
    for (let page = await this.listPage(0, caller, subject); ; page = await this.listPage(seen, caller, subject)) {
      all.push(...(page.streams ?? []));
      const away = Object.entries(page.offline ?? {});
      for (const [name, reason] of away) offline?.set(name, reason);
      seen += (page.streams?.length ?? 0) + away.length;
      if (!(page.streams?.length || away.length) || seen >= page.total) return all;
    }
  }

  /** Every stream's name (all pages), or of those capturing `subject`. */
  async streamNames(caller: ApiCaller, subject?: string): Promise<string[]> {
    const all: string[] = [];
    for (;;) {
      const page = await this.request<Paged & { streams: string[] | null }>(
        'STREAM.NAMES',
        { offset: all.length, ...(subject !== undefined && { subject }) },
        caller,
      );
      all.push(...(page.streams ?? []));
      if (!page.streams?.length || all.length >= page.total) return all;
    }
  }

  /** Creates a stream with exactly `config`, asking for the API level its fields need. */
  createStream(config: StreamRequestConfig, caller: ApiCaller): Promise<CreatedStreamInfo> {
    return this.levelled(`STREAM.CREATE.${config.name}`, this.pedantic(config), caller, streamApiLevel(config));
  }

  /**
   * Replaces the stream's config with exactly `config` (the client's `streams.update` would read
   * the stream first and merge, so a field could never be removed).
   */
  updateStream(config: StreamRequestConfig, caller: ApiCaller): Promise<ServerStreamInfo> {
    return this.levelled(`STREAM.UPDATE.${config.name}`, this.pedantic(config), caller, streamApiLevel(config));
  }

  /** Deletes the stream; retried only when the server certainly did not apply the request. */
  async deleteStream(name: string, caller: ApiCaller): Promise<void> {
    await this.request(`STREAM.DELETE.${name}`, undefined, caller, false);
  }

  /** Purges the messages `request` selects; returns how many were removed. */
  async purgeStream(name: string, request: PurgeRequest, caller: ApiCaller): Promise<number> {
    const answer = await this.request<{ purged: number }>(`STREAM.PURGE.${name}`, request, caller, false);
    return answer.purged;
  }

  /** The consumer's info; rejects with a `JetStreamApiError` of err_code 10014 when it does not exist. */
  consumerInfo(stream: string, consumer: string, caller: ApiCaller): Promise<ServerConsumerInfo> {
    return this.request(`CONSUMER.INFO.${stream}.${consumer}`, undefined, caller);
  }

  /** Every consumer of the stream (all pages). */
  async listConsumers(stream: string, caller: ApiCaller): Promise<ServerConsumerInfo[]> {
    const all: ServerConsumerInfo[] = [];
    for (;;) {
      const page = await this.request<Paged & { consumers: ServerConsumerInfo[] | null }>(
        `CONSUMER.LIST.${stream}`,
        { offset: all.length },
        caller,
      );
      all.push(...(page.consumers ?? []));
      if (!page.consumers?.length || all.length >= page.total) return all;
    }
  }

  /**
   * Creates or updates a consumer with exactly `config`: a named one (durable or not) through
   * `CONSUMER.CREATE.<stream>.<name>`, an unnamed ephemeral through `CONSUMER.CREATE.<stream>`.
   * `action` 'create' refuses an existing consumer with another config and 'update' a missing one
   * (nats-server 2.10+; 2.9 ignores it, so callers decide on a fresh read).
   */
  createConsumer(
    stream: string,
    config: ServerConsumerConfig,
    caller: ApiCaller,
    action: ConsumerAction = '',
  ): Promise<ServerConsumerInfo> {
    const name = config.durable_name ?? config.name;
    const subject = name ? `CONSUMER.CREATE.${stream}.${name}` : `CONSUMER.CREATE.${stream}`;
    const request = this.pedantic({ stream_name: stream, config, ...(action ? { action } : {}) });
    const need = consumerApiLevel(config);
    return this.levelled(subject, request, caller, need && { ...need, field: `consumers.${name ?? ''}.${need.field}` }, action !== '');
  }

  /** Deletes a consumer; retried only when the server certainly did not apply the request. */
  async deleteConsumer(stream: string, consumer: string, caller: ApiCaller): Promise<void> {
    await this.request(`CONSUMER.DELETE.${stream}.${consumer}`, undefined, caller, false);
  }

  /** One stored message (STREAM.MSG.GET); rejects with a 10037 `JetStreamApiError` when there is none. */
  async getMessage(stream: string, request: MessageRequest, caller: ApiCaller): Promise<StoredMessage> {
    const answer = await this.request<{ message: StoredMessage }>(`STREAM.MSG.GET.${stream}`, request, caller);
    return answer.message;
  }

  /**
   * Moves a consumer so that its next delivery is stream sequence `seq`, everything below counting
   * as acknowledged (`CONSUMER.RESET`, nats-server 2.14+). Sent once, never retried: resolves to
   * undefined when no answer comes within `requestTimeoutMs`, which is how a server without this
   * API (2.9 to 2.13) answers; a server refusal (e.g. 10204, not allowed for deliver policy
   * `new`/`last`) rejects as usual.
   */
  async resetConsumer(stream: string, consumer: string, seq: number, caller: ApiCaller): Promise<ServerConsumerInfo | undefined> {
    try {
      return await this.send<ServerConsumerInfo>(`CONSUMER.RESET.${stream}.${consumer}`, { seq }, caller);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'TIMEOUT') return undefined;
      throw toStreamsError(err, caller.operation, caller.stream);
    }
  }

  /** Resumes a paused consumer (`CONSUMER.PAUSE` with no date; nats-server 2.11+). */
  async resumeConsumer(stream: string, consumer: string, caller: ApiCaller): Promise<void> {
    await this.request(`CONSUMER.PAUSE.${stream}.${consumer}`, undefined, caller);
  }

  /**
   * Pauses a consumer until `until` (RFC 3339; `CONSUMER.PAUSE`, nats-server 2.11+). An update
   * cannot pause nor resume a consumer: the server keeps the `pause_until` it holds.
   */
  async pauseConsumer(stream: string, consumer: string, until: string, caller: ApiCaller): Promise<void> {
    await this.request(`CONSUMER.PAUSE.${stream}.${consumer}`, { pause_until: until }, caller);
  }

  /** The account's JetStream usage and limits. */
  accountInfo(caller: ApiCaller): Promise<AccountInfo> {
    return this.request('INFO', undefined, caller);
  }

  private listPage(offset: number, caller: ApiCaller, subject?: string) {
    return this.request<Paged & { streams: ServerStreamInfo[] | null; offline?: Record<string, string> }>(
      'STREAM.LIST',
      { offset, ...(subject !== undefined && { subject }) },
      caller,
    );
  }
}
