import type { LoggerService } from '@nestjs/common';

/**
 * A Nest logger that keeps every line (`<level> <context> <message>`), for specs that wait for or
 * check what an app logged.
 *
 * @example
 * const logs = new AppLogs();
 * app.useLogger(logs);
 * await waitFor(async () => logs.has(/waiting for instance/), Boolean);
 */
export class AppLogs implements LoggerService {
  /** Every line, oldest first. */
  readonly lines: string[] = [];

  log(message: unknown, context?: unknown): void {
    this.push('LOG', message, context);
  }

  warn(message: unknown, context?: unknown): void {
    this.push('WARN', message, context);
  }

  error(message: unknown, context?: unknown): void {
    this.push('ERROR', message, context);
  }

  /** Whether a line matches `pattern`. */
  has(pattern: RegExp): boolean {
    return this.lines.some((line) => pattern.test(line));
  }

  private push(level: string, message: unknown, context: unknown): void {
    this.lines.push(`${level} ${String(context ?? '')} ${String(message)}`);
  }
}
