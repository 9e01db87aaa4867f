import { ApiReplyError } from './api-reply.error.js';
import { InvalidStreamConfigError } from './invalid-stream-config.error.js';
import { JetStreamApiError } from './jetstream-api.error.js';
import { JetStreamUnavailableError } from './jetstream-unavailable.error.js';
import { RetryExhaustedError } from './retry-exhausted.error.js';
import { StreamCapacityError } from './stream-capacity.error.js';
import { StreamNotFoundError } from './stream-not-found.error.js';
import { StreamOfflineError } from './stream-offline.error.js';
import { StreamPlacementError } from './stream-placement.error.js';
import { classifyFailure, toStreamsError } from './to-streams-error.js';

function apiError(err_code: number, description: string, code = 400): ApiReplyError {
  return new ApiReplyError('STREAM.CREATE.S', { code, err_code, description });
}

function clientError(code: string): Error {
  return Object.assign(new Error(code), { code });
}

describe('classifyFailure', () => {
  it.each([
    ['no meta leader (10008)', apiError(10008, 'JetStream system temporarily unavailable', 503), true, true],
    ['meta leader stepped down (10009)', apiError(10009, 'JetStream cluster can not handle request', 500), true, true],
    ['a reconfiguration still in progress (10226)', apiError(10226, 'stream reconfiguration already in progress'), true, true],
    ['an unknown code saying temporarily unavailable', apiError(10999, 'stream temporarily unavailable', 503), true, true],
    ['no responders (a bare 503)', clientError('503'), true, true],
    ['a request timeout (the server may have applied it)', clientError('TIMEOUT'), true, false],
    ['a lost connection (the server may have applied it)', clientError('DISCONNECT'), true, false],
    ['no suitable peers (10005)', apiError(10005, 'no suitable peers for placement'), false, false],
    ['stream not found (10059)', apiError(10059, 'stream not found', 404), false, false],
    ['move and scale together (10123)', apiError(10123, 'can not move and scale a stream in a single update'), false, false],
    ['a closed connection', clientError('CONNECTION_CLOSED'), false, false],
    ['a plain error', new Error('boom'), false, false],
    ['undefined', undefined, false, false],
    ['a string', 'TIMEOUT', false, false],
  ])('%s: transient %s, unapplied %s', (_label, err, transient, unapplied) => {
    expect(classifyFailure(err)).toEqual({ transient, unapplied });
  });
});

describe('toStreamsError', () => {
  it.each([
    ['stream not found', apiError(10059, 'stream not found', 404), StreamNotFoundError],
    ['JetStream off for the account', apiError(10039, 'jetstream not enabled for account', 503), JetStreamUnavailableError],
    ['no suitable peers', apiError(10005, 'no suitable peers for placement'), StreamPlacementError],
    ['no room on any peer', apiError(10005, 'no suitable peers for placement, insufficient storage'), StreamCapacityError],
    ['insufficient resources', apiError(10047, 'insufficient storage resources available', 500), StreamCapacityError],
    ['an invalid config', apiError(10052, 'max_age must be positive'), InvalidStreamConfigError],
    ['any other answer', apiError(10123, 'can not move and scale a stream in a single update'), JetStreamApiError],
    ['a bare 503', clientError('503'), JetStreamUnavailableError],
    ['a timeout', clientError('TIMEOUT'), JetStreamApiError],
  ])('types %s', (_label, err, type) => {
    const typed = toStreamsError(err, 'ensureStream', 'S');
    expect(typed).toBeInstanceOf(type);
    expect(typed.cause).toBe(err);
  });

  it('types an offline stream (2.12+, 10194) with the reason the server gave', () => {
    const typed = toStreamsError(apiError(10194, 'stream is offline: stopped - unsupported consumer "c"', 500), 'ensureStream', 'S');
    expect(typed).toBeInstanceOf(StreamOfflineError);
    expect(typed).toMatchObject({ stream: 'S', reason: 'stopped - unsupported consumer "c"', errCode: 10194 });
  });

  it('names the field of an invalid config and keeps the err_code', () => {
    const typed = toStreamsError(apiError(10052, 'max_age must be positive'), 'ensureStream', 'S') as InvalidStreamConfigError;
    expect(typed.field).toBe('max_age');
    expect(typed.errCode).toBe(10052);
  });

  it('says a cluster without a leader for a whole deadline has lost quorum', () => {
    const last = apiError(10008, 'JetStream system temporarily unavailable', 503);
    const typed = toStreamsError(new RetryExhaustedError(last, 7, 3_000, 3_000), 'ensureStream', 'S');
    expect(typed).toBeInstanceOf(JetStreamApiError);
    expect(typed.message).toMatch(/lost quorum/);
    expect(typed.message).toMatch(/after retrying for 3000 ms \(7 attempts\)/);
    expect((typed as JetStreamApiError).errCode).toBe(10008);
  });

  it('reports no responders for a whole deadline as JetStream unavailable', () => {
    const typed = toStreamsError(new RetryExhaustedError(clientError('503'), 3, 1_000, 1_000), 'listStreams');
    expect(typed).toBeInstanceOf(JetStreamUnavailableError);
    expect(typed.message).toMatch(/within 1000 ms/);
  });

  it('passes typed errors through', () => {
    const typed = new StreamNotFoundError('S');
    expect(toStreamsError(typed, 'ensureStream', 'S')).toBe(typed);
  });
});
