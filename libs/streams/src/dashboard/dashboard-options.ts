import { InvalidOptionsError } from '../errors/invalid-options.error.js';
import { DEFAULT_CONNECTION } from '../streams.constants.js';

/** Options of `StreamsDashboardModule.register`. */
export interface StreamsDashboardOptions {
  /**
   * Where the page is served; its feed is `<path>/events`. Under the app's global prefix, if it
   * has one.
   * @default '/streams-ui'
   */
  path?: string;
  /**
   * The connection whose streams the page shows (the `name` given to `StreamsModule.forRoot`).
   * @default 'default'
   */
  connection?: string;
  /**
   * How many minutes of history the charts show, kept in memory on the server.
   * @default 10
   */
  historyMinutes?: number;
  /**
   * At most this many streams get a history (the others are listed without charts). Memory is
   * about 24 bytes per stream per sample: 1000 streams, 10 minutes at 5 s, 2.9 MB.
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

/**
 * Checks the options and applies the defaults.
 * @throws InvalidOptionsError naming the first invalid option
 */
export function resolveDashboardOptions(options: StreamsDashboardOptions = {}): ResolvedDashboardOptions {
  const { path = '/streams-ui', connection = DEFAULT_CONNECTION, historyMinutes = 10, historyStreams = 1000, title = 'JetStream streams' } = options;
  if (typeof path !== 'string' || !/^\/[A-Za-z0-9._~\-/]*$/.test(path) || path.includes('//')) {
    throw new InvalidOptionsError('dashboard.path', path, "must be a URL path such as '/streams-ui' (letters, digits, . _ ~ - and /)");
  }
  if (typeof connection !== 'string' || !/^[A-Za-z0-9_-]+$/.test(connection)) {
    throw new InvalidOptionsError('dashboard.connection', connection, 'must be a connection name of letters, digits, - and _');
  }
  if (typeof historyMinutes !== 'number' || !(historyMinutes > 0 && historyMinutes <= 24 * 60)) {
    throw new InvalidOptionsError('dashboard.historyMinutes', historyMinutes, 'must be a number of minutes above 0, at most 1440');
  }
  if (!Number.isInteger(historyStreams) || historyStreams < 1) {
    throw new InvalidOptionsError('dashboard.historyStreams', historyStreams, 'must be a whole number of at least 1');
  }
  if (typeof title !== 'string') throw new InvalidOptionsError('dashboard.title', title, 'must be a string');
  return { path: path.replace(/\/+$/, '') || '/', connection, historyMinutes, historyStreams, title };
}
