import type { StreamsSnapshot } from '../monitoring/stream-monitor.js';
import { decodeSnapshot, encodeSnapshot, parsePartLabel, PartCollector } from './snapshot-parts.js';

function snapshot(streams: number): StreamsSnapshot {
  const records: StreamsSnapshot['streams'] = Object.create(null);
  for (let i = 0; i < streams; i++) {
    const name = i === 0 ? 'constructor' : `s${i}`;
    records[name] = {
      name,
      healthy: true,
      status: 'up',
      problems: [],
      warnings: [],
      subjects: [`${name}.>`],
      messages: i,
      bytes: i * 10,
      first_seq: 1,
      last_seq: i,
      consumer_count: 0,
      usage: {},
      limits: {},
    };
  }
  return { at: new Date(0).toISOString(), healthy: true, streams: records };
}

describe('snapshot parts', () => {
  it('cuts a large snapshot into parts under the bound and puts it back together, any stream name a plain key', () => {
    const original = snapshot(10_000);
    const parts = encodeSnapshot(original, 64 * 1024);
    expect(parts.length).toBeGreaterThan(1);
    expect(Math.max(...parts.map((p) => p.length))).toBeLessThanOrEqual(64 * 1024);
    const back = decodeSnapshot(parts);
    expect(back).toEqual(original);
    expect(Object.getPrototypeOf(back.streams)).toBeNull();
    expect(back.streams.constructor.name).toBe('constructor');
  });

  it('collects parts arriving out of order and mixed with the next generation, each complete snapshot once', () => {
    const collector = new PartCollector();
    const label = (g: string, i: number, n: number) => ({ generation: g, index: i, count: n, data: new Uint8Array([i]) });
    expect(collector.add(label('x#1', 1, 2))).toBeUndefined();
    expect(collector.add(label('x#2', 0, 2))).toBeUndefined();
    expect(collector.add(label('x#1', 0, 2))).toEqual([new Uint8Array([0]), new Uint8Array([1])]);
    expect(collector.add(label('x#2', 1, 2))).toEqual([new Uint8Array([0]), new Uint8Array([1])]);
  });

  it('refuses labels that are not a part of a snapshot', () => {
    expect(parsePartLabel(undefined)).toBeUndefined();
    expect(parsePartLabel('g 2 2')).toBeUndefined();
    expect(parsePartLabel('g -1 2')).toBeUndefined();
    expect(parsePartLabel('g x 2')).toBeUndefined();
    expect(parsePartLabel('g 0 1')).toEqual({ generation: 'g', index: 0, count: 1 });
  });
});
