import { sourceInputs, storedSubject, transformSubject, UNKNOWN_PREFIX } from './subject-mapping.js';

describe('transformSubject', () => {
  it('maps > and positional or numbered wildcards, and leaves a subject outside src unmatched', () => {
    expect(transformSubject({ src: 'm.>', dest: 'm.v2.>' }, 'm.eu.x')).toBe('m.v2.eu.x');
    expect(transformSubject({ src: 'a.*.*', dest: 'a.{{wildcard(2)}}.$1' }, 'a.x.y')).toBe('a.y.x');
    expect(transformSubject({ src: 'a.*.*', dest: 'b.*.*' }, 'a.x.y')).toBe('b.x.y');
    expect(transformSubject({ src: 'a.*', dest: 'b.{{ Wildcard( 1 ) }}' }, 'a.x')).toBe('b.x');
    expect(transformSubject({ src: 'm.>', dest: 'm.v2.>' }, 'n.eu')).toBeNull();
    expect(transformSubject({ src: 'a.*', dest: 'b.*' }, 'a.x.y')).toBeNull();
    expect(transformSubject({ src: 'a.>', dest: 'b.>' }, 'a')).toBeNull();
  });

  it('takes an empty src as every subject, and an empty dest as the subject unchanged (a source filter)', () => {
    expect(transformSubject({ src: '', dest: 'all.>' }, 'x.y')).toBe('all.x.y');
    expect(transformSubject({ src: 'x.>', dest: '' }, 'x.y')).toBe('x.y');
  });

  it('gives an unknown answer, equal for equal inputs, for a function it does not evaluate', () => {
    const partition = { src: 'o.*', dest: 'o.{{partition(3,1)}}.*' };

    expect(transformSubject(partition, 'o.a')?.startsWith(UNKNOWN_PREFIX)).toBe(true);
    expect(transformSubject(partition, 'o.a')).toBe(transformSubject(partition, 'o.a'));
    expect(transformSubject(partition, 'o.a')).not.toBe(transformSubject(partition, 'o.b'));
  });
});

describe('storedSubject', () => {
  const stream = { subject_transform: { src: 'agg.>', dest: 'stored.>' } };

  it("applies a source's transforms, then the stream's own, to sourced messages alike", () => {
    const source = { name: 'S', subject_transforms: [{ src: 'in.>', dest: 'agg.>' }] };

    expect(storedSubject(stream, 'in.eu', { source })).toBe('stored.eu');
    expect(storedSubject(stream, 'other.eu', { source })).toBeNull();
    expect(storedSubject(stream, 'agg.eu')).toBe('stored.eu');
    expect(storedSubject(stream, 'plain')).toBe('plain');
    expect(storedSubject({}, 'x.y', { source: { name: 'S', filter_subject: 'x.*' } })).toBe('x.y');
    expect(storedSubject({}, 'z.y', { source: { name: 'S', filter_subject: 'x.*' } })).toBeNull();
  });

  it("names what a source can bring in: its transforms' src, its filter, or anything", () => {
    expect(
      sourceInputs({
        name: 'S',
        subject_transforms: [
          { src: 'a.>', dest: 'b.>' },
          { src: '', dest: 'c.>' },
        ],
      }),
    ).toEqual(['a.>', '>']);
    expect(sourceInputs({ name: 'S', filter_subject: 'f.*' })).toEqual(['f.*']);
    expect(sourceInputs({ name: 'S' })).toEqual(['>']);
  });
});
