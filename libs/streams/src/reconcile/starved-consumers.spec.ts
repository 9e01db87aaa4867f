import type { ServerStreamConfig } from '../server/server-stream.js';
import { mappingChanges, starvedFollowers, type Follower } from './starved-consumers.js';

const stream = (fields: Partial<ServerStreamConfig> = {}): Partial<ServerStreamConfig> => ({ name: 'm', subjects: ['m.>'], ...fields });
const transform = { subject_transform: { src: 'm.>', dest: 'm.v2.>' } };
const eu: Follower = { name: 'eu', before: ['m.eu.>'], after: [['m.eu.>']] };

describe('starvedFollowers', () => {
  it('names a consumer that a new stream transform would stop receiving, with an example', () => {
    const loss = starvedFollowers(stream(), stream(transform), [eu], 'limits');

    expect(loss).toEqual({
      messages: 0,
      bytes: 0,
      exact: false,
      fields: [
        {
          field: 'subject_transform',
          current: undefined,
          desired: { src: 'm.>', dest: 'm.v2.>' },
          held: 'stops consumer "eu" (m.eu.>) receiving new messages: a message on m.eu.x was stored as m.eu.x and would be stored as m.v2.eu.x',
          messages: 0,
          bytes: 0,
          kind: 'starved',
          consumer: 'eu',
        },
      ],
    });
    expect(starvedFollowers(stream(), stream(transform), [eu], 'interest')?.fields[0].held).toMatch(
      /an interest stream the server deletes them at once/,
    );
  });

  it('lets through followers whose filters match the new subjects at every moment, and those that received nothing', () => {
    const following: Follower = { name: 'both', before: ['m.eu.>', 'm.v2.eu.>'], after: [['m.eu.>', 'm.v2.eu.>'], ['m.v2.eu.>']] };
    const everything: Follower = { name: 'all', before: ['>'], after: [['>']] };
    const elsewhere: Follower = { name: 'us', before: ['m.us.>'], after: [['m.us.>']] };
    const euOnly = { subject_transform: { src: 'm.eu.>', dest: 'm.v2.eu.>' } };

    expect(starvedFollowers(stream(), stream(euOnly), [following, everything, elsewhere], 'limits')).toBeUndefined();
    // A consumer following the transform's result ahead of it is not starved by publishes on
    // that result, which the transform would map again (m.v2.eu -> m.v2.v2.eu): none are assumed.
    expect(starvedFollowers(stream(), stream(transform), [following], 'limits')).toBeUndefined();
  });

  it("stops a consumer updated in the same ensure: it keeps its current filters until after the stream's write", () => {
    const updatedLater: Follower = { name: 'eu', before: ['m.eu.>'], after: [['m.eu.>'], ['m.v2.eu.>']] };

    expect(starvedFollowers(stream(), stream(transform), [updatedLater], 'limits')?.fields.map((f) => f.consumer)).toEqual(['eu']);
  });

  it('stops republish when its src no longer matches what is stored, and sees a transform removed as well as added', () => {
    const republish: Follower = { name: 'republish', before: ['m.eu.>'], after: [['m.eu.>']] };
    const onNew: Follower = { name: 'new', before: ['m.v2.eu.>'], after: [['m.v2.eu.>']] };

    expect(starvedFollowers(stream(), stream(transform), [republish], 'limits')?.fields[0].held).toMatch(/^stops republish \(m\.eu\.>\)/);
    expect(starvedFollowers(stream(transform), stream(), [onNew], 'limits')?.fields[0].consumer).toBe('new');
  });

  it("checks sources' transforms, composed with the stream's own", () => {
    const before = stream({ subjects: undefined, sources: [{ name: 'src', subject_transforms: [{ src: 'in.>', dest: 'agg.>' }] }] });
    const after = stream({ subjects: undefined, sources: [{ name: 'src', subject_transforms: [{ src: 'in.>', dest: 'agg2.>' }] }] });
    const aggEu: Follower = { name: 'c', before: ['agg.eu.>'], after: [['agg.eu.>']] };

    expect(mappingChanges(before, after)).toBe('sources');
    expect(starvedFollowers(before, after, [aggEu], 'limits')?.fields[0]).toMatchObject({ field: 'sources', consumer: 'c' });
    expect(
      starvedFollowers(before, after, [{ name: 'c', before: ['agg.eu.>'], after: [['agg.eu.>', 'agg2.eu.>']] }], 'limits'),
    ).toBeUndefined();
    // A new source brings subjects nobody received before: nobody is starved.
    expect(
      starvedFollowers(before, { ...before, sources: [...(before.sources ?? []), { name: 'other' }] }, [aggEu], 'limits'),
    ).toBeUndefined();
  });

  it('counts a transform it cannot evaluate as starving, unless it is the same before and after', () => {
    const partition = { subject_transform: { src: 'm.*', dest: 'm.{{partition(3,1)}}.*' } };
    const any: Follower = { name: 'c', before: ['m.*'], after: [['m.*']] };

    expect(starvedFollowers(stream(), stream(partition), [any], 'limits')?.fields[0].held).toMatch(
      /cannot work out where the new mapping stores it/,
    );
    expect(mappingChanges(stream(partition), stream(partition))).toBeUndefined();
  });

  it('finds nothing when the mapping does not change', () => {
    expect(starvedFollowers(stream(transform), stream({ ...transform, max_msgs: 5 }), [eu], 'limits')).toBeUndefined();
    expect(
      mappingChanges(stream({ subject_transform: { src: '', dest: 'x.>' } }), stream({ subject_transform: { dest: 'x.>' } })),
    ).toBeUndefined();
  });
});
