import { parseArgs } from 'node:util';
import { CliUsageError } from './cli-usage.error.js';

/** The server checked when neither `--server` nor `NATS_URL` names one. */
export const DEFAULT_SERVER = 'nats://127.0.0.1:4222';

/** The longest wait for the server, in ms, when `--timeout` is not given. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** What `plan` was asked to do. */
export interface PlanArgs {
  /** Path of the module exporting the declarations, as given (relative to the working directory). */
  module: string;
  /** The NATS server URLs, from `--server`, else `NATS_URL`, else {@link DEFAULT_SERVER}. */
  servers: string[];
  /** Print JSON instead of the table. */
  json: boolean;
  /** Longest wait for the server to answer, in ms. */
  timeoutMs: number;
}

/** A parsed command line. */
export type CliCommand = { command: 'help' } | ({ command: 'plan' } & PlanArgs);

/** The text of `--help`. */
export const HELP = `Usage: nestjs-jetstream-streams plan <module> [--server <url>] [--json] [--timeout <ms>]

Compares the streams declared in <module> with the streams on a NATS server and prints what
StreamsModule would do at start-up (create, update, conflict, ...). Nothing is written.

<module>         a JavaScript file (.js, .cjs or .mjs) exporting \`streams\` (an array of stream
                 declarations, or a record keyed by stream name) and optionally \`streamDefaults\`,
                 or a default export { streams, streamDefaults } such as your StreamsModule.forRoot
                 options. Loading it runs it: it should declare data, not start your app.
--server, -s     NATS server URL (several separated by commas). Default: $NATS_URL, else ${DEFAULT_SERVER}
--json           print the plan as JSON
--timeout <ms>   longest wait for the server. Default: ${DEFAULT_TIMEOUT_MS}
--help, -h       print this help

Exit status: 0 every stream matches, 1 something would change (create, update, conflict, invalid,
data loss, ...), 2 the plan could not be checked (no server, bad module, bad flags).
`;

/**
 * Parses the arguments after the executable's name.
 *
 * @throws {CliUsageError} for an unknown command or flag, a missing module path or a bad value.
 */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv): CliCommand {
  const { values, positionals } = parse(argv);
  if (values.help) return { command: 'help' };
  const [command, ...rest] = positionals;
  if (command === undefined) throw new CliUsageError('No command given.');
  if (command !== 'plan') throw new CliUsageError(`Unknown command "${command}".`);
  if (rest.length !== 1) {
    throw new CliUsageError(rest.length === 0 ? 'plan needs the path of the module that exports your declarations.' : `plan takes one module path, got ${rest.length}.`);
  }
  return {
    command: 'plan',
    module: rest[0],
    servers: parseServers(values.server ?? env.NATS_URL ?? DEFAULT_SERVER),
    json: values.json ?? false,
    timeoutMs: parseTimeout(values.timeout),
  };
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        server: { type: 'string', short: 's' },
        json: { type: 'boolean' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new CliUsageError((err as Error).message);
  }
}

function parseServers(value: string): string[] {
  const servers = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (servers.length === 0) throw new CliUsageError('--server (or NATS_URL) names no server.');
  return servers;
}

function parseTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) throw new CliUsageError(`--timeout must be a positive whole number of milliseconds, got "${value}".`);
  return ms;
}
