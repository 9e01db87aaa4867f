import type { MetricPoint } from './metric-points.js';
import { SeriesMemory } from './series-memory.js';

const up = (stream: string, value: number): MetricPoint => ({
  gauge: 'streamUp',
  value,
  attributes: { 'nats.jetstream.stream.name': stream },
});
const messages = (stream: string, value: number): MetricPoint => ({
  gauge: 'streamMessages',
  value,
  attributes: { 'nats.jetstream.stream.name': stream },
});

describe('SeriesMemory', () => {
  it('passes the points through the first time', () => {
    const memory = new SeriesMemory();

    expect(memory.complete([up('a', 1), messages('a', 5)], ['streamUp', 'streamMessages'])).toEqual([up('a', 1), messages('a', 5)]);
  });

  it('reports 0 for a series of a settled gauge that was reported before and is missing now', () => {
    const memory = new SeriesMemory();
    memory.complete([up('a', 1), up('b', 1), messages('b', 5)], ['streamUp', 'streamMessages']);

    const next = memory.complete([up('a', 1)], ['streamUp', 'streamMessages']);

    expect(next).toEqual([up('a', 1), up('b', 0), messages('b', 0)]);
  });

  it('keeps reporting 0 for a series gone earlier, and the value again when it returns', () => {
    const memory = new SeriesMemory();
    memory.complete([up('b', 1)], ['streamUp']);
    memory.complete([], ['streamUp']);

    expect(memory.complete([], ['streamUp'])).toEqual([up('b', 0)]);
    expect(memory.complete([up('b', 1)], ['streamUp'])).toEqual([up('b', 1)]);
  });

  it('leaves gauges that are not settled alone, so exporters keep their last values', () => {
    const memory = new SeriesMemory();
    memory.complete([up('a', 1), messages('a', 5)], ['streamUp', 'streamMessages']);

    expect(memory.complete([up('a', 0)], ['streamUp'])).toEqual([up('a', 0)]);
  });

  it('treats attribute sets in any key order as one series', () => {
    const memory = new SeriesMemory();
    const ab: MetricPoint = { gauge: 'streamStatus', value: 1, attributes: { a: '1', b: '2' } };
    const ba: MetricPoint = { gauge: 'streamStatus', value: 1, attributes: { b: '2', a: '1' } };
    memory.complete([ab], ['streamStatus']);

    expect(memory.complete([ba], ['streamStatus'])).toEqual([ba]);
  });

  it('lists the values an attribute had among the series reported', () => {
    const memory = new SeriesMemory();
    memory.complete([up('a', 1), up('b', 0)], ['streamUp']);

    expect(memory.values('streamUp', 'nats.jetstream.stream.name').sort()).toEqual(['a', 'b']);
    expect(memory.values('streamBytes', 'nats.jetstream.stream.name')).toEqual([]);
  });
});
