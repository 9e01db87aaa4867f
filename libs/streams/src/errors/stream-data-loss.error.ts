import { StreamsError } from './streams.error.js';

/** One field whose declared value would make the server delete messages (see `DataLoss`). */
export interface DataLossField {
  field: string;
  current: unknown;
  desired: unknown;
  /** What the stream holds that the new value does not allow, in words. */
  held: string;
  messages: number;
  bytes: number;
  /** Set when the value came from the module's `streamDefaults` or the library's defaults, not the declaration. */
  from?: 'streamDefaults' | 'library';
}

/** What applying a declaration would delete. */
export interface DataLossEstimate {
  messages: number;
  bytes: number;
  /** False when the figures are estimates. */
  exact: boolean;
  fields: DataLossField[];
}

/**
 * Applying the declaration would make the server delete messages (a limit below what the stream
 * holds, a shorter max_age, a retention change), and the declaration does not allow it. Nothing
 * was written. Raise the limit in the declaration (or keep the current value), or set
 * `allowDataLoss: true` on that stream to accept the loss.
 */
export class StreamDataLossError extends StreamsError {
  constructor(
    readonly stream: string,
    /** Each field, its values, and what it would delete. */
    readonly loss: DataLossEstimate,
  ) {
    super(
      `Stream "${stream}" was left as it was: applying its declaration would delete ${loss.exact ? '' : 'about '}` +
        `${loss.messages} message${loss.messages === 1 ? '' : 's'} (${formatBytes(loss.bytes)}): ` +
        loss.fields.map(describe).join('; ') +
        `. To keep them, raise the limit in the declaration; to accept the loss, set allowDataLoss: true on stream "${stream}"`,
    );
  }
}

function describe(f: DataLossField): string {
  const origin =
    f.from === 'library'
      ? ` (the library's default: declare ${f.field}: ${keep(f)} to keep the current value)`
      : f.from === 'streamDefaults'
        ? ` (from the module's streamDefaults: declare ${f.field}: ${keep(f)} on this stream to keep the current value)`
        : '';
  return `${f.field} ${fmt(f.current)} -> ${fmt(f.desired)}${origin} deletes ${f.messages} of ${f.held}`;
}

/** The value that keeps what the server has now, as the user would declare it. */
function keep(f: DataLossField): string {
  if (f.field === 'max_age') return f.current === 0 ? "'0'" : `${Number(f.current) / 1e6} (ms)`;
  return typeof f.current === 'number' && f.current <= 0 ? '-1' : fmt(f.current);
}

function fmt(value: unknown): string {
  return value === undefined ? 'unset' : JSON.stringify(value);
}

/** Bytes as people read them: `512 B`, `4.1 KiB`, `60.6 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
