import type { Attributes } from '@opentelemetry/api';
import type { GaugeKey, MetricPoint } from './metric-points.js';

/**
 * Remembers which attribute sets each gauge reported. The OpenTelemetry JS SDK (cumulative
 * temporality, as Prometheus reads it) repeats the last value of a series that a callback stops
 * observing: a deleted stream would report its old message count, and a state it left would still
 * read 1. So a series reported before and absent now is reported as 0 instead.
 */
export class SeriesMemory {
  private readonly seen = new Map<GaugeKey, Map<string, Attributes>>();

  /**
   * `points`, plus a 0 for every series of the `settled` gauges that was reported before and is
   * not in `points`. Gauges not settled are left alone (exporters keep their last values).
   */
  complete(points: MetricPoint[], settled: readonly GaugeKey[]): MetricPoint[] {
    const now = new Map<GaugeKey, Map<string, Attributes>>(settled.map((gauge) => [gauge, new Map()]));
    for (const point of points) now.get(point.gauge)?.set(keyOf(point.attributes), point.attributes);
    const zeros: MetricPoint[] = [];
    for (const [gauge, current] of now) {
      const before = this.seen.get(gauge) ?? new Map<string, Attributes>();
      for (const [key, attributes] of before) {
        if (!current.has(key)) {
          zeros.push({ gauge, value: 0, attributes });
          current.set(key, attributes);
        }
      }
      this.seen.set(gauge, current);
    }
    return zeros.length ? [...points, ...zeros] : points;
  }

  /** The values of attribute `key` among the series `gauge` reported so far. */
  values(gauge: GaugeKey, key: string): string[] {
    const values = new Set<string>();
    for (const attributes of this.seen.get(gauge)?.values() ?? []) {
      const value = attributes[key];
      if (typeof value === 'string') values.add(value);
    }
    return [...values];
  }
}

/**
 * One text per attribute set, whatever its key order. Runs for every series at every collection:
 * a plain concatenation, about 3× cheaper than a JSON text of the sorted entries.
 */
function keyOf(attributes: Attributes): string {
  const keys = Object.keys(attributes);
  if (keys.length > 1) keys.sort();
  let key = '';
  for (const name of keys) key += `${name}\u0000${String(attributes[name])}\u0001`;
  return key;
}
