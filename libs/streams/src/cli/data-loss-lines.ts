import type { DataLossEstimate, DataLossField } from '../index.js';
import { formatBytes } from '../errors/stream-data-loss.error.js';

/**
 * What a planned change would delete, in the words of a plan (nothing was attempted): the total,
 * each field `current -> desired` with what it deletes, and how to proceed. `refused` is true for
 * a `data-loss` plan (the declaration does not allow the loss), false when `allowDataLoss: true`
 * permits it.
 *
 * @example
 * would delete 3 messages (147 B):
 *   max_msgs_per_subject 10 -> 2 deletes 3 of 3 messages over 2 on their subject
 * to keep them, raise the limit in the declaration; to accept the loss, declare allowDataLoss: true on stream "KV_carts"
 */
export function dataLossLines(stream: string, loss: DataLossEstimate, refused: boolean): string[] {
  const total = `${loss.exact ? '' : 'about '}${loss.messages} message${loss.messages === 1 ? '' : 's'} (${formatBytes(loss.bytes)})`;
  return [
    refused ? `would delete ${total}:` : `would delete ${total}, which allowDataLoss: true permits:`,
    ...loss.fields.map((f) => `  ${f.field} ${show(f.current)} -> ${show(f.desired)} deletes ${f.messages} of ${f.held}${origin(f)}`),
    ...(refused
      ? [`to keep them, raise the limit in the declaration; to accept the loss, declare allowDataLoss: true on stream "${stream}"`]
      : []),
  ];
}

/** Where a value nobody declared on the stream came from, and what to declare to keep the current one. */
function origin(f: DataLossField): string {
  if (f.from === 'library') return ` (the library's default: declare ${f.field}: ${keep(f)} to keep the current value)`;
  if (f.from === 'streamDefaults') return ` (from streamDefaults: declare ${f.field}: ${keep(f)} on this stream to keep the current value)`;
  return '';
}

/** The value that keeps what the server has now, as the user would declare it (max_age in ms). */
function keep(f: DataLossField): string {
  if (f.field === 'max_age') return f.current === 0 ? "'0'" : `${Number(f.current) / 1e6} (ms)`;
  return typeof f.current === 'number' && f.current <= 0 ? '-1' : show(f.current);
}

function show(value: unknown): string {
  return value === undefined ? 'unset' : JSON.stringify(value);
}
