import type { DataLossEstimate } from '../index.js';
import { describeLossField, lossAdvice, lossHeadline } from '../errors/stream-data-loss.error.js';

/**
 * What a planned change would delete, in the words of a plan (nothing was attempted) and of the
 * declaration (a bucket's `history`, not its stream's `max_msgs_per_subject`): the total, each
 * field `current -> desired` with what it deletes, and how to proceed. `refused` is true for a
 * `data-loss` plan (the declaration does not allow the loss), false when `allowDataLoss: true`
 * permits it.
 *
 * @example
 * would delete 3 messages (147 B):
 *   history 10 -> 2 deletes 3 of 3 messages over 2 on their key
 * To keep them, raise the limit in the declaration; to accept the loss, set allowDataLoss: true on bucket "carts"
 */
export function dataLossLines(stream: string, loss: DataLossEstimate, refused: boolean): string[] {
  return [
    refused ? `would ${lossHeadline(loss)}:` : `would ${lossHeadline(loss)}, which allowDataLoss: true permits:`,
    ...loss.fields.map((f) => `  ${describeLossField(f)}`),
    ...(refused ? [lossAdvice(stream, loss)] : []),
  ];
}
