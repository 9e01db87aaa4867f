/**
 * A stored message as the mapping needs it: its sequence, and the sequence of the message it is a
 * copy of in the stream being mapped from (undefined when it is not a copy of that stream, e.g.
 * a message published directly after the copies).
 */
export interface CopyAt {
  seq: number;
  copyOf: number | undefined;
}

/** Reads the first stored message at or after `seq`, or undefined when there is none. */
export type CopyReader = (seq: number) => Promise<CopyAt | undefined>;

/**
 * Where a consumer resumes in a copy: the first sequence of `dest` (between `first` and `last`)
 * holding a copy of a source message above `floor`, or a message that is no copy at all. Copies
 * arrive in source order and before anything published directly, so this is a binary search:
 * about log2(last - first) reads. `last + 1` when every stored message is at or below the floor.
 *
 * @param floor the source sequence up to which the consumer is done (its ack floor)
 */
export async function firstCopyAfter(read: CopyReader, first: number, last: number, floor: number): Promise<number> {
  let lo = Math.max(1, first);
  let hi = last + 1;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const at = await read(mid);
    if (!at || at.seq >= hi || at.copyOf === undefined || at.copyOf > floor) {
      hi = mid;
    } else {
      // Everything up to this stored message is at or below the floor.
      lo = at.seq + 1;
    }
  }
  return lo;
}
