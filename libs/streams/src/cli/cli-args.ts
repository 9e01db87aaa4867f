import { parseArgs } from 'node:util';
import { redactServer } from '../connection/redact.js';
import { serverAddressProblem } from '../connection/server-address.js';
import { CliUsageError } from './cli-usage.error.js';

/** The server checked when neither `--server` nor `NATS_URL` names one. */
export const DEFAULT_SERVER = 'nats://127.0.0.1:4222';

/** The longest wait for the server, in ms, when `--timeout` is not given. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The longest `--timeout`: the longest delay a Node.js timer can wait (longer ones fire at once). */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The flags, as the usage error for an unknown one lists them. */
const KNOWN_FLAGS = '--server/-s, --module, --connection, --json, --timeout, --help/-h';

/** What `plan` was asked to do. */
export interface PlanArgs {
  /** Path of the module exporting the declarations or the app's root module, as given (relative to the working directory). */
  module: string;
  /** `--module`: the name of the export that is the app's root module class. */
  rootModule?: string;
  /** `--connection`: the connection to plan, as named in `forRoot({ name })`; the default connection when absent. */
  connection?: string;
  /** The NATS server URLs, from `--server`, else `NATS_URL`, else {@link DEFAULT_SERVER}. */
  servers: string[];
  /** True when neither `--server` nor `NATS_URL` named a server: {@link DEFAULT_SERVER} is tried once, not waited for. */
  defaultServer: boolean;
  /** Print JSON instead of the table. */
  json: boolean;
  /** Longest wait for the server to answer, in ms. */
  timeoutMs: number;
}

/** A parsed command line. */
export type CliCommand = { command: 'help' } | ({ command: 'plan' } & PlanArgs);

/** The text of `--help`. */
export const HELP = `Usage: nestjs-jetstream-streams plan <module> [--module <Name>] [--connection <name>] [--server <url>] [--json] [--timeout <ms>]

Compares the streams, key-value buckets and object stores declared in <module> with those on a
NATS server and
prints what StreamsModule would do at start-up (create, update, conflict, ...). Nothing is written.

<module>         a compiled JavaScript file (.js, .cjs or .mjs), either
                 - your app's root module (e.g. dist/app.module.js): every stream and bucket that
                   StreamsModule.forRoot, forRootAsync (its factory is run) and forFeature register
                   in its module graph is planned; the app is not started and connects nowhere;
                 - or a file exporting \`streams\` (an array of stream declarations, or a record
                   keyed by stream name) and/or \`buckets\` and \`objectStores\`, optionally
                   \`streamDefaults\` and
                   \`jetstream\`, or a default export of that shape such as your forRoot options.
                 Loading it runs its top-level code (bounded by --timeout).
--module <Name>  the export that is the root module class. Default: the default export, else the
                 file's only exported module class
--connection <name>  the connection to plan (forRoot({ name })). Default: the default connection
--server, -s     NATS server URL (several separated by commas). Default: $NATS_URL, else
                 ${DEFAULT_SERVER}, tried once (with --server or NATS_URL the command waits up to --timeout)
--json           print the plan as JSON
--timeout <ms>   longest wait for the module to load, for a forRootAsync factory, and for the
                 server (1 to ${MAX_TIMEOUT_MS}). Default: ${DEFAULT_TIMEOUT_MS}
--help, -h       print this help

Exit status: 0 every stream and bucket matches, 1 something would change (create, update,
conflict, invalid, data loss, ...), 2 the plan could not be checked (no server, bad module, bad
flags); with --json, a failure prints { "server", "error" } (server null for a bad command line).
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
    throw new CliUsageError(
      rest.length === 0
        ? 'plan needs the path of the module that exports your declarations.'
        : `plan takes one module path, got ${rest.length}.`,
    );
  }
  return {
    command: 'plan',
    module: rest[0],
    ...(values.module !== undefined ? { rootModule: nonEmpty('--module', values.module) } : {}),
    ...(values.connection !== undefined ? { connection: nonEmpty('--connection', values.connection) } : {}),
    defaultServer: values.server === undefined && env.NATS_URL === undefined,
    servers: parseServers(
      values.server ?? env.NATS_URL ?? DEFAULT_SERVER,
      values.server !== undefined ? '--server' : env.NATS_URL !== undefined ? 'NATS_URL' : 'the default server',
    ),
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
        module: { type: 'string' },
        connection: { type: 'string' },
        json: { type: 'boolean' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new CliUsageError(parseArgsMessage(err as Error & { code?: string }));
  }
}

/** Node's parseArgs message in the command's own words: its advice about `--` is no help here. */
function parseArgsMessage(err: Error & { code?: string }): string {
  const unknown = err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /Unknown option '([^']+)'/.exec(err.message) : null;
  if (unknown) return `unknown option ${unknown[1]}; known: ${KNOWN_FLAGS}.`;
  const missing = /Option '(?:-\w, )?(--\w+) <value>' argument missing/.exec(err.message);
  if (missing) return `${missing[1]} needs a value.`;
  const noValue = /Option '(?:-\w, )?(--\w+)' does not take an argument/.exec(err.message);
  if (noValue) return `${noValue[1]} takes no value.`;
  return err.message;
}

/**
 * The server URLs of a comma-separated list, each checked the way the `nats` client reads it
 * (`host:port`, optionally after `nats://` or `tls://`), so a wrong address is refused at once
 * instead of after the whole timeout. A password may hold a comma (see {@link splitServerList}),
 * and messages show each address with its credentials redacted as a whole.
 */
function parseServers(value: string, source: string): string[] {
  const servers = splitServerList(value)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (servers.length === 0) throw new CliUsageError(`${source} names no server.`);
  for (const server of servers) {
    const problem = serverAddressProblem(server);
    if (problem) {
      const hint =
        servers.length === 1 && value.includes(',') && value.includes('@')
          ? '; in a list with credentials, start each server with nats:// or tls://'
          : '';
      throw new CliUsageError(
        `${source}: "${redactServer(server)}" is not a NATS server URL (${problem}${hint}); give nats://host:port or tls://host:port.`,
      );
    }
  }
  return servers;
}

/**
 * Cuts before each `,scheme://`, then at the commas after each piece's last `@` (host names hold
 * neither): credentials, which run up to that `@`, are never cut. Several addresses with
 * credentials each need their scheme.
 */
function splitServerList(value: string): string[] {
  return value.split(/,(?=\s*[a-z][a-z0-9+.-]*:\/\/)/i).flatMap((piece) => {
    const at = piece.lastIndexOf('@');
    const [first, ...others] = piece.slice(at + 1).split(',');
    return [piece.slice(0, at + 1) + first, ...others];
  });
}

function nonEmpty(flag: string, value: string): string {
  if (value.trim() === '') throw new CliUsageError(`${flag} needs a value.`);
  return value;
}

function parseTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(ms) || ms <= 0 || ms > MAX_TIMEOUT_MS) {
    throw new CliUsageError(`--timeout must be a positive whole number of milliseconds up to ${MAX_TIMEOUT_MS}, got "${value}".`);
  }
  return ms;
}
