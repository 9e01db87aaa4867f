/** @internal Keeps the last `max` lines a server process wrote, for error messages and `logs()`. */
export class ServerLogBuffer {
  private readonly lines: string[] = [];
  private partial = '';
  private total = 0;

  constructor(private readonly max: number) {}

  /** Adds a chunk of output; a line split across chunks is joined. */
  append(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    parts.forEach((line) => this.note(line));
  }

  /** Adds one line of the kit's own (e.g. `--- restart ---`). */
  note(line: string): void {
    this.lines.push(line);
    this.total += 1;
    if (this.lines.length > this.max) {
      this.lines.shift();
    }
  }

  /** A position to pass to {@link since}. */
  mark(): number {
    return this.total;
  }

  /** The output written after `mark` (as far as it is still kept). */
  since(mark: number): string {
    const count = Math.min(this.total - mark, this.lines.length);
    return [...this.lines.slice(this.lines.length - count), this.partial].join('\n');
  }

  toString(): string {
    return [...this.lines, this.partial].filter(Boolean).join('\n');
  }
}

const LOG_TAIL_LINES = 20;

/** @internal The last lines of several servers' output, each under its label, for a start error. */
export function logTails(servers: readonly (readonly [label: string, server: { logs(): string }])[]): string {
  return servers.map(([label, server]) => `[${label}]\n${server.logs().split('\n').slice(-LOG_TAIL_LINES).join('\n')}`).join('\n');
}
