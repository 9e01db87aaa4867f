import { connect, type NatsConnection } from 'nats';
import { setTimeout as delay } from 'node:timers/promises';

/** The prefix every JetStream API request subject starts with. */
const JS_API_PREFIX = '$JS.API.';

/** A JetStream API request that changes a stream or a consumer, with or without the `$JS.API.` prefix. */
const WRITE = /^(\$JS\.API\.)?(STREAM\.(CREATE|UPDATE|DELETE|PURGE)|CONSUMER\.(CREATE|DURABLE\.CREATE|DELETE|RESET|PAUSE))\./;

/**
 * An unnamed consumer create (`CONSUMER.CREATE.<stream>`): the server's own request (reply
 * `$JSC.R.…`) for the consumer through which a sourcing or mirroring stream reads its origin. The
 * server sends it again whenever it restarts that source (2.10 does so on a loaded machine); the
 * library names every consumer it creates.
 */
const SOURCE_CONSUMER = /^(\$JS\.API\.)?CONSUMER\.CREATE\.[^.]+$/;

/** The requests among `requests` that change a stream or a consumer, less the server's own source consumers. */
export function writesAmong(requests: readonly string[]): string[] {
  return requests.filter((r) => WRITE.test(r) && !SOURCE_CONSUMER.test(r));
}

/** What {@link JsApiSpy.during} saw: the call's outcome and the requests it sent. */
export interface SpiedCall<T> {
  /** The value `act` resolved to, if it did. */
  result?: T;
  /** What `act` rejected with, if it did. */
  error?: unknown;
  /** The request subjects without the `$JS.API.` prefix, in arrival order (e.g. `STREAM.INFO.orders`). */
  requests: string[];
}

/**
 * Sees every JetStream API request any client of the server sends, from a raw connection of its
 * own subscribed to `$JS.API.>` (a plain subscriber in the same account sees each request).
 *
 * Two ways to read it: {@link during} records exactly the requests one call sends; {@link subjects}
 * and {@link lists} are a running record since {@link start} (or the last `during`), read after
 * {@link settle}.
 *
 * @example
 * const spy = await JsApiSpy.start(server.url);
 * const { result, requests } = await spy.during(nc, () => streams.ensureStream('orders', ['orders.>']));
 * expect(requests).toEqual(['STREAM.INFO.orders']);
 * await spy.close();
 */
export class JsApiSpy {
  /** Every request subject seen (with the `$JS.API.` prefix), oldest first. */
  readonly subjects: string[] = [];

  private constructor(private readonly nc: NatsConnection) {}

  /** Connects to `url` and starts recording; resolves once the subscription is in place on the server. */
  static async start(url: string): Promise<JsApiSpy> {
    const nc = await connect({ servers: url, name: 'js-api-spy' });
    const spy = new JsApiSpy(nc);
    nc.subscribe(`${JS_API_PREFIX}>`, { callback: (_err, msg) => spy.subjects.push(msg.subject) });
    await nc.flush();
    return spy;
  }

  /** How many `$JS.API.STREAM.LIST` requests were seen so far. */
  get lists(): number {
    return this.subjects.filter((s) => s === `${JS_API_PREFIX}STREAM.LIST`).length;
  }

  /**
   * The requests `act` sends, and its outcome (a rejection is returned, not thrown). Clears
   * {@link subjects} first. `via` is the connection `act` sends on: it and the spy's own connection
   * are flushed before and after, so no request from before the call is counted and none from the
   * call is still in flight.
   */
  async during<T>(via: NatsConnection, act: () => Promise<T>): Promise<SpiedCall<T>> {
    await via.flush();
    await this.nc.flush();
    this.subjects.length = 0;
    let result: T | undefined;
    let error: unknown;
    try {
      result = await act();
    } catch (err) {
      error = err;
    }
    await via.flush();
    await this.nc.flush();
    return { result, error, requests: this.subjects.map((s) => s.slice(JS_API_PREFIX.length)) };
  }

  /**
   * Makes sure requests published so far by other connections have reached this one, for reading
   * the running record when the sending connection is not at hand to flush.
   */
  async settle(): Promise<void> {
    await delay(100);
    await this.nc.flush();
  }

  /** Closes the spy's connection. */
  async close(): Promise<void> {
    await this.nc.close();
  }
}
