import { advisoryDomain, concernsDomain, parseStreamAdvisory } from './stream-advisories.js';

const encode = (payload: unknown): Uint8Array => new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload));

describe('parseStreamAdvisory', () => {
  it.each([
    ['create', 'created'],
    ['modify', 'updated'],
    ['delete', 'deleted'],
  ])('reads a stream_action "%s" as %s, with the domain when the server has one', (action, kind) => {
    const payload = {
      type: 'io.nats.jetstream.advisory.v1.stream_action',
      id: 'x',
      timestamp: '2026-11-28T16:52:59.64289111Z',
      stream: 'H1',
      action,
      domain: 'hub',
    };
    expect(parseStreamAdvisory(encode(payload))).toEqual({
      kind,
      stream: 'H1',
      at: '2026-11-28T16:52:59.64289111Z',
      domain: 'hub',
      replicas: [],
    });
  });

  it('reads a leader election with its leader and replicas (no domain field: none on the result)', () => {
    const payload = {
      type: 'io.nats.jetstream.advisory.v1.stream_leader_elected',
      timestamp: 't',
      stream: 'ORDERS',
      leader: 'n1',
      replicas: [
        { name: 'n2', current: true, active: 183861, peer: 'p2' },
        { name: 'n3', current: false, active: 5548383043, lag: 3, peer: 'p3' },
      ],
    };
    expect(parseStreamAdvisory(encode(payload))).toEqual({
      kind: 'leader-elected',
      stream: 'ORDERS',
      at: 't',
      leader: 'n1',
      replicas: [
        { name: 'n2', current: true, lag: 0 },
        { name: 'n3', current: false, lag: 3 },
      ],
    });
  });

  it('reads a quorum loss, and any other stream advisory as "other"', () => {
    expect(
      parseStreamAdvisory(encode({ type: 'io.nats.jetstream.advisory.v1.stream_quorum_lost', stream: 'S', timestamp: 't' }))?.kind,
    ).toBe('quorum-lost');
    expect(parseStreamAdvisory(encode({ type: 'io.nats.jetstream.advisory.v1.restore_complete', stream: 'S', timestamp: 't' }))?.kind).toBe(
      'other',
    );
    expect(parseStreamAdvisory(encode({ type: 'io.nats.jetstream.advisory.v1.stream_action', action: 'rename', stream: 'S' }))?.kind).toBe(
      'other',
    );
  });

  it('ignores what names no stream or is not JSON', () => {
    expect(parseStreamAdvisory(encode('not json'))).toBeUndefined();
    expect(parseStreamAdvisory(encode('null'))).toBeUndefined();
    expect(parseStreamAdvisory(encode({ type: 'io.nats.jetstream.advisory.v1.api_audit', subject: '$JS.API.INFO' }))).toBeUndefined();
    expect(
      parseStreamAdvisory(encode({ type: 'io.nats.jetstream.advisory.v1.stream_action', stream: '', action: 'create' })),
    ).toBeUndefined();
  });
});

describe('advisoryDomain and concernsDomain', () => {
  it('follows the domain option, then a $JS.<domain>.API prefix, then the connected server', () => {
    expect(advisoryDomain({ domain: 'hub', apiPrefix: '$JS.hub.API' }, 'leaf')).toBe('hub');
    expect(advisoryDomain({ apiPrefix: '$JS.hub.API' }, 'leaf')).toBe('hub');
    expect(advisoryDomain({ apiPrefix: '$JS.API' }, 'leaf')).toBe('leaf');
    expect(advisoryDomain({ apiPrefix: '$JS.API' }, undefined)).toBeUndefined();
  });

  it('cannot know the domain of a prefix of another shape, and then filters nothing', () => {
    const wanted = advisoryDomain({ apiPrefix: 'JS.acc.API' }, 'leaf');
    expect(wanted).toBeNull();
    expect(concernsDomain('hub', wanted)).toBe(true);
    expect(concernsDomain(undefined, wanted)).toBe(true);
  });

  it('keeps only advisories of the wanted domain; "no domain" matches only servers without one', () => {
    expect(concernsDomain('hub', 'hub')).toBe(true);
    expect(concernsDomain('leaf', 'hub')).toBe(false);
    expect(concernsDomain(undefined, 'hub')).toBe(false);
    expect(concernsDomain(undefined, undefined)).toBe(true);
    expect(concernsDomain('hub', undefined)).toBe(false);
  });
});
