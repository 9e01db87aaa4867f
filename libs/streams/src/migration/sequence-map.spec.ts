import { firstCopyAfter, type CopyAt } from './sequence-map.js';

/** A stream as the reader sees it: stored sequence -> the source sequence it copies (undefined: no copy). */
function reader(stored: Map<number, number | undefined>) {
  const seqs = [...stored.keys()].sort((a, b) => a - b);
  const reads: number[] = [];
  const read = async (seq: number): Promise<CopyAt | undefined> => {
    reads.push(seq);
    const at = seqs.find((s) => s >= seq);
    return at === undefined ? undefined : { seq: at, copyOf: stored.get(at) };
  };
  return { read, reads };
}

/** A copy of source sequences `sources`, stored from 1, followed by `direct` messages that are no copies. */
function copyOf(sources: number[], direct = 0): Map<number, number | undefined> {
  const stored = new Map<number, number | undefined>(sources.map((s, i) => [i + 1, s]));
  for (let i = 0; i < direct; i++) stored.set(sources.length + i + 1, undefined);
  return stored;
}

describe('firstCopyAfter', () => {
  it('maps an ack floor to the copy of the next source message', async () => {
    const { read } = reader(copyOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    expect(await firstCopyAfter(read, 1, 10, 0)).toBe(1);
    expect(await firstCopyAfter(read, 1, 10, 4)).toBe(5);
    expect(await firstCopyAfter(read, 1, 10, 10)).toBe(11);
  });

  it('skips the gaps of a source with deleted messages and a later first sequence', async () => {
    // The source held 100, 101, 105, 106, 200: copied to 1..5.
    const { read } = reader(copyOf([100, 101, 105, 106, 200]));
    expect(await firstCopyAfter(read, 1, 5, 0)).toBe(1);
    expect(await firstCopyAfter(read, 1, 5, 101)).toBe(3);
    expect(await firstCopyAfter(read, 1, 5, 103)).toBe(3);
    expect(await firstCopyAfter(read, 1, 5, 199)).toBe(5);
    expect(await firstCopyAfter(read, 1, 5, 500)).toBe(6);
  });

  it('stops at the first message published directly after the copies', async () => {
    const { read } = reader(copyOf([1, 2, 3], 4));
    expect(await firstCopyAfter(read, 1, 7, 3)).toBe(4);
    expect(await firstCopyAfter(read, 1, 7, 1)).toBe(2);
  });

  it('handles gaps in the stream read (a missing sequence reads as the next stored one)', async () => {
    const stored = new Map<number, number | undefined>([
      [1, 1],
      [2, 2],
      [5, 3],
      [6, 4],
      [9, 5],
    ]);
    const { read } = reader(stored);
    expect(await firstCopyAfter(read, 1, 9, 2)).toBe(3);
    expect(await firstCopyAfter(read, 1, 9, 3)).toBe(6);
    expect(await firstCopyAfter(read, 1, 9, 4)).toBe(7);
  });

  it('answers the first sequence for an empty stream and reads about log2(n) messages', async () => {
    const empty = reader(new Map());
    expect(await firstCopyAfter(empty.read, 1, 0, 10)).toBe(1);
    const big = reader(copyOf(Array.from({ length: 50_000 }, (_, i) => i + 1)));
    expect(await firstCopyAfter(big.read, 1, 50_000, 31_337)).toBe(31_338);
    expect(big.reads.length).toBeLessThanOrEqual(17);
  });
});
