import { Injectable, type Type } from '@nestjs/common';
import { JetStreamApi, type ApiCaller } from '../../libs/streams/src/jetstream/jetstream-api.js';
import type { ConsumerAction, ServerConsumerConfig, StreamRequestConfig } from '../../libs/streams/src/jetstream/api-types.js';

/** The writes a step can stop at. */
export type SteppedMethod = 'createStream' | 'updateStream' | 'deleteStream' | 'createConsumer';

/** Where to stop: before or after the `nth` (from 1) call of `method` on `stream`. */
export interface Step {
  when: 'before' | 'after';
  method: SteppedMethod;
  stream: string;
  nth?: number;
}

/**
 * Stops an app's JetStream API at one step of its work until the test lets it go on: the test
 * arms a step, waits until the app reached it, does what it wants there (cut its network, start
 * another instance), then lets it go. Requests a migration sends over its own connection stop too.
 */
export class ApiSteps {
  private armed?: { step: Step; seen: number; reached: () => void; proceed: Promise<void> };

  /** Arms `step`; `reached` resolves when the app is stopped there, `go` lets it go on. */
  arm(step: Step): { reached: Promise<void>; go: () => void } {
    let reached!: () => void;
    let go!: () => void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    const proceed = new Promise<void>((resolve) => (go = resolve));
    this.armed = { step, seen: 0, reached, proceed };
    return { reached: reachedPromise, go };
  }

  /** Called by the stepped API around each write. */
  async at(when: 'before' | 'after', method: SteppedMethod, stream: string): Promise<void> {
    const armed = this.armed;
    if (!armed || armed.step.when !== when || armed.step.method !== method || armed.step.stream !== stream) return;
    armed.seen += 1;
    if (armed.seen !== (armed.step.nth ?? 1)) return;
    this.armed = undefined;
    armed.reached();
    await armed.proceed;
  }
}

/** A `JetStreamApi` that stops at the steps `steps` arms (install it with `overrideJetStreamApi`). */
export function steppedJetStreamApi(steps: ApiSteps): Type<JetStreamApi> {
  @Injectable()
  class SteppedJetStreamApi extends JetStreamApi {
    override async createStream(config: StreamRequestConfig, caller: ApiCaller) {
      await steps.at('before', 'createStream', config.name);
      const info = await super.createStream(config, caller);
      await steps.at('after', 'createStream', config.name);
      return info;
    }

    override async updateStream(config: StreamRequestConfig, caller: ApiCaller) {
      await steps.at('before', 'updateStream', config.name);
      const info = await super.updateStream(config, caller);
      await steps.at('after', 'updateStream', config.name);
      return info;
    }

    override async deleteStream(name: string, caller: ApiCaller) {
      await steps.at('before', 'deleteStream', name);
      await super.deleteStream(name, caller);
      await steps.at('after', 'deleteStream', name);
    }

    override async createConsumer(stream: string, config: ServerConsumerConfig, caller: ApiCaller, action?: ConsumerAction) {
      await steps.at('before', 'createConsumer', stream);
      const info = await super.createConsumer(stream, config, caller, action);
      await steps.at('after', 'createConsumer', stream);
      return info;
    }
  }
  return SteppedJetStreamApi;
}
