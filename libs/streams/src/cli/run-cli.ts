import { NatsConnectionError } from '../index.js';
import { DEFAULT_SERVER, HELP, parseCliArgs } from './cli-args.js';
import { describeServers, planDeclaredStreams } from './plan.command.js';
import { formatPlanJson, formatPlanTable, planExitCode, toJson } from './plan-report.js';

/** Where the command reads its environment and writes its output. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/**
 * Runs `nestjs-jetstream-streams <argv>` and resolves to its exit status: 0 every declared stream
 * matches, 1 something would change, 2 the plan could not be checked (bad flags, unusable module,
 * no server). Never rejects.
 */
export async function runCli(argv: string[], io: CliIo): Promise<0 | 1 | 2> {
  let command;
  try {
    command = parseCliArgs(argv, io.env);
  } catch (err) {
    io.stderr(`nestjs-jetstream-streams: ${(err as Error).message}\n\n${HELP}`);
    // A script that asked for JSON reads stdout, even when the rest of the command line is wrong;
    // no server was settled on, hence null.
    if (asksForJson(argv)) io.stdout(`${toJson({ server: null, error: err })}\n`);
    return 2;
  }
  if (command.command === 'help') {
    io.stdout(HELP);
    return 0;
  }
  const server = describeServers(command.servers);
  try {
    const plans = await planDeclaredStreams(command, io.cwd);
    io.stdout(command.json ? formatPlanJson(plans, server) : formatPlanTable(plans, server));
    return planExitCode(plans);
  } catch (err) {
    io.stderr(`nestjs-jetstream-streams plan: could not check the plan: ${(err as Error).message}\n`);
    if (command.defaultServer && err instanceof NatsConnectionError) {
      io.stderr(
        `No --server and no NATS_URL named a server, so ${DEFAULT_SERVER} was tried once: name yours with --server <url> or NATS_URL.\n`,
      );
    }
    if (command.json) io.stdout(`${toJson({ server, error: err })}\n`);
    return 2;
  }
}

/** Whether `--json` is among the flags (before any `--`, after which everything is positional). */
function asksForJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}
