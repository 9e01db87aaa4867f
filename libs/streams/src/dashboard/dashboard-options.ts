import { InvalidOptionsError } from '../errors/invalid-options.error.js';
import { DEFAULT_CONNECTION } from '../streams.constants.js';

/** Options of `StreamsDashboardModule.register`. */
export interface StreamsDashboardOptions {
  /**
   * Where the page is served; its feed is `<path>/events`. Under the app's global prefix, if it
   * has one. A clean URL path: starts with `/`, letters, digits, `. _ ~ -` and `/`, no empty,
   * `.` or `..` segment.
   * @default '/streams-ui'
   */
  path?: string;
  /**
   * The connection whose streams the page shows (the `name` given to `StreamsModule.forRoot`).
   * @default 'default'
   */
  connection?: string;
  /**
   * How many minutes of history the charts show, kept in memory on the server: a whole number
   * from 1 to 1440 (a day), and, with the monitor's interval, at most
   * {@link MAX_HISTORY_SAMPLES} samples in all (see `historyStreams`).
   * @default 10
   */
  historyMinutes?: number;
  /**
   * At most this many streams get a history (the others are listed without charts): a whole
   * number from 1 to 10000. Memory is about 24 bytes per stream per sample: 1000 streams,
   * 10 minutes at 5 s, 2.9 MB. Start-up refuses a combination whose samples
   * (`historyMinutes` × 60000 / `monitorIntervalMs` × `historyStreams`) exceed
   * {@link MAX_HISTORY_SAMPLES} (about 48 MB).
   * @default 1000
   */
  historyStreams?: number;
  /**
   * The page's title.
   * @default 'JetStream streams'
   */
  title?: string;
}

/** The options with their defaults. */
export type ResolvedDashboardOptions = Required<StreamsDashboardOptions>;

/** The most streams a dashboard keeps a history of. */
export const MAX_HISTORY_STREAMS = 10_000;

/** The most samples (streams × samples per stream) a dashboard keeps: about 48 MB at 24 bytes each. */
export const MAX_HISTORY_SAMPLES = 2_000_000;

const KNOWN: ReadonlyArray<keyof StreamsDashboardOptions> = ['path', 'connection', 'historyMinutes', 'historyStreams', 'title'];

/**
 * Checks the options and applies the defaults. `null` and `undefined` mean the defaults.
 * @throws InvalidOptionsError naming the first invalid option, its value and what is allowed
 */
export function resolveDashboardOptions(options: StreamsDashboardOptions | null = {}): ResolvedDashboardOptions {
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidOptionsError('dashboard', options, `must be an object with some of ${KNOWN.join(', ')}`);
  }
  const unknown = Object.keys(options ?? {}).find((key) => !(KNOWN as string[]).includes(key));
  if (unknown) {
    throw new InvalidOptionsError(
      `dashboard.${unknown}`,
      (options as Record<string, unknown>)[unknown],
      `is not an option; known: ${KNOWN.join(', ')}`,
    );
  }
  const {
    path = '/streams-ui',
    connection = DEFAULT_CONNECTION,
    historyMinutes = 10,
    historyStreams = 1000,
    title = 'JetStream streams',
  } = options ?? {};
  if (
    typeof path !== 'string' ||
    !/^\/[A-Za-z0-9._~\-/]*$/.test(path) ||
    path.includes('//') ||
    path.split('/').some((s) => s === '.' || s === '..')
  ) {
    throw new InvalidOptionsError(
      'dashboard.path',
      path,
      "must be a URL path such as '/streams-ui' (letters, digits, . _ ~ - and /; no empty, '.' or '..' segment)",
    );
  }
  if (typeof connection !== 'string' || !/^[A-Za-z0-9_-]+$/.test(connection)) {
    throw new InvalidOptionsError('dashboard.connection', connection, 'must be a connection name of letters, digits, - and _');
  }
  if (!Number.isInteger(historyMinutes) || historyMinutes < 1 || historyMinutes > 24 * 60) {
    throw new InvalidOptionsError('dashboard.historyMinutes', historyMinutes, 'must be a whole number of minutes from 1 to 1440');
  }
  if (!Number.isInteger(historyStreams) || historyStreams < 1 || historyStreams > MAX_HISTORY_STREAMS) {
    throw new InvalidOptionsError('dashboard.historyStreams', historyStreams, `must be a whole number from 1 to ${MAX_HISTORY_STREAMS}`);
  }
  if (typeof title !== 'string') throw new InvalidOptionsError('dashboard.title', title, 'must be a string');
  return { path: path.replace(/\/+$/, '') || '/', connection, historyMinutes, historyStreams, title };
}

/**
 * How many samples of each stream the history keeps at the connection's monitor interval (at
 * least 2).
 * @throws InvalidOptionsError when they would exceed {@link MAX_HISTORY_SAMPLES} over `historyStreams` streams
 */
export function historyCapacity(options: ResolvedDashboardOptions, monitorIntervalMs: number): number {
  const capacity = Math.max(2, Math.ceil((options.historyMinutes * 60_000) / monitorIntervalMs));
  if (capacity * options.historyStreams > MAX_HISTORY_SAMPLES) {
    throw new InvalidOptionsError(
      'dashboard.historyMinutes',
      options.historyMinutes,
      `with historyStreams ${options.historyStreams} at monitorIntervalMs ${monitorIntervalMs} that is ${capacity * options.historyStreams} samples; at most ${MAX_HISTORY_SAMPLES} are kept (lower historyMinutes or historyStreams, or raise monitorIntervalMs)`,
    );
  }
  return capacity;
}
