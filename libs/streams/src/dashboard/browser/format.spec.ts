import {
  esc,
  formatAgo,
  formatBytes,
  formatClock,
  formatCompact,
  formatCount,
  formatDuration,
  formatPercent,
  formatRate,
  formatValue,
} from './format.js';

const f = { esc, formatAgo, formatBytes, formatClock, formatCompact, formatCount, formatDuration, formatPercent, formatRate, formatValue };

describe("the page's formatting", () => {
  it.each([
    [0, '0 B'],
    [1_000, '1,000 B'],
    [1_536, '1.5 KiB'],
    [1024 * 1024, '1 MiB'],
    [63_593_840, '60.6 MiB'],
    [150 * 1024 * 1024, '150 MiB'],
    [5 * 1024 ** 4, '5 TiB'],
  ])('shows %d bytes as %s', (bytes, text) => {
    expect(f.formatBytes(bytes)).toBe(text);
  });

  it('shows counts with separators, compact axis labels and rates', () => {
    expect(f.formatCount(1_234_567)).toBe('1,234,567');
    expect([0, 7.25, 42, 1_500, 2_500_000, 3e9].map((n) => f.formatCompact(n))).toEqual(['0', '7.3', '42', '1.5k', '2.5M', '3G']);
    expect(f.formatRate(0.5)).toBe('0.5/s');
    expect(f.formatRate(12_345)).toBe('12.3k/s');
    expect(f.formatRate(null)).toBe('–');
  });

  it('shows fractions as percentages, tiny ones as <1%', () => {
    expect([0, 0.004, 0.4, 0.999, 1.2].map((x) => f.formatPercent(x))).toEqual(['0%', '<1%', '40%', '100%', '120%']);
  });

  it('shows nanosecond durations in at most two units', () => {
    const s = 1e9;
    expect([0.5e6, 90 * s, 3_600 * s, 5_400 * s, 7 * 86_400 * s, 86_400 * s + 60 * s].map((n) => f.formatDuration(n))).toEqual([
      '500µs',
      '1m30s',
      '1h',
      '1h30m',
      '7d',
      '1d',
    ]);
  });

  it('shows config values by field: sizes, durations, unlimited, lists', () => {
    expect(f.formatValue('max_bytes', 1024 * 1024)).toBe('1 MiB');
    expect(f.formatValue('max_msgs', -1)).toBe('unlimited');
    expect(f.formatValue('max_msgs', 1000)).toBe('1,000');
    expect(f.formatValue('max_age', 0)).toBe('unlimited');
    expect(f.formatValue('max_age', 3_600e9)).toBe('1h');
    expect(f.formatValue('subjects', ['a.>', 'b.>'])).toBe('a.>, b.>');
    expect(f.formatValue('storage', 'file')).toBe('file');
    expect(f.formatValue('placement', { tags: ['eu'] })).toBe('{"tags":["eu"]}');
    expect(f.formatValue('description', undefined)).toBe('unset');
  });

  it('shows times as a clock and an age', () => {
    expect(f.formatClock(new Date(2024, 0, 1, 9, 5, 7).getTime())).toBe('09:05:07');
    expect([500, 35_000, 125_000, 5_400_000].map((ms) => f.formatAgo(ms))).toEqual(['just now', '35 s ago', '2 min ago', '1.5 h ago']);
  });

  it('escapes text for HTML', () => {
    expect(f.esc(`<img src=x onerror="a('b')">&`)).toBe('&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;');
  });
});
