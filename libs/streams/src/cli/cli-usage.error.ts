import { StreamsError } from '../index.js';

/** The command line of the `plan` command is wrong (unknown command or flag, missing module path, bad value). */
export class CliUsageError extends StreamsError {
  constructor(message: string) {
    super(message);
  }
}
