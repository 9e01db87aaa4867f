import type { NatsServerPorts } from './nats-server-ports.js';

/** The signals {@link NatsTestServer.stop} can send. */
export type NatsStopSignal = 'SIGTERM' | 'SIGKILL';

/** A nats-server process owned by a test, listening on 127.0.0.1. */
export interface NatsTestServer {
  /** Client port; kept across {@link restart}. */
  readonly port: number;
  /** Client URL, `nats://127.0.0.1:<port>`. */
  readonly url: string;
  /** Monitoring URL, `http://127.0.0.1:<monitoring port>`; kept across {@link restart}. */
  readonly monitorUrl: string;
  /**
   * Every port the server listens on, as the server reported them after it started (each
   * listener is configured with port `-1`, so the server picks a free one); kept across {@link restart}.
   */
  readonly ports: NatsServerPorts;
  /** The temporary directory holding the config, the ports file and the store. */
  readonly dir: string;
  /** JetStream `store_dir`; kept across {@link restart}. */
  readonly storeDir: string;
  /** The server version as reported by `nats-server --version`, e.g. `'2.9.10'`. */
  readonly version: string;
  /** Process id of the current (or last) server process. */
  readonly pid: number;
  /** Whether the server process is alive. */
  readonly running: boolean;
  /**
   * Stops the process and waits for it to exit. A SIGTERM that is not obeyed within 5 s
   * is followed by SIGKILL. Resolves at once when the server is not running.
   */
  stop(signal?: NatsStopSignal): Promise<void>;
  /** Starts the server again with the same ports, store and configuration (stopping it first if running). */
  restart(): Promise<void>;
  /** Kills the process if running and removes the temporary directory. Idempotent. */
  dispose(): Promise<void>;
  /** The last ~200 lines the server wrote to stdout and stderr. */
  logs(): string;
}
