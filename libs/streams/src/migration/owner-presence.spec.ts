import { jest } from '@jest/globals';
import type { PingResult } from '../connection/owner-connection.js';
import { OwnerWatch, presenceSubject, type PresenceTiming } from './owner-presence.js';

const TIMING: PresenceTiming = { pingTimeoutMs: 10, confirmMs: 0, answeredEveryMs: 0, firstBackoffMs: 1_000, maxBackoffMs: 4_000 };

/** A ping that answers from a script, recording the subjects pinged. */
function scripted(...results: PingResult[]): { ping: (subject: string) => Promise<PingResult>; pinged: string[] } {
  const pinged: string[] = [];
  return {
    pinged,
    ping: async (subject: string) => {
      pinged.push(subject);
      return results.shift() ?? 'answered';
    },
  };
}

describe('OwnerWatch', () => {
  afterEach(() => jest.useRealTimers());

  it('takes an owner for gone only on two "no responders" in a row', async () => {
    const { ping, pinged } = scripted('no-responders', 'no-responders');

    expect(await new OwnerWatch(ping, TIMING).check('a1')).toBe('gone');
    expect(pinged).toEqual([presenceSubject('a1'), presenceSubject('a1')]);
  });

  it('never takes an owner that answers the confirming ping, or does not answer at all, for gone', async () => {
    expect(await new OwnerWatch(scripted('no-responders', 'answered').ping, TIMING).check('a1')).toBe('alive');
    expect(await new OwnerWatch(scripted('no-responders', 'no-answer').ping, TIMING).check('a1')).toBe('unresponsive');
    expect(await new OwnerWatch(scripted('no-answer').ping, TIMING).check('a1')).toBe('unresponsive');
  });

  it('pings a silent owner less and less often (1 s, 2 s, 4 s, then 4 s), and again at once for a new owner', async () => {
    jest.useFakeTimers({ now: 0, doNotFake: ['nextTick', 'setImmediate'] });
    const { ping, pinged } = scripted('no-answer', 'no-answer', 'no-answer', 'no-answer', 'no-answer');
    const watch = new OwnerWatch(ping, TIMING);
    const pingsAt: number[] = [];
    for (let t = 0; t <= 12_000; t += 500) {
      jest.setSystemTime(t);
      const before = pinged.length;
      expect(await watch.check('a1')).toBe('unresponsive');
      if (pinged.length > before) pingsAt.push(t);
    }

    expect(pingsAt).toEqual([0, 1_000, 3_000, 7_000, 11_000]);
    expect(watch.describe('a1')).toMatch(/has not answered its presence pings for 12000 ms .* ping_interval × ping_max/);
    await watch.check('b2');
    expect(pinged.at(-1)).toBe(presenceSubject('b2'));
  });
});
